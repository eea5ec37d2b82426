"""The layout holds: imports run one way (import-linter's contracts in pyproject.toml), every package is in a
layer, every package says what it holds, and both engines offer the same interface."""

from __future__ import annotations

import ast
import inspect
import tomllib
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

from assistant.engines.base import QuestionEngine
from assistant.engines.llm.chain import CypherQA
from assistant.engines.offline.engine import OfflineEngine
from tests.conftest import REPO

CONTRACTS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
MAX_MODULE_LINES = 400


def test_the_import_contracts_hold(capsys: pytest.CaptureFixture[str]) -> None:
    # import-linter builds the import graph from the source, so lazy imports inside functions count too.
    code = lint_imports(config_filename=str(REPO / "pyproject.toml"), no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    assert code == 0, out[-4000:]
    assert f"{len(CONTRACTS['contracts'])} kept, 0 broken" in out


def _layered() -> set[str]:
    names: set[str] = set()
    for contract in CONTRACTS["contracts"]:
        containers = contract.get("containers", [""])
        for layer in contract.get("layers", []):
            for name in layer.replace(":", "|").split("|"):
                names.update(f"{c}.{name.strip()}".strip(".") for c in containers)
    return names


def _packages_and_modules(package: str) -> list[str]:
    """The direct sub-packages and modules of ``package`` (bar ``__init__`` and ``__main__``)."""
    folder = REPO / package.replace(".", "/")
    found = [f"{package}.{p.name}" for p in folder.iterdir() if (p / "__init__.py").exists()]
    found += [f"{package}.{p.stem}" for p in folder.glob("*.py") if p.stem not in ("__init__", "__main__")]
    return sorted(found)


@pytest.mark.parametrize("package", ["assistant", "assistant.engines"])
def test_every_package_and_module_sits_in_a_layer(package: str) -> None:
    """A new package outside every layer would escape the contracts unnoticed."""
    missing = [name for name in _packages_and_modules(package) if name not in _layered()]
    assert not missing, f"add {missing} to a layer in pyproject.toml [tool.importlinter]"


def _all_packages() -> list[Path]:
    return sorted(p.parent for root in ("assistant", "ingest", "prompts") for p in (REPO / root).rglob("__init__.py"))


@pytest.mark.parametrize("folder", _all_packages(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_package_says_in_one_line_what_it_holds(folder: Path) -> None:
    docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8")))
    assert docstring, f"{folder.relative_to(REPO)}/__init__.py has no docstring"
    assert len(docstring.splitlines()[0]) <= 120


def test_no_module_is_over_about_400_lines() -> None:
    sources = [p for root in ("assistant", "ingest", "prompts") for p in (REPO / root).rglob("*.py")]
    sources.append(REPO / "streamlit_app.py")
    long = {
        str(p.relative_to(REPO)): n
        for p in sources
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these modules: {long}"


MAX_FUNCTION_LINES = 60
MAX_CLASS_LINES = 150
SMALL_PIECES = ("assistant/engines/offline", "assistant/verify", "assistant/plan", "assistant/engines/checked.py")


def test_the_engines_rules_live_in_small_functions_and_classes() -> None:
    """No function over 60 lines and no class over 150 in the offline engine and the LLM checks (issue 22)."""
    sources = [p for place in SMALL_PIECES for p in ((REPO / place).rglob("*.py") if (REPO / place).is_dir()
               else [REPO / place])]  # fmt: skip
    long = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            limit = MAX_CLASS_LINES if isinstance(node, ast.ClassDef) else MAX_FUNCTION_LINES
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.end_lineno - node.lineno + 1 > limit:
                long.append(f"{path.relative_to(REPO)}:{node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert not long, f"split these: {long}"


RAW_TEXT_PARAMETERS = frozenset({"question", "text", "lower", "said"})


@pytest.mark.parametrize("stage", ["plan", "compile", "explain"])
def test_after_the_read_stage_no_function_takes_or_scans_the_questions_text(stage: str) -> None:
    """The question is read once, into a Reading (read/reading.py); later stages take the Reading or the Frame."""
    found = []
    for path in sorted((REPO / "assistant" / "engines" / "offline" / stage).glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef):
                params = {a.arg for a in node.args.args + node.args.kwonlyargs}
                found += [f"{path.name}:{node.name}({p})" for p in sorted(params & RAW_TEXT_PARAMETERS)]
            if isinstance(node, ast.Attribute) and node.attr == "question":  # frame.question, reading.question
                found.append(f"{path.name}:{node.lineno} reads .question")
    assert not found, f"the question's text is read after the read stage: {found}"


@pytest.mark.parametrize("engine", [OfflineEngine, CypherQA], ids=lambda e: e.__name__)
def test_both_engines_offer_the_question_engine_interface(engine: type) -> None:
    assert isinstance(engine.name, str) and engine.name in ("offline", "llm")
    required = inspect.signature(QuestionEngine.answer).parameters
    offered = inspect.signature(engine.answer).parameters
    assert list(offered)[: len(required)] == list(required)
    extra = [p for name, p in offered.items() if name not in required]
    assert all(p.default is not inspect.Parameter.empty for p in extra), "extra parameters must be optional"
