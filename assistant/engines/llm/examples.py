"""Few-shot examples: the question -> Cypher library and picking the closest ones.

The library lives in ``prompts/examples.yaml``. For each question the prompt
carries only the ``k`` most similar examples, scored by BM25 over each
example's question and keywords: lexical, deterministic, and no network or
model download at run time.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from langchain_core.example_selectors import BaseExampleSelector
from pydantic import ConfigDict
from pydantic.dataclasses import dataclass

from assistant.data_files import NonEmptyText, OptionalText, load_yaml
from prompts import PROMPTS_DIR

logger = logging.getLogger(__name__)

EXAMPLES_FILE = PROMPTS_DIR / "examples.yaml"
HF_EXAMPLES_FILE = PROMPTS_DIR / "examples_hf.yaml"
"""Examples over Hugging Face cards and CodeCarbon logs; each names the labels it needs (``requires``)."""
DEFAULT_K = 5

# Words that say nothing about which example fits.
STOPWORDS = frozenset(
    "a an and are as at be by did do does for from has have how i in is it its me most of on or per show "
    "tell than that the their them there these this to was were what when where which who whose why with "
    "each any all".split()
)
# BM25's usual constants: term-frequency saturation and length normalisation.
K1 = 1.5
B = 0.75


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Example:
    """One question with the Cypher statement that answers it (an entry of ``prompts/examples.yaml``)."""

    question: NonEmptyText
    cypher: NonEmptyText
    keywords: OptionalText = ""
    requires: tuple[str, ...] = ()
    """``Label`` or ``Label.property`` the graph must have for this example to be shown (``EvaluationResult``)."""


def tokens(text: str) -> list[str]:
    """Lower-case word stems of ``text`` without stopwords ("Models" -> "model")."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return [_stem(w) for w in words if w not in STOPWORDS]


def _stem(word: str) -> str:
    # Plural "s" only: enough to match "models"/"model" and "runs"/"run" without a stemmer.
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def load_examples(path: Path = EXAMPLES_FILE) -> list[Example]:
    """Read the example library.

    Raises:
        ConfigError: The file is missing, not YAML, or an entry lacks a question or a statement;
            the message names the entry and the field.
    """
    return load_yaml(path, list[Example], what="the examples", hint="restore prompts/examples.yaml")


class ExampleSelector(BaseExampleSelector):
    """Pick the ``k`` examples whose question and keywords best match a question (BM25).

    Also usable as a LangChain example selector:
    ``select_examples({"question": ...})`` returns dicts with ``question`` and ``cypher``.
    """

    def __init__(self, examples: Iterable[Example], k: int = DEFAULT_K) -> None:
        self.k = k
        self._examples: list[Example] = []
        self._docs: list[Counter[str]] = []
        self._df: Counter[str] = Counter()
        for example in examples:
            self._add(example)

    @classmethod
    def from_file(cls, path: Path = EXAMPLES_FILE, k: int = DEFAULT_K) -> ExampleSelector:
        """A selector over the library in ``path`` (and, for the project's library, its Hugging Face examples)."""
        examples = load_examples(path)
        if path == EXAMPLES_FILE:
            examples += load_examples(HF_EXAMPLES_FILE)
        return cls(examples, k=k)

    @property
    def examples(self) -> Sequence[Example]:
        """Every example in the library."""
        return tuple(self._examples)

    def _add(self, example: Example) -> None:
        doc = Counter(tokens(f"{example.question} {example.keywords}"))
        self._examples.append(example)
        self._docs.append(doc)
        self._df.update(doc.keys())

    def add_example(self, example: dict[str, str]) -> Any:
        """Add an example given as ``{"question", "cypher", "keywords"?}``."""
        self._add(Example(example["question"], example["cypher"], example.get("keywords", "")))

    def scores(self, question: str) -> list[float]:
        """The BM25 score of every example for ``question``, in library order."""
        query = set(tokens(question))
        n = len(self._docs)
        if not n or not query:
            return [0.0] * n
        avg_len = sum(sum(d.values()) for d in self._docs) / n
        result = []
        for doc in self._docs:
            length = sum(doc.values())
            score = 0.0
            for term in query:
                tf = doc.get(term, 0)
                if not tf:
                    continue
                idf = math.log(1 + (n - self._df[term] + 0.5) / (self._df[term] + 0.5))
                score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg_len))
            result.append(score)
        return result

    def select(
        self, question: str, k: int | None = None, *, labels: Mapping[str, Iterable[str]] | None = None
    ) -> list[Example]:
        """The ``k`` best-matching examples, best first (library order breaks ties); with ``labels`` (label ->
        its properties), only those whose required ``Label`` or ``Label.property`` the graph has."""
        k = self.k if k is None else k
        scores = self.scores(question)

        def has(need: str) -> bool:
            label, _, prop = need.partition(".")
            return labels is None or (label in labels and (not prop or prop in labels[label]))

        usable = [i for i, e in enumerate(self._examples) if all(has(need) for need in e.requires)]
        ranked = sorted(usable, key=lambda i: (-scores[i], i))
        chosen = [self._examples[i] for i in ranked[:k]]
        logger.debug("examples for %r: %s", question, [e.question for e in chosen])
        return chosen

    def select_examples(self, input_variables: dict[str, str]) -> list[dict[str, str]]:
        """LangChain's selector interface: examples for ``input_variables["question"]``."""
        question = input_variables.get("question") or next(iter(input_variables.values()), "")
        return [{"question": e.question, "cypher": e.cypher} for e in self.select(question)]


def format_examples(examples: Sequence[Example]) -> str:
    """Examples as prompt text: each question as a comment above its statement."""
    return "\n\n".join(f"# {e.question}\n{e.cypher}" for e in examples)
