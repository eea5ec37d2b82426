"""Resources shared by every browser session, and the state of one session.

The driver, the schema cache and the assistant are built once per process
and per :class:`Settings` (``st.cache_resource``); the conversation, the
chosen engine and the last upload report live in ``st.session_state``, one
per browser tab.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from assistant.config import Settings
from assistant.graph.connection import Graph, connect
from assistant.graph.introspect import SchemaCache

if TYPE_CHECKING:
    from assistant.answers.answer import Answer
    from assistant.engines.conversation import Conversation
    from assistant.engines.router import Assistant
    from ingest.ingester import IngestReport

logger = logging.getLogger(__name__)

TURNS = "mrm3_turns"
CONVERSATION = "mrm3_conversation"
ENGINE = "mrm3_engine"
PENDING = "mrm3_pending_question"
UPLOAD_REPORT = "mrm3_upload_report"
UPLOADER_GENERATION = "mrm3_uploader_generation"


def _close(graph: Graph) -> None:
    graph.close()


@st.cache_resource(show_spinner="Connecting to the graph server…", on_release=_close)
def graph_for(settings: Settings) -> Graph:
    """The writer's driver for ``settings`` (uploads), shared by every session.

    The embedded server is started when needed. A failed connection is not
    cached, so the next page run tries again.

    Raises:
        GraphUnavailableError: The server cannot be reached or started.
        ConfigError: Credentials are missing or refused.
    """
    logger.info("connecting to the graph server")
    return connect(settings)


@st.cache_resource(show_spinner="Connecting to the graph server…", on_release=_close)
def reader_for(settings: Settings) -> Graph:
    """The read-only account's driver for ``settings`` (questions, schema), shared by every session.

    Raises:
        GraphUnavailableError: The server cannot be reached or started.
        ConfigError: Credentials are missing or refused.
    """
    logger.info("connecting to the graph server with the read-only account")
    return connect(settings, read_only=True)


@st.cache_resource(show_spinner=False)
def schema_cache_for(settings: Settings) -> SchemaCache:
    """The schema cache of the graph for ``settings`` (thread-safe, shared)."""
    return SchemaCache(reader_for(settings))


@st.cache_resource(show_spinner="Loading the assistant…")
def assistant_for(settings: Settings) -> Assistant:
    """The question-answering assistant for ``settings``, shared by every session."""
    from assistant.engines.router import Assistant

    # One schema cache for the sidebar and the engines: one invalidation reaches both.
    return Assistant(settings, reader_for(settings), schema_cache=schema_cache_for(settings))


def invalidate_schema(settings: Settings) -> None:
    """Forget the cached schema of this graph (after an ingest), for every session."""
    schema_cache_for(settings).invalidate()


@dataclass
class Turn:
    """One question and what came back: an answer, or a message saying what went wrong."""

    question: str
    answer: Answer | None = None
    error: str | None = None


def turns() -> list[Turn]:
    """This session's chat, oldest first."""
    history: list[Turn] = st.session_state.setdefault(TURNS, [])
    return history


def conversation() -> Conversation:
    """This session's conversation (history for follow-up questions)."""
    from assistant.engines.conversation import Conversation

    if CONVERSATION not in st.session_state:
        st.session_state[CONVERSATION] = Conversation()
    current: Conversation = st.session_state[CONVERSATION]
    return current


def reset_chat() -> None:
    """Start a new conversation (the button in the sidebar)."""
    st.session_state.pop(TURNS, None)
    st.session_state.pop(CONVERSATION, None)


def queue_question(question: str) -> None:
    """Ask ``question`` on the next run (an example question was clicked)."""
    st.session_state[PENDING] = question


def pending_question() -> str | None:
    """The queued question, once."""
    question: str | None = st.session_state.pop(PENDING, None)
    return question


def engine() -> str:
    """The engine this session asks: ``"auto"``, ``"llm"`` or ``"offline"``."""
    chosen: str = st.session_state.get(ENGINE, "auto")
    return chosen


def upload_report() -> IngestReport | None:
    """The report of this session's last upload."""
    report: IngestReport | None = st.session_state.get(UPLOAD_REPORT)
    return report
