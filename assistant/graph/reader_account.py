"""The embedded server's read-only account, which the question path connects with.

ArcadeDB checks every record access against the groups of the user. Group
``mrm3_reader`` may read records of every type in every database and do
nothing else: no creating, updating or deleting records, no schema, settings
or security changes. User ``mrm3_reader`` belongs to it; its password is
random and kept in ``MRM3_HOME/reader_password`` (mode 0600), beside the
writer's.

The group lives in ArcadeDB's ``server-groups.json``. It is written before the
server starts (ArcadeDB reads the file at start-up and re-reads it within
about five seconds of a change), then the user is created over the server's
HTTP API on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.graph.server_process import create_password_file

READER_USER = "mrm3_reader"
READER_GROUP = "mrm3_reader"
READER_PASSWORD_FILE = "reader_password"
GROUPS_FILE = Path("server") / "config" / "server-groups.json"

_ALL_RECORDS = ["createRecord", "readRecord", "updateRecord", "deleteRecord"]
# ArcadeDB's own defaults (what it writes on first start), so a first start
# with our file behaves as one without it.
_DEFAULT_GROUPS: dict[str, Any] = {
    "admin": {
        "resultSetLimit": -1,
        "readTimeout": -1,
        "access": ["updateSecurity", "updateSchema", "updateDatabaseSettings"],
        "types": {"*": {"access": _ALL_RECORDS}},
    },
    "*": {"resultSetLimit": -1, "readTimeout": -1, "access": [], "types": {"*": {"access": []}}},
}
_READER_GROUP_RIGHTS: dict[str, Any] = {
    "resultSetLimit": -1,
    "readTimeout": -1,
    "access": [],
    "types": {"*": {"access": ["readRecord"]}},
}


def add_reader_group(home: Path) -> bool:
    """Make sure ArcadeDB's groups file under ``home`` has the read-only group; True when it was added.

    Raises:
        OSError: The file cannot be written.
        ValueError: The file exists but is not the JSON ArcadeDB writes.
    """
    path = home / GROUPS_FILE
    if path.exists():
        config = json.loads(path.read_text(encoding="utf-8"))
    else:
        config = {"databases": {"*": {"groups": dict(_DEFAULT_GROUPS)}}, "version": 2}
    groups = config.setdefault("databases", {}).setdefault("*", {}).setdefault("groups", {})
    if groups.get(READER_GROUP) == _READER_GROUP_RIGHTS:
        return False
    groups[READER_GROUP] = _READER_GROUP_RIGHTS
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(config, indent=2), encoding="utf-8")
    tmp.replace(path)
    return True


def reader_password(home: Path) -> str | None:
    """The read-only account's password, or None before the account exists."""
    try:
        return (home / READER_PASSWORD_FILE).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def new_reader_password(home: Path) -> str:
    """A fresh random password for the read-only account, saved with mode 0600."""
    path = home / READER_PASSWORD_FILE
    path.unlink(missing_ok=True)
    return create_password_file(path)


def create_user_command(password: str) -> str:
    """ArcadeDB's server command that creates the read-only user in every database."""
    user = {"name": READER_USER, "password": password, "databases": {"*": [READER_GROUP]}}
    return "create user " + json.dumps(user)


def drop_user_command() -> str:
    """ArcadeDB's server command that drops the read-only user."""
    return f"drop user {READER_USER}"
