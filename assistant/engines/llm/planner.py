"""Plan first: the LLM fills the typed plan (a tool call or structured output), checked, repaired once.

The model is given the graph's allowed names (metrics with units, entity kinds
with example values, group keys) and the values the question mentions, and
fills :class:`~assistant.plan.model.QueryPlan` through langchain's
``with_structured_output``: a forced tool call (``Settings.llm_plan =
"tools"``) or ``response_format`` (``"json_schema"``). A plan that does not
parse or that the caller's ``check`` refuses (a name the graph does not offer)
goes back to the model once with the error, which names the allowed values.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import ValidationError

from assistant.config import Settings
from assistant.engines.llm.client import call_llm, read_prompt
from assistant.errors import InvalidPlanError, LLMUnavailableError
from assistant.plan.model import PlanChoices, QueryPlan, choices_text, plan_json_schema

logger = logging.getLogger(__name__)

T = TypeVar("T")
_METHODS = {"tools": "function_calling", "json_schema": "json_schema"}
_REFUSED_STATUS = (400, 422)
"""What a server without tool calling or structured output answers such a request with."""
ATTEMPTS = 2
"""The first plan and one repaired plan."""


@dataclass
class PlanOutcome(Generic[T]):
    """What planning gave: the checked plan, or why there is none.

    Attributes:
        plan: The model's plan, when it passed the check.
        checked: What ``check`` made of it (the engine's plan).
        errors: Each refused attempt's error, in order.
        cannot: The model's own reason when it said the plan cannot express the question.
    """

    plan: QueryPlan | None = None
    checked: T | None = None
    errors: list[str] = field(default_factory=list)
    cannot: str | None = None
    unsupported: bool = False
    """The endpoint refused tool calls or structured output (HTTP 400 or 422)."""


class Planner:
    """Asks the model for the typed plan of a question.

    Args:
        settings: The LLM settings (``llm_plan`` picks tool calling or structured output).
        llm: The chat model.
    """

    def __init__(self, settings: Settings, llm: BaseChatModel) -> None:
        self.settings = settings
        self.llm = llm
        self.prompt = read_prompt("plan.txt")
        self.repair = read_prompt("plan_repair.txt")

    @property
    def enabled(self) -> bool:
        """False when ``MRM3_LLM_PLAN=off``: the LLM writes raw Cypher only."""
        return self.settings.llm_plan in _METHODS

    def plan(
        self, question: str, choices: PlanChoices, linked_values: str, check: Callable[[QueryPlan], T]
    ) -> PlanOutcome[T]:
        """The checked plan of ``question``, after at most one repair.

        Args:
            question: The standalone question.
            choices: What the graph offers.
            linked_values: The graph values the question mentions, as prompt lines.
            check: Turns a plan into the engine's plan, raising :class:`InvalidPlanError` when it names what the
                graph does not offer.

        Raises:
            LLMUnavailableError: The model cannot be reached.
        """
        schema = plan_json_schema(choices)
        structured = self.llm.with_structured_output(schema, method=_METHODS[self.settings.llm_plan], include_raw=True)
        outcome: PlanOutcome[T] = PlanOutcome()
        repair = ""
        for _ in range(ATTEMPTS):
            system = self.prompt.format(choices=choices_text(choices), linked_values=linked_values, repair=repair)
            messages = [SystemMessage(system), HumanMessage(question)]
            try:
                reply = call_llm(self.settings, functools.partial(structured.invoke, messages))
            except LLMUnavailableError as e:
                if getattr(e.__cause__, "status_code", None) not in _REFUSED_STATUS:
                    raise
                # A model or server without tool calling / structured output: raw Cypher, verified, instead.
                outcome.errors.append(f"the endpoint refused the plan request ({e})")
                outcome.unsupported = True
                return outcome
            assert isinstance(reply, dict)  # include_raw=True: {"raw", "parsed", "parsing_error"}
            sent, error = self._read(reply)
            if error is None and sent is not None:
                if sent.answer == "cannot":
                    outcome.cannot = sent.cannot_answer or "the model gave no reason"
                    return outcome
                try:
                    outcome.plan, outcome.checked = sent, check(sent)
                    return outcome
                except InvalidPlanError as e:
                    error = str(e)
            outcome.errors.append(error or "no plan")
            logger.info("plan refused: %s", error)
            shown = sent.model_dump_json(exclude_defaults=True) if sent is not None else _raw_text(reply)
            repair = self.repair.format(error=error, plan=shown)
        return outcome

    @staticmethod
    def _read(reply: dict[str, Any]) -> tuple[QueryPlan | None, str | None]:
        """The plan in the model's reply, or the reason there is none."""
        parsed = reply.get("parsed")
        if parsed is None:
            why = reply.get("parsing_error")
            return None, f"the reply held no plan that parses ({why or 'no tool call or JSON object'})"
        try:
            return QueryPlan.model_validate(parsed), None
        except ValidationError as e:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'plan'}: {err['msg']}" for err in e.errors()
            )
            return None, f"the plan does not fit its schema ({problems})"


def _raw_text(reply: dict[str, Any]) -> str:
    raw = reply.get("raw")
    calls = getattr(raw, "tool_calls", None) or getattr(raw, "invalid_tool_calls", None)
    if calls:
        return json.dumps([c.get("args") for c in calls], default=str)[:500]
    return str(getattr(raw, "content", "") or "(empty)")[:500]
