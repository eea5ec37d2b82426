"""The one place a question comes in: pick the engine, keep the conversation, fall back.

``engine="llm"`` has the LLM fill the typed plan, or write Cypher that is verified before it is shown
(:mod:`assistant.engines.checked`);
``engine="offline"`` uses the rule-based engine, which needs no LLM;
``engine="auto"`` uses the LLM when one is configured, else the offline
engine, and falls back to the offline engine when the LLM cannot be reached
or its Cypher still fails after the repair attempt.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from assistant.answers.answer import Answer
from assistant.config import Settings
from assistant.engines.conversation import Conversation
from assistant.errors import AssistantError, ConfigError, LLMUnavailableError

# Types only here: the LLM chain (langchain, openai) and the driver take seconds to import. They load
# when an engine needs them, so `mrm3 --help` loads neither and `ask --engine offline` not the LLM chain.
if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.engines.checked import CheckedLLM
    from assistant.engines.llm.chain import CypherQA
    from assistant.engines.offline.engine import OfflineEngine
    from assistant.graph.connection import Graph
    from assistant.graph.introspect import SchemaCache

logger = logging.getLogger(__name__)

ENGINES = ("auto", "llm", "offline")


class Assistant:
    """Answers questions about the graph with the chosen engine.

    Args:
        settings: LLM endpoint, row cap, timeouts, repair attempts.
        graph: The graph to question.
        schema_cache: The live schema; one is made for ``graph`` when omitted
            (share one between assistants, and invalidate it after an ingest).
        llm: A chat model to use instead of the one ``settings`` describe.
    """

    def __init__(
        self,
        settings: Settings,
        graph: Graph,
        *,
        schema_cache: SchemaCache | None = None,
        llm: BaseChatModel | None = None,
    ) -> None:
        from assistant.graph.introspect import SchemaCache

        self.settings = settings
        self.graph = graph
        self.schema_cache = schema_cache if schema_cache is not None else SchemaCache(graph)
        self._llm = llm
        self._qa: CypherQA | None = None
        self._checked: CheckedLLM | None = None
        self._offline: OfflineEngine | None = None

    def ask(self, question: str, *, engine: str = "auto", conversation: Conversation | None = None) -> Answer:
        """Answer one question.

        Args:
            question: The question as the user typed it.
            engine: ``"auto"``, ``"llm"`` or ``"offline"``.
            conversation: The chat this question belongs to; follow-ups are
                rewritten with its history (by the LLM, or by the offline
                engine's follow-up rules), and the answer is added to it.

        Raises:
            ConfigError: Unknown engine.
            LLMUnavailableError: ``engine="llm"`` and the LLM is not configured
                or cannot be reached.
            GraphUnavailableError: The graph server cannot be reached.
        """
        question = " ".join(question.split())
        if not question:
            raise AssistantError("The question is empty - ask e.g. 'Which model is greenest on lumos5g?'")
        if engine not in ENGINES:
            raise ConfigError(f"Unknown engine {engine!r} - use one of {', '.join(ENGINES)}")
        if engine == "offline":
            answer = self._ask_offline_in(question, conversation)
        elif engine == "llm":
            answer = self._ask_llm(question, conversation)
        else:
            answer = self._ask_auto(question, conversation)
        if conversation is not None:
            conversation.add(answer)
        return answer

    def cypher_qa(self) -> CypherQA:
        """The LLM engine (built on first use).

        Raises:
            LLMUnavailableError: No LLM is configured.
        """
        if self._qa is None:
            from assistant.engines.llm.chain import CypherQA

            self._qa = CypherQA(self.settings, self.graph, self.schema_cache, llm=self._llm)
        return self._qa

    def llm_engine(self) -> CheckedLLM:
        """The LLM engine: plan first, raw Cypher verified, cross-checked with the offline engine (built on first use).

        Raises:
            LLMUnavailableError: No LLM is configured.
        """
        if self._checked is None:
            from assistant.engines.checked import CheckedLLM

            self._checked = CheckedLLM(self.cypher_qa(), self.offline_engine())
        return self._checked

    def offline_engine(self) -> OfflineEngine:
        """The offline engine (built on first use)."""
        if self._offline is None:
            from assistant.engines.offline.engine import OfflineEngine

            self._offline = OfflineEngine(self.graph, self.schema_cache, self.settings)
        return self._offline

    def _ask_llm(self, question: str, conversation: Conversation | None) -> Answer:
        engine = self.llm_engine()
        standalone = conversation.standalone(question, engine.llm, self.settings) if conversation else question
        return engine.answer(standalone, asked=question)

    def _ask_offline(self, question: str, *, asked: str | None = None) -> Answer:
        answer = self.offline_engine().answer(question)
        if asked is not None and asked != question:
            answer.question, answer.standalone_question = asked, question
        return answer

    def _ask_offline_in(self, question: str, conversation: Conversation | None) -> Answer:
        if conversation is not None and conversation.turns:
            standalone = self.offline_engine().standalone(question, conversation.turns[-1].standalone)
            if standalone:
                return self._ask_offline(standalone, asked=question)
        return self._ask_offline(question)

    def _ask_auto(self, question: str, conversation: Conversation | None) -> Answer:
        if not self.settings.llm_configured:
            return self._ask_offline_in(question, conversation)
        try:
            answer = self._ask_llm(question, conversation)
        except LLMUnavailableError as e:
            return self._fallback(question, question, f"the LLM is unavailable ({e})")
        if answer.answered:
            return answer
        flagged = [c.removeprefix("Not verified: ") for c in answer.caveats if c.startswith("Not verified: ")]
        if flagged:
            why = f"the LLM's answer failed verification ({'; '.join(flagged)})"
        else:
            why = f"the LLM's Cypher did not work ({_first_failure(answer)})"
        return self._fallback(answer.standalone_question or question, question, why)

    def _fallback(self, standalone: str, asked: str, reason: str) -> Answer:
        logger.info("falling back to the offline engine: %s", reason)
        answer = self._ask_offline(standalone, asked=asked)
        answer.caveats.insert(0, f"Answered by the offline engine because {reason}.")
        return answer


def _first_failure(answer: Answer) -> str:
    """The first caveat that says what failed (not the note on why raw Cypher was written)."""
    failures = [
        c for c in answer.caveats if not c.startswith(("Answered from the model's own Cypher", "The LLM filled"))
    ]
    return failures[0] if failures else answer.text
