"""The validated vocabulary is kept between runs, keyed by the file and the code, so `mrm3 ask` skips pydantic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.language.vocabulary import DEFAULT_PATH, load_vocabulary
from tests.conftest import REPO


@pytest.fixture(autouse=True)
def _fresh_process_cache() -> None:
    load_vocabulary.cache_clear()


def _copy(tmp_path: Path) -> Path:
    path = tmp_path / "vocabulary.yaml"
    path.write_text(DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_a_cached_vocabulary_equals_a_validated_one(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_vocabulary(DEFAULT_PATH, cache)
    assert len(list(cache.glob("vocabulary-*.pickle"))) == 1
    load_vocabulary.cache_clear()
    assert load_vocabulary(DEFAULT_PATH, cache) == first == load_vocabulary(DEFAULT_PATH)


def test_a_warm_cache_loads_without_pydantic(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_vocabulary(DEFAULT_PATH, cache)
    script = (
        "import sys; from pathlib import Path; from assistant.language.vocabulary import load_vocabulary; "
        f"v = load_vocabulary(cache_dir=Path({str(cache)!r})); "
        "print(len(v.quantities), 'pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.split() == [str(len(load_vocabulary(DEFAULT_PATH).quantities)), "False"]


def test_an_edited_file_is_validated_again_and_a_broken_edit_is_reported(tmp_path: Path) -> None:
    path, cache = _copy(tmp_path), tmp_path / "cache"
    load_vocabulary(path, cache)
    load_vocabulary.cache_clear()
    path.write_text(path.read_text(encoding="utf-8").replace("scope: training,", "scope: nowhere,", 1))
    with pytest.raises(ConfigError, match="scope"):
        load_vocabulary(path, cache)


def test_a_damaged_cache_file_is_replaced(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = load_vocabulary(DEFAULT_PATH, cache)
    (cached,) = cache.glob("vocabulary-*.pickle")
    cached.write_bytes(b"not a pickle")
    load_vocabulary.cache_clear()
    assert load_vocabulary(DEFAULT_PATH, cache) == expected
    assert cached.read_bytes() != b"not a pickle"


def test_an_unwritable_cache_directory_does_not_stop_the_load(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert load_vocabulary(DEFAULT_PATH, blocker / "cache") == load_vocabulary(DEFAULT_PATH)
