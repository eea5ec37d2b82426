"""The mrm3 chat page: ``mrm3 ui`` (or ``streamlit run streamlit_app.py``).

Layout and widgets only; the logic lives in :mod:`assistant.ui`. Settings
come from the environment and ``.env``, as for the CLI.
"""

from __future__ import annotations

import logging
import os
import sys

import streamlit as st
from dotenv import load_dotenv

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.ui import chat, session, sidebar

st.set_page_config(page_title="MRM3 model assistant", page_icon="🌱", layout="wide")

load_dotenv()
RAISE_ERRORS = bool(os.environ.get("MRM3_RAISE_ERRORS"))
if not logging.getLogger().handlers:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)

st.title("MRM3 model assistant")
st.caption(
    "Ask which machine-learning model fits: the greenest, the most accurate under a carbon budget, "
    "the fastest on an edge board. Every answer shows the Cypher that ran and the rows behind it."
)

try:
    settings = Settings.from_env()
    graph = session.graph_for(settings)
    schema = session.schema_cache_for(settings).get()
    assistant = session.assistant_for(settings)
except AssistantError as e:
    if RAISE_ERRORS:
        raise
    st.error(str(e), icon="🚫")
    st.stop()

with st.sidebar:
    sidebar.render(settings, graph, schema)

if schema.is_empty:
    st.info("The graph is empty: run `mrm3 demo` for the sample catalog, or add model cards in the sidebar.")

for turn in session.turns():
    chat.show_turn(turn)

question = st.chat_input("Ask about the models, e.g. which is greenest on a dataset") or session.pending_question()
if question:
    with st.chat_message("user"):
        chat.show_question(question)
    with st.chat_message("assistant"):
        with st.spinner("Thinking…"):
            turn = chat.ask(
                assistant,
                question,
                engine=session.engine(),
                conversation=session.conversation(),
                raise_errors=RAISE_ERRORS,
            )
        chat.show_reply(turn)
    session.turns().append(turn)
