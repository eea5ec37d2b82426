"""Where the development question set is, apart from the evaluation so that ``mrm3 --help`` can name it cheaply."""

from __future__ import annotations

from pathlib import Path

DEFAULT_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "dev_questions.yaml"
