"""``mrm3 ingest hf:ORG/NAME``: a model card fetched from the Hugging Face Hub, with its ``config.json``.

The card (``README.md``) is read like a local one (:func:`ingest.hf_cards.read_hf_card`), under the Hub id as
its model name. ``config.json`` gives the architecture (its first ``architectures`` entry, or ``model_type``);
the Hub's safetensors metadata gives the parameter count. Everything is fetched at the commit the Hub reports,
and that commit is kept as the card's provenance (``hf:ORG/NAME@<sha>``).

``HF_ENDPOINT`` (a mirror or a private Hub) and ``HF_TOKEN`` (private and gated models) are honoured, read when
the fetch happens. Files already in the local Hugging Face cache are used when the Hub cannot be reached, and
the report says so; otherwise the reference gets one line saying that the Hub cannot be reached.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ingest.cards import Card, Problem, card_hash
from ingest.hf_cards import read_hf_card

PREFIX = "hf:"
DEFAULT_ENDPOINT = "https://huggingface.co"
# A Hub model id: NAME or ORG/NAME, letters, digits, '-', '_', '.'; an optional @revision.
_REF = re.compile(r"^hf:(?P<repo>[A-Za-z0-9][\w.-]*(?:/[A-Za-z0-9][\w.-]*)?)(?:@(?P<revision>[\w./-]+))?$")
_TIMEOUT_S = 10.0

logger = logging.getLogger(__name__)


class _Unreachable(Exception):
    """The Hub did not answer: no network, a wrong HF_ENDPOINT, or offline mode."""


def is_hub_ref(path: Path | str) -> bool:
    """True for ``hf:ORG/NAME`` arguments (a local path never starts with ``hf:`` in practice)."""
    return str(path).startswith(PREFIX)


def read_hub_card(ref: str) -> Iterator[Card | Problem]:
    """The card of one Hub model, or one :class:`Problem` saying why it could not be fetched."""
    match = _REF.match(ref)
    if match is None:
        yield Problem(ref, "$", "is not a Hub model id - write hf:ORG/NAME, e.g. hf:google-bert/bert-base-uncased")
        return
    repo, revision = match["repo"], match["revision"]
    endpoint, token = hub_endpoint(), hub_token()
    try:
        yield _fetch(ref, repo, revision, endpoint, token)
    except _Unreachable as e:
        yield Problem(ref, "$", f"the Hugging Face Hub cannot be reached at {endpoint} ({e}) and the card is not "
                      "in the local cache - check the network, or set HF_ENDPOINT to a reachable mirror")  # fmt: skip
    except Exception as e:  # noqa: BLE001 - every Hub error becomes one line for this reference
        yield Problem(ref, "$", _hub_reason(e, repo))


def hub_endpoint() -> str:
    """The Hub asked: ``HF_ENDPOINT`` (a mirror, a private Hub) or huggingface.co, read when asked."""
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def hub_token() -> str | None:
    """``HF_TOKEN`` (private and gated models), or None; never printed."""
    return os.environ.get("HF_TOKEN") or None


def _fetch(ref: str, repo: str, revision: str | None, endpoint: str, token: str | None) -> Card:
    from huggingface_hub import HfApi

    api = HfApi(endpoint=endpoint, token=token)
    warnings: list[Problem] = []
    why = ""
    try:
        info = api.model_info(repo, revision=revision, timeout=_TIMEOUT_S)
    except Exception as e:
        if not is_connection_error(e):
            raise
        info, why = None, short_error(e)
        warnings.append(Problem(ref, "$", f"the Hub cannot be reached ({why}); read from the local cache"))
    # The files are fetched at the revision asked for (the cache remembers "main" that way); the commit the Hub
    # reports is the provenance.
    commit = getattr(info, "sha", None) or revision
    try:
        readme = _download(repo, "README.md", revision, endpoint, token, offline=info is None)
    except _Unreachable as e:
        raise _Unreachable(why if info is None else str(e)) from e
    config_path = _optional_download(repo, "config.json", revision, endpoint, token, offline=info is None)
    source = f"{PREFIX}{repo}@{commit}" if commit else ref
    card = read_hf_card(source, Path(readme).read_bytes(), name=repo)
    data = dict(card.data)
    data["hubId"] = repo
    data["hubFiles"] = True  # read from the model's own files: a harvest's listing (less) never replaces it
    if commit:
        data["hubRevision"] = commit
    if config_path is not None:
        data |= _config_facts(Path(config_path), ref, warnings)
    if parameters := _parameter_count(info):
        data["parameterCount"] = parameters
    return replace(card, data=data, digest=card_hash(data), warnings=(*card.warnings, *warnings))


def _download(
    repo: str, filename: str, revision: str | None, endpoint: str, token: str | None, *, offline: bool
) -> str:
    from huggingface_hub import hf_hub_download

    try:
        return hf_hub_download(
            repo, filename, revision=revision, endpoint=endpoint, token=token, local_files_only=offline,
            etag_timeout=_TIMEOUT_S,
        )  # fmt: skip
    except Exception as e:
        if offline or is_connection_error(e) or type(e).__name__ == "LocalEntryNotFoundError":
            raise _Unreachable(short_error(e)) from e
        raise


def _optional_download(
    repo: str, filename: str, revision: str | None, endpoint: str, token: str | None, *, offline: bool
) -> str | None:
    """A file the repository may lack (``config.json`` of a non-Transformers model): None when it has none."""
    try:
        return _download(repo, filename, revision, endpoint, token, offline=offline)
    except _Unreachable:
        return None
    except Exception as e:
        if type(e).__name__ in ("EntryNotFoundError", "RemoteEntryNotFoundError"):
            return None
        raise


def _config_facts(path: Path, ref: str, warnings: list[Problem]) -> dict[str, Any]:
    """The architecture and model type a Transformers ``config.json`` names."""
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        warnings.append(Problem(f"{ref}!config.json", "$", f"is not readable JSON ({e}); architecture not read"))
        return {}
    if not isinstance(config, dict):
        return {}
    facts: dict[str, Any] = {}
    architectures = config.get("architectures")
    if isinstance(architectures, list) and architectures and isinstance(architectures[0], str):
        facts["architecture"] = architectures[0]
    if isinstance(config.get("model_type"), str):
        facts["modelType"] = config["model_type"]
        facts.setdefault("architecture", config["model_type"])
    return facts


def _parameter_count(info: Any) -> int | None:
    """The parameter count the Hub computed from the safetensors files, when it has one."""
    safetensors = getattr(info, "safetensors", None)
    total = getattr(safetensors, "total", None)
    if total is None and isinstance(safetensors, dict):
        total = safetensors.get("total")
    return int(total) if isinstance(total, int | float) and total > 0 else None


def is_connection_error(error: Exception) -> bool:
    """No answer from the Hub (DNS, refused, timeout, offline mode), as opposed to an answer that says no."""
    names = {cls.__name__ for cls in type(error).__mro__}
    return bool(names & {"ConnectError", "ConnectTimeout", "ConnectionError", "TimeoutException", "NetworkError",
                         "OfflineModeIsEnabled", "Timeout"})  # fmt: skip


def _hub_reason(error: Exception, repo: str) -> str:
    """One line for an answer from the Hub that refuses the fetch; never the token."""
    kind = type(error).__name__
    if kind == "GatedRepoError":
        return f"{repo} is gated on the Hub - accept its conditions there and set HF_TOKEN to a token with access"
    if kind == "RepositoryNotFoundError":
        return f"the Hub has no model {repo} (or it is private - set HF_TOKEN to a token that can read it)"
    if kind == "RevisionNotFoundError":
        return f"{repo} has no such revision on the Hub"
    if kind in ("EntryNotFoundError", "RemoteEntryNotFoundError"):
        return f"{repo} has no README.md model card on the Hub"
    return f"the Hub refused the fetch: {short_error(error)}"


def short_error(error: Exception) -> str:
    """The first line of an error, without any token it might echo."""
    text = " ".join(str(error).split()) or type(error).__name__
    text = text.split(" For more information check:")[0]  # httpx's pointer to a web page, not the error
    token = hub_token()
    if token:
        text = text.replace(token, "***")
    return text[:200]
