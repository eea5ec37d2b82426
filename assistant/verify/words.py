"""The verifier's word lists (``prompts/verify.yaml``), read and validated once."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from assistant.data_files import DataModel, load_yaml
from prompts import PROMPTS_DIR


class VerifyWords(DataModel):
    """What ``prompts/verify.yaml`` holds."""

    per_inference_lead: tuple[str, ...]
    per_inference_nouns: tuple[str, ...]
    totals: tuple[str, ...]
    ranking: tuple[str, ...]
    aggregates: dict[str, tuple[str, ...]]
    asked_unit_lead: tuple[str, ...]
    unmeasured: tuple[str, ...]
    plain_codes: tuple[str, ...]


@functools.cache
def verify_words(path: Path = PROMPTS_DIR / "verify.yaml") -> VerifyWords:
    """The verifier's words.

    Raises:
        ConfigError: The file is missing or malformed (one line naming the entry).
    """
    return load_yaml(path, VerifyWords, what="the verifier's word lists", hint="restore it from the repository")


def per_inference_phrases(words: VerifyWords) -> tuple[str, ...]:
    """Every phrase that speaks of one inference: a lead and a noun ("per prediction", "a single request")."""
    return tuple(f"{lead} {noun}" for lead in words.per_inference_lead for noun in words.per_inference_nouns)


def says(text: str, phrases: tuple[str, ...]) -> str | None:
    """The first of ``phrases`` that ``text`` says as whole words (case aside), or None."""
    lower = text.lower()
    for phrase in sorted(phrases, key=len, reverse=True):
        if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", lower):
            return phrase
    return None
