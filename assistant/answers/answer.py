"""The answer to one question, whichever engine produced it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Answer:
    """What the assistant says, and the evidence behind it.

    Attributes:
        question: The question as the user asked it.
        engine: ``"llm"`` or ``"offline"``.
        text: The explanation in words, with units.
        cypher: The statement that ran (after the guard), or ``None``.
        params: Its parameters.
        rows: The rows it returned.
        caveats: Things the user must know: unmeasured zeros, truncated rows,
            refused statements, a fallback from one engine to the other.
        truncated: More rows existed than the row cap allowed.
        standalone_question: A follow-up rewritten into a standalone question.
        answered: False when the question could not be answered from the graph.
        interpretation: What the engine understood, in words ("understood as: the
            model with the lowest training carbon ..."); for the LLM engine the
            question it asked the graph and its Cypher.
        pareto: For a trade-off question, the chart of its Pareto front:
            ``{"x": column, "y": column, "x_better": "lower"|"higher",
            "y_better": ..., "front": [model names], "name": column}``; rows
            hold the measured models, the front among them.
        left_out_unmeasured: Result column -> how many matching models were left
            out because that carbon or energy was 0 or missing (not measured).
        model_text: The LLM's own sentence about the rows, before anything was added to it; the verifier checks
            it. None when the application wrote the text.
    """

    question: str
    engine: str
    text: str
    cypher: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    truncated: bool = False
    standalone_question: str | None = None
    answered: bool = True
    interpretation: str = ""
    pareto: dict[str, Any] | None = None
    left_out_unmeasured: dict[str, int] = field(default_factory=dict)
    model_text: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The ``mrm3 ask --json`` contract: question, engine, cypher, rows, answer (+ interpretation, answered,
        notes: the caveats the text output prints)."""
        # Imported here so that the answer type does not load the neo4j driver (``mrm3 --help`` stays fast).
        from assistant.graph.connection import to_plain

        return {
            "question": self.question,
            "engine": self.engine,
            "cypher": self.cypher,
            "rows": [to_plain(row) for row in self.rows],
            "answer": self.text,
            "interpretation": self.interpretation,
            "answered": self.answered,
            "notes": list(self.caveats),
        }
