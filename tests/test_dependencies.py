"""pyproject.toml declares exactly what the code imports: nothing undeclared, nothing unused.

Every module is read as an AST, so imports at any depth count (the lazy ones inside
commands and engines included). An import name is mapped to the distribution that
provides it with ``importlib.metadata.packages_distributions()`` and compared with
the requirements of pyproject.toml.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]

# Declared on purpose although no module imports them; each with the reason.
RUNTIME_ONLY = {
    "neo4j-rust-ext": "the neo4j driver loads it as neo4j._rust (its Rust PackStream); nothing imports it by name",
    "codecarbon": "its grid intensity data is read in place (assistant/language/grid.py); nothing imports it",
}
TEST_TOOLS = {
    "ruff": "the linter, run from the command line",
    "mypy": "the type checker, run from the command line",
    "types-pyyaml": "PyYAML's type stubs, read by mypy",
}
# Calls that import the module named by their first argument, so a string is an import too.
IMPORTING_CALLS = {"importorskip", "import_module", "__import__"}


def first_party() -> frozenset[str]:
    """The repository's own top-level names: its packages (tests/ included) and root modules."""
    folders = {p.name for p in REPO.iterdir() if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.py"))}
    return frozenset(folders | {p.stem for p in REPO.glob("*.py")})


def product_files() -> list[Path]:
    """The modules that ship: assistant/, ingest/, prompts/ and the Streamlit entry point."""
    return sorted(
        [*(REPO / "assistant").rglob("*.py"), *(REPO / "ingest").rglob("*.py"), *(REPO / "prompts").rglob("*.py")]
    ) + [REPO / "streamlit_app.py"]


def suite_files() -> list[Path]:
    """The test modules (and their helpers)."""
    return sorted((REPO / "tests").rglob("*.py"))


def imported_names(path: Path) -> set[str]:
    """Top-level names of every absolute import in ``path``, however deep in the module it is."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if function in IMPORTING_CALLS and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
    return {name.split(".")[0] for name in names}


def third_party_imports(files: Iterable[Path]) -> dict[str, list[str]]:
    """Each third-party import name -> the files importing it (relative to the repository)."""
    own = first_party()
    found: dict[str, list[str]] = {}
    for path in files:
        for name in imported_names(path):
            if name not in sys.stdlib_module_names and name not in own:
                found.setdefault(name, []).append(
                    str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)
                )
    return found


def distributions(name: str, index: Mapping[str, list[str]]) -> set[str]:
    """The (canonical) distributions that provide import name ``name``; empty when none installed does."""
    return {canonicalize_name(dist) for dist in index.get(name, [])}


def declared(requirements: Iterable[str]) -> set[str]:
    """Canonical distribution names of requirement strings such as ``"PyYAML>=6.0"``."""
    return {canonicalize_name(Requirement(text).name) for text in requirements}


def undeclared(files: Iterable[Path], allowed: set[str], index: Mapping[str, list[str]]) -> list[str]:
    """One line per import whose distribution is not in ``allowed``."""
    problems = []
    for name, where in sorted(third_party_imports(files).items()):
        dists = distributions(name, index)
        if not dists & allowed:
            provider = ", ".join(sorted(dists)) or "no installed distribution"
            problems.append(f"{name} ({provider}) imported by {', '.join(sorted(where))}")
    return problems


def used(files: Iterable[Path], index: Mapping[str, list[str]]) -> set[str]:
    """Distributions some module in ``files`` imports."""
    return {dist for name in third_party_imports(files) for dist in distributions(name, index)}


MAIN = declared(PROJECT["dependencies"])
TEST_EXTRA = declared(PROJECT["optional-dependencies"]["test"])


@pytest.fixture(scope="module")
def index() -> Mapping[str, list[str]]:
    return packages_distributions()


def test_every_third_party_import_of_the_product_is_declared(index: Mapping[str, list[str]]) -> None:
    assert undeclared(product_files(), MAIN, index) == [], "add these to [project] dependencies in pyproject.toml"


def test_every_dependency_is_imported_by_the_product(index: Mapping[str, list[str]]) -> None:
    unused = MAIN - used(product_files(), index) - set(RUNTIME_ONLY)
    assert unused == set(), "declared but never imported: remove them, or allow-list them in RUNTIME_ONLY with a reason"


def test_every_third_party_import_of_the_tests_is_declared(index: Mapping[str, list[str]]) -> None:
    problems = undeclared(suite_files(), MAIN | TEST_EXTRA, index)
    assert problems == [], "add these to the [test] extra in pyproject.toml"


def test_every_test_dependency_is_imported_by_the_tests(index: Mapping[str, list[str]]) -> None:
    unused = TEST_EXTRA - used(suite_files(), index) - set(TEST_TOOLS)
    assert unused == set(), "in the [test] extra but never imported: remove them, or allow-list them in TEST_TOOLS"


@pytest.mark.parametrize(
    ("allow_list", "requirements", "files"),
    [(RUNTIME_ONLY, MAIN, product_files), (TEST_TOOLS, TEST_EXTRA, suite_files)],
    ids=["runtime-only dependencies", "test tools"],
)
def test_allow_listed_distributions_are_declared_and_really_not_imported(
    index: Mapping[str, list[str]], allow_list: dict[str, str], requirements: set[str], files: Callable[[], list[Path]]
) -> None:
    assert set(allow_list) <= requirements, "an allow-listed distribution is no longer declared: drop it from the list"
    assert not set(allow_list) & used(files(), index), "an allow-listed distribution is imported: drop it from the list"
    assert all(reason.strip() for reason in allow_list.values())


def test_the_scan_sees_imports_at_any_depth_and_skips_relative_and_standard_ones(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "from __future__ import annotations\n"
        "import os.path\n"
        "from . import sibling\n"
        "from assistant.errors import ConfigError\n"
        "def command() -> None:\n"
        "    import yaml\n"
        "    class Inner:\n"
        "        from click.testing import CliRunner\n"
        "def test() -> None:\n"
        "    pytest.importorskip('playwright.sync_api')\n"
        "    importlib.import_module('made_up_package_for_this_test')\n",
        encoding="utf-8",
    )
    assert imported_names(module) == {
        "__future__", "os", "assistant", "yaml", "click", "playwright", "made_up_package_for_this_test",
    }  # fmt: skip
    assert set(third_party_imports([module])) == {"yaml", "click", "playwright", "made_up_package_for_this_test"}


def test_an_undeclared_or_unknown_import_is_reported(tmp_path: Path, index: Mapping[str, list[str]]) -> None:
    module = tmp_path / "module.py"
    module.write_text("def f() -> None:\n    import yaml\n    import made_up_package_for_this_test\n")
    assert undeclared([module], {"pyyaml"}, index) == [
        f"made_up_package_for_this_test (no installed distribution) imported by {module}"
    ]
    assert undeclared([module], {"click"}, index)[-1] == f"yaml (pyyaml) imported by {module}"
    assert used([module], index) == {"pyyaml"}
