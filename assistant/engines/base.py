"""The one interface both question engines offer, as neo4j-graphrag's retrievers share one ``search()``."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from assistant.answers.answer import Answer


@runtime_checkable
class QuestionEngine(Protocol):
    """Turns one standalone question into Cypher, runs it through the guard and explains the rows.

    Attributes:
        name: ``"offline"`` or ``"llm"``; it is the ``engine`` of every :class:`Answer` it gives.
    """

    name: str

    def answer(self, question: str) -> Answer:
        """Answer ``question`` from the graph, or decline honestly (``Answer.answered`` is False).

        Raises:
            GraphUnavailableError: The graph server cannot be reached.
            LLMUnavailableError: The engine needs an LLM that cannot be reached.
        """
        ...
