"""The public MRM3 example cards that ship in ingest/mrm3_cards, and ``mrm3 demo`` with them.

They make the suite and the demo work on any fresh clone: these tests check
that they are the published files, that their BSD-3 notice travels with them,
that the package installs them, and that the demo keeps them apart from the
synthetic SAMPLE catalog.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
import zipfile
from pathlib import Path
from typing import Any

from assistant.graph.connection import Graph
from ingest.mrm3_examples import mrm3_cards_dir
from ingest.sample import SAMPLE_AUTHOR, generate_cards
from tests.conftest import MRM3_CARDS, REPO, invoke_cli, mrm3_card_files

# Where the MRM3 project's files sit beside a checkout on the development machine (not on a fresh clone).
SHARED_MRM3 = Path(os.environ.get("MRM3_SHARED_DIR", REPO.parent / "shared")) / "mrm3"

# The BSD 3-Clause notice, conditions and disclaimer the MRM3 project's LICENSE carries; BSD-3 requires
# them to travel with every copy of the cards.
COPYRIGHT = "Copyright (c) 2024, Andrej Čop - Sensorlab"
BSD3_CLAUSES = (
    "Redistribution and use in source and binary forms, with or without modification, are permitted provided "
    "that the following conditions are met:",
    "1. Redistributions of source code must retain the above copyright notice, this list of conditions and the "
    "following disclaimer.",
    "2. Redistributions in binary form must reproduce the above copyright notice, this list of conditions and the "
    "following disclaimer in the documentation and/or other materials provided with the distribution.",
    "3. Neither the name of the copyright holder nor the names of its contributors may be used to endorse or "
    "promote products derived from this software without specific prior written permission.",
    'THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR IMPLIED '
    "WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A "
    "PARTICULAR PURPOSE ARE DISCLAIMED.",
    "IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, "
    "SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES",
)


def _relative_files(root: Path, pattern: str) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.glob(pattern)) if p.is_file()}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cards() -> list[dict[str, Any]]:
    return [json.loads(f.read_text(encoding="utf-8")) for f in mrm3_card_files()]


# --- the vendored files ----------------------------------------------------------------------------


def test_the_locator_finds_the_published_layout() -> None:
    folder = mrm3_cards_dir()
    assert folder == REPO / "ingest" / "mrm3_cards" == MRM3_CARDS
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == ["logatec", "lumos", "umu"]
    assert len(list(folder.rglob("*.json"))) == 22
    assert {card["author"] for card in _cards()} == {"SensorLab"}


def test_the_vendored_files_are_the_published_ones() -> None:
    # SHA256SUMS was written by `sha256sum` over the published dataset folder and LICENSE when the cards
    # were vendored, so this holds on any clone; beside the published files it also compares bytes.
    recorded = {}
    for line in (MRM3_CARDS / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        recorded[name] = digest
    vendored = _relative_files(MRM3_CARDS, "**/*.json")
    license_bytes = (MRM3_CARDS / "LICENSE").read_bytes()
    hashed = {name: hashlib.sha256(data).hexdigest() for name, data in {**vendored, "LICENSE": license_bytes}.items()}
    assert hashed == recorded
    published = SHARED_MRM3 / "dataset"
    if published.is_dir():
        assert vendored == _relative_files(published, "**/*.json")
        assert license_bytes == (SHARED_MRM3 / "LICENSE").read_bytes()
        # The project also publishes them zipped; the same 22 files, so `mrm3 ingest compressed.zip` matches too.
        with zipfile.ZipFile(SHARED_MRM3 / "compressed.zip") as archive:
            zipped = {m.filename: archive.read(m) for m in archive.infolist() if not m.is_dir()}
        assert zipped == vendored


def test_the_license_beside_the_cards_carries_the_bsd3_notice() -> None:
    license_text = _one_line((MRM3_CARDS / "LICENSE").read_text(encoding="utf-8"))
    assert license_text.startswith(f"BSD 3-Clause License {COPYRIGHT} ")
    for clause in BSD3_CLAUSES:
        assert _one_line(clause) in license_text, clause


def test_the_readme_beside_the_cards_says_where_they_come_from() -> None:
    readme = _one_line((MRM3_CARDS / "README.md").read_text(encoding="utf-8"))
    for fact in ("Andrej Čop - Sensorlab", "`dataset` folder", "unmodified", "BSD 3-Clause", "[LICENSE](LICENSE)"):
        assert fact in readme, fact


def test_the_package_data_declaration_ships_every_vendored_file() -> None:
    # setuptools installs what these globs match, relative to the package folder; a file they miss
    # would be in the repository but not in an installed mrm3-assistant.
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    ingest = REPO / "ingest"
    shipped = {p for pattern in pyproject["tool"]["setuptools"]["package-data"]["ingest"] for p in ingest.glob(pattern)}
    vendored = {p for p in MRM3_CARDS.rglob("*") if p.is_file()}
    assert {p.name for p in vendored} >= {"LICENSE", "README.md"}
    assert vendored <= shipped, sorted(str(p) for p in vendored - shipped)


# --- kept apart from the SAMPLE catalog ------------------------------------------------------------


def test_sample_model_names_cannot_collide_with_the_mrm3_card_names() -> None:
    mrm3 = _cards()
    sample = generate_cards(5000)
    assert not {c["name"] for c in sample} & {c["name"] for c in mrm3}
    # Why no --count can collide either: a sample name embeds a sample dataset and ends in its card
    # number, and no MRM3 dataset is a sample dataset and no MRM3 name ends in a number.
    assert not {c["dataset"]["name"] for c in sample} & {c["dataset"]["name"] for c in mrm3}
    assert all(re.search(r"-\d{3,}$", c["name"]) and c["dataset"]["name"] in c["name"] for c in sample)
    assert not any(re.search(r"\d$", c["name"]) for c in mrm3)


def test_demo_loads_the_sample_and_the_mrm3_cards_apart(empty_graph: Graph, cli_env: dict[str, str]) -> None:
    names = {c["name"] for c in _cards()}
    code, _, err = invoke_cli(cli_env, "demo", "--count", "6")
    assert code == 0, err
    assert "SAMPLE catalog (synthetic): 6 files read, 6 valid cards, 6 models written" in err
    assert f"MRM3 example cards (public): {len(names)} files read, {len(names)} valid cards" in err

    rows = empty_graph.read("MATCH (m:Model) RETURN m.name AS name, m.author AS author")
    by_author: dict[str, set[str]] = {}
    for row in rows:
        by_author.setdefault(row["author"], set()).add(row["name"])
    assert by_author == {SAMPLE_AUTHOR: {c["name"] for c in generate_cards(6)}, "SensorLab": names}

    # Again without --reset: the MRM3 models stay, unchanged, and nothing is duplicated.
    code, _, err = invoke_cli(cli_env, "demo", "--count", "6")
    assert code == 0, err
    assert f"{len(names)} valid cards, 0 models written, {len(names)} unchanged" in err
    assert len(empty_graph.read("MATCH (m:Model) RETURN m.name AS name")) == 6 + len(names)


def test_after_demo_the_offline_engine_answers_about_lumos5g(empty_graph: Graph, cli_env: dict[str, str]) -> None:
    lumos = [c for c in _cards() if c["dataset"]["name"] == "lumos5g"]
    # A carbon footprint of 0 in an MRM3 card means "not measured", so it cannot be the greenest.
    measured = sorted(
        (c for c in lumos if c["training"]["carbonFootprint"] > 0), key=lambda c: c["training"]["carbonFootprint"]
    )
    assert len(lumos) == 4 and measured

    code, _, err = invoke_cli(cli_env, "demo", "--reset", "--count", "4")
    assert code == 0, err
    code, out, err = invoke_cli(cli_env, "ask", "--engine", "offline", "--json", "greenest model on lumos5g")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["engine"] == "offline"
    models = [row["model"] for row in answer["rows"]]
    assert models == [c["name"] for c in measured]
    assert measured[0]["name"] in answer["answer"]
