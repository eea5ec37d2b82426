"""Where the development question set and the generated suites are (cheap to import, for ``mrm3 --help``)."""

from __future__ import annotations

from pathlib import Path

DEFAULT_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "dev_questions.yaml"

SUITES = {"generalisation": DEFAULT_SET.parent / "generalisation" / "templates.yaml"}
"""Suite name (``mrm3 eval --suite NAME``) -> its templates (:mod:`assistant.evaluation.suite`)."""
