"""One chat turn: ask the assistant, and show the answer with its evidence.

An answer shows what the engine understood (its ``interpretation``) as a
caption, the explanation, any caveats (unmeasured zeros, cut results, refused
statements) as visible warnings, the Cypher that ran in a collapsible block,
the rows as a table, and a chart: the answer's Pareto front when it has one,
else one that :mod:`assistant.ui.charts` finds fitting. An error becomes one friendly message; no traceback reaches
the page.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from assistant.errors import AssistantError
from assistant.graph.connection import to_plain
from assistant.ui.charts import ChartSpec, altair_chart, choose_chart, pareto_chart
from assistant.ui.session import Turn

if TYPE_CHECKING:
    from assistant.answers.answer import Answer
    from assistant.engines.conversation import Conversation
    from assistant.engines.router import Assistant

logger = logging.getLogger(__name__)

UNEXPECTED = (
    "Something went wrong while answering - the details are in the server log. "
    "Try rephrasing the question, or set MRM3_RAISE_ERRORS=1 to debug."
)


def ask(
    assistant: Assistant,
    question: str,
    *,
    engine: str,
    conversation: Conversation | None,
    raise_errors: bool = False,
) -> Turn:
    """Ask ``question`` and return the turn to show, an error message included.

    Args:
        assistant: Answers the question.
        question: What the user typed.
        engine: ``"auto"``, ``"llm"`` or ``"offline"``.
        conversation: The session's history, for follow-ups.
        raise_errors: Re-raise instead of turning errors into messages (debugging).
    """
    try:
        answer = assistant.ask(question, engine=engine, conversation=conversation)
    except AssistantError as e:
        if raise_errors:
            raise
        # AssistantError messages are written for users and carry no secrets.
        logger.info("question failed: %s", e)
        return Turn(question, error=str(e))
    except Exception:
        if raise_errors:
            raise
        # The traceback goes to the server log only, never to the page.
        logger.exception("unexpected error while answering a question")
        return Turn(question, error=UNEXPECTED)
    return Turn(question, answer=answer)


def _escape_markdown(text: str) -> str:
    # The user's own words are shown as typed, not as Markdown.
    return re.sub(r"([\\`*_{}\[\]<>()#+\-.!|~])", r"\\\1", text)


def _cell(value: Any) -> Any:
    # Arrow tables need one type per column; maps and lists become JSON text.
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def rows_frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The rows as a table, columns in first-seen order, dates as ISO strings."""
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    plain = [to_plain(row) for row in rows]
    return pd.DataFrame([{c: _cell(row.get(c)) for c in columns} for row in plain], columns=columns)


def _caveats(answer: Answer) -> list[str]:
    caveats = list(answer.caveats)
    if answer.truncated and not any("row" in c.lower() for c in caveats):
        caveats.append(f"Only the first {len(answer.rows)} rows are shown; there may be more.")
    return caveats


def text_without_caveats(text: str, caveats: Sequence[str]) -> str:
    """``text`` without the caveats it repeats (the page shows each one as a warning instead).

    Engines also write caveats into the text ("... Note: 2 models report 0 g CO2 ..."),
    which the CLI needs; on the page the warning box says it once.
    """
    trimmed = text
    for caveat in caveats:
        if caveat.strip():
            trimmed = re.sub(r"\s*(?:Notes?:\s*)?" + re.escape(caveat.strip()), "", trimmed)
    return trimmed.strip() or text


def interpretation_caption(answer: Answer) -> str | None:
    """What the engine understood, as caption Markdown (one line per line), or ``None``.

    The offline engine's reads "understood as: ..."; the LLM engine's is the
    question it asked the graph and its Cypher. An answer without one still
    shows how a follow-up was rewritten.
    """
    text = answer.interpretation.strip()
    if not text and answer.standalone_question and answer.standalone_question.strip() != answer.question.strip():
        text = f"Understood as: {answer.standalone_question}"
    if not text:
        return None
    return "  \n".join(_escape_markdown(line) for line in text.splitlines())


def answer_chart(answer: Answer) -> ChartSpec | None:
    """The chart of an answer: its Pareto front when the engine marked one, else the one the rows suit."""
    rows = [to_plain(row) for row in answer.rows]
    if answer.pareto:
        spec = pareto_chart(rows, answer.pareto)
        if spec is not None:
            return spec
    return choose_chart(rows)


MAX_LISTED = 12
"""Unmeasured models named beside a chart; the rest are counted."""


def unmeasured_list(spec: ChartSpec) -> str | None:
    """The models a chart leaves out for a value not measured, as Markdown, or ``None``."""
    if not spec.unmeasured:
        return None
    names = [f"- {_escape_markdown(n)}" for n in spec.unmeasured[:MAX_LISTED]]
    more = len(spec.unmeasured) - MAX_LISTED
    tail = [f"- ... and {more} more"] if more > 0 else []
    return "**Not measured** (not drawn):\n" + "\n".join(names + tail)


def _show_chart(spec: ChartSpec) -> None:
    listed = unmeasured_list(spec)
    if listed is None:
        st.altair_chart(altair_chart(spec), width="stretch")
    else:
        chart, side = st.columns([4, 1])
        chart.altair_chart(altair_chart(spec), width="stretch")
        side.markdown(listed)
    if spec.note:
        st.caption(spec.note)


def show_answer(answer: Answer) -> None:
    """Render one answer inside the current chat message."""
    caption = interpretation_caption(answer)
    if caption:
        st.caption(caption)
    caveats = _caveats(answer)
    text = text_without_caveats(answer.text, caveats)
    if answer.answered:
        st.markdown(text)
    else:
        st.info(text)
    for caveat in caveats:
        st.warning(caveat, icon="⚠️")
    if answer.cypher:
        with st.expander("Cypher that ran", expanded=False):
            st.code(answer.cypher, language="cypher")
            if answer.params:
                st.caption("Parameters")
                st.json(to_plain(answer.params), expanded=True)
    if answer.rows:
        st.dataframe(rows_frame(answer.rows), hide_index=True)
        spec = answer_chart(answer)
        if spec is not None:
            _show_chart(spec)
    elif answer.cypher and answer.answered:
        st.caption("The query returned no rows.")
    st.caption(f"Answered by the {answer.engine} engine")


def show_question(question: str) -> None:
    """Render the user's question (inside its chat message)."""
    st.markdown(_escape_markdown(question))


def show_reply(turn: Turn) -> None:
    """Render the answer or the error of ``turn`` (inside its chat message)."""
    if turn.error is not None:
        st.error(turn.error, icon="🚫")
    elif turn.answer is not None:
        show_answer(turn.answer)


def show_turn(turn: Turn) -> None:
    """Render one question and its reply as two chat messages."""
    with st.chat_message("user"):
        show_question(turn.question)
    with st.chat_message("assistant"):
        show_reply(turn)
