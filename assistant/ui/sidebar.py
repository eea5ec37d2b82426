"""The sidebar: the graph server, the engine, example questions, the schema, uploads."""

from __future__ import annotations

import logging
import math
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.graph.connection import Graph
from assistant.graph.introspect import schema_text
from assistant.graph.schema import GraphSchema
from assistant.ui import session
from assistant.ui.uploads import ACCEPTED_TYPES, Upload, ingest_uploads, report_summary

logger = logging.getLogger(__name__)

MAX_EXAMPLES = 6
MAX_PROBLEMS_SHOWN = 50
# Edge boards make the most telling speed question; prefer them when present.
_EDGE_WORDS = ("raspberry", "jetson", "arm", "cortex")


def safe_uri(uri: str) -> str:
    """``uri`` without a user name or password (``bolt://u:p@host`` -> ``bolt://host``)."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "(unreadable address)"
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def server_description(settings: Settings, graph: Graph) -> str:
    """Where the graph lives, safe to show: the embedded server or the Neo4j URI without secrets."""
    if graph.embedded:
        return f"Embedded graph server at {safe_uri(graph.description.split(' ')[0])}, data in `{settings.home}`"
    return f"Neo4j at {safe_uri(graph.description)}" + (
        f", database `{settings.neo4j_database}`" if settings.neo4j_database else ""
    )


def _values(schema: GraphSchema, label: str, prop: str) -> list[str]:
    info = schema.node_properties.get(label, {}).get(prop)
    return sorted(info.values) if info else []


def carbon_budget(schema: GraphSchema) -> float | None:
    """A round training-carbon budget (a power of ten, g CO2) that splits the catalog, or ``None``."""
    info = schema.node_properties.get("ModelTraining", {}).get("carbonFootprint")
    if info is None or not info.maximum or info.maximum <= 0:
        return None
    # Half the decades of the largest footprint: 1 g for MRM3's few grams, 100 g for kilogram models.
    return float(10 ** round(math.log10(info.maximum) / 2))


def example_questions(schema: GraphSchema, *, llm: bool = False) -> list[str]:
    """Questions that fit the catalog in the graph, built from its own values.

    Datasets and devices come from the live schema (the low-cardinality values
    of ``Dataset.name`` and ``Device.processor``), metric names from the
    ``ModelTraining`` properties, so a new catalog gets questions about itself.
    The trade-off question (two metrics, a scatter) needs the LLM engine.
    """
    datasets = _values(schema, "Dataset", "name")
    processors = _values(schema, "Device", "processor")
    training = schema.properties_of("ModelTraining")
    questions = []
    if datasets and "carbonFootprint" in training:
        questions.append(f"Which model has the lowest training carbon footprint on {datasets[0]}?")
    budget = carbon_budget(schema)
    if "accuracy_mean" in training and budget is not None:
        questions.append(f"What is the most accurate model under {budget:g} g CO2?")
    elif "r_squared_mean" in training and datasets:
        questions.append(f"Which model has the best r squared on {datasets[-1]}?")
    if processors:
        edge = [p for p in processors if any(word in p.lower() for word in _EDGE_WORDS)]
        questions.append(f"Which models run fastest on the {(edge or processors)[0]}?")
    if schema.node_counts.get("ModelArchitecture") and "carbonFootprint" in training:
        questions.append("What is the average training carbon footprint per architecture?")
    if datasets:
        questions.append("How many models were trained on each dataset?")
    if llm and "accuracy_mean" in training and "carbonFootprint" in training:
        questions.append("Compare the accuracy and training carbon footprint of the models.")
    return questions[:MAX_EXAMPLES]


def _server(settings: Settings, graph: Graph, schema: GraphSchema) -> None:
    st.subheader("Graph")
    st.caption(server_description(settings, graph))
    if schema.node_counts:
        counts = " · ".join(f"{label} {count:,}" for label, count in sorted(schema.node_counts.items()))
        st.caption(counts)
    else:
        st.caption("The graph is empty.")


def _engine(settings: Settings) -> None:
    st.subheader("Engine")
    if not settings.llm_configured:
        st.session_state[session.ENGINE] = "offline"
        st.caption("Offline engine: answers from built-in question patterns, no LLM configured.")
        return
    where = f" at {safe_uri(settings.openai_base_url)}" if settings.openai_base_url else ""
    labels = {
        "auto": f"LLM {settings.openai_model}, offline as fallback",
        "llm": f"LLM only ({settings.openai_model}{where})",
        "offline": "Offline (no LLM)",
    }
    st.radio("Who answers", list(labels), format_func=labels.__getitem__, key=session.ENGINE)


def _examples(settings: Settings, schema: GraphSchema) -> None:
    questions = example_questions(schema, llm=settings.llm_configured)
    if not questions:
        return
    st.subheader("Try asking")
    for i, question in enumerate(questions):
        st.button(question, key=f"example-{i}", on_click=session.queue_question, args=(question,), width="stretch")


def _schema(schema: GraphSchema) -> None:
    with st.expander("Graph schema"):
        st.code(schema_text(schema), language=None)


def _upload(settings: Settings, graph: Graph) -> None:
    st.subheader("Add model cards")
    generation = st.session_state.setdefault(session.UPLOADER_GENERATION, 0)
    files = st.file_uploader(
        "MRM3 cards (.json), Hugging Face cards (MODEL.md), CodeCarbon logs (.csv) or a .zip of them",
        type=list(ACCEPTED_TYPES),
        accept_multiple_files=True,
        key=f"uploader-{generation}",
    )
    strict = st.checkbox("Strict: reject incomplete entries", key="upload-strict")
    if st.button("Ingest", disabled=not files, key="upload-ingest"):
        uploads = [Upload(f.name, f.getvalue()) for f in files or []]
        try:
            with st.spinner("Validating and ingesting…"):
                report = ingest_uploads(graph, uploads, strict=strict)
        except AssistantError as e:
            st.error(str(e))
            return
        session.invalidate_schema(settings)
        st.session_state[session.UPLOAD_REPORT] = report
        # A fresh uploader key empties the box, so the same files are not ingested twice.
        st.session_state[session.UPLOADER_GENERATION] = generation + 1
        st.rerun()
    show_report()


def show_report() -> None:
    """The last upload's report: the CLI's summary, rejected files and warnings."""
    report = session.upload_report()
    if report is None:
        return
    summary = report_summary(report)
    (st.success if report.ok else st.error)(summary)
    for problem in report.rejected[:MAX_PROBLEMS_SHOWN]:
        st.error(f"rejected: {problem}")
    for problem in report.warnings[:MAX_PROBLEMS_SHOWN]:
        st.warning(f"warning: {problem}")
    hidden = max(0, len(report.rejected) - MAX_PROBLEMS_SHOWN) + max(0, len(report.warnings) - MAX_PROBLEMS_SHOWN)
    if hidden:
        st.caption(f"… and {hidden} more; 'mrm3 validate' lists them all.")


def render(settings: Settings, graph: Graph, schema: GraphSchema) -> None:
    """Draw the whole sidebar (call inside ``with st.sidebar``)."""
    _server(settings, graph, schema)
    _engine(settings)
    st.button("New conversation", key="new-conversation", on_click=session.reset_chat)
    _examples(settings, schema)
    _schema(schema)
    _upload(settings, graph)
