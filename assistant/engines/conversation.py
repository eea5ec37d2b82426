"""A conversation's history, and follow-ups rewritten into standalone questions.

"and on umu?" means nothing to the Cypher prompt; after "greenest model on
lumos5g?" it means "greenest model on umu?". The LLM rewrites each follow-up
with the recent turns before Cypher is written for it.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.answers.answer import Answer
from assistant.config import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

logger = logging.getLogger(__name__)

DEFAULT_MAX_TURNS = 6
MAX_ANSWER_CHARS = 400  # enough of an answer to resolve "that model"
_LABEL = re.compile(r"^\s*(?:standalone question|question|rewritten question)\s*:\s*", re.I)


@dataclass(frozen=True)
class Turn:
    """One question and what the assistant answered."""

    question: str
    standalone: str
    answer: str
    cypher: str | None = None


@dataclass
class Conversation:
    """The turns of one chat, oldest first; only the last ``max_turns`` are kept."""

    max_turns: int = DEFAULT_MAX_TURNS
    turns: list[Turn] = field(default_factory=list)

    def add(self, answer: Answer) -> None:
        """Remember an answered question."""
        standalone = answer.standalone_question or answer.question
        self.turns.append(Turn(answer.question, standalone, answer.text, answer.cypher))
        del self.turns[: -self.max_turns]

    def clear(self) -> None:
        """Forget every turn."""
        self.turns.clear()

    def history_text(self) -> str:
        """The turns as prompt text."""
        lines = []
        for turn in self.turns:
            answer = turn.answer if len(turn.answer) <= MAX_ANSWER_CHARS else turn.answer[:MAX_ANSWER_CHARS] + "..."
            lines.append(f"Question: {turn.standalone}\nAnswer: {answer}")
        return "\n\n".join(lines)

    def standalone(self, question: str, llm: BaseChatModel, settings: Settings) -> str:
        """``question`` rewritten to stand on its own; unchanged when there is no history.

        Raises:
            LLMUnavailableError: The model cannot be reached.
        """
        if not self.turns:
            return question
        # The LLM stack costs seconds to import: only the LLM rewrite loads it, never the offline path.
        from langchain_core.output_parsers import StrOutputParser

        from assistant.engines.llm.client import call_llm, load_prompt

        chain = load_prompt("rewrite.txt") | llm | StrOutputParser()
        reply = call_llm(
            settings, functools.partial(chain.invoke, {"history": self.history_text(), "question": question})
        )
        rewritten = clean_rewrite(reply)
        logger.debug("follow-up %r rewritten as %r", question, rewritten)
        return rewritten or question


def clean_rewrite(reply: str) -> str:
    """The question in a rewrite reply: first non-empty line, without a label or quotes."""
    line = next((line for line in reply.splitlines() if line.strip()), "")
    return _LABEL.sub("", line).strip().strip("\"'`").strip()
