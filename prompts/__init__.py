"""Prompts, few-shot examples and vocabularies: data, not code."""

from pathlib import Path

# Where the data files are, for every loader.
PROMPTS_DIR = Path(__file__).resolve().parent
