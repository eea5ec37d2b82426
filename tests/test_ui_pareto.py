"""The page shows what the engine understood and an answer's Pareto front (pure parts, then AppTest).

The chart of a trade-off answer follows ``Answer.pareto`` (the engine's objectives,
directions and front), not the column-name guess of :func:`choose_chart`.
"""

from __future__ import annotations

import json

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from assistant.answers.answer import Answer
from assistant.answers.pareto import trade_off
from assistant.graph.connection import Graph
from assistant.ui.charts import BEST, CHOSEN, OTHER, altair_chart, pareto_chart
from assistant.ui.chat import answer_chart, interpretation_caption
from assistant.ui.session import TURNS
from tests.fake_llm import FakeLLM
from tests.ui_page import TRADE_OFF, assert_no_traceback, charts, start_page

# sample_graph, page_env, llm_env, fresh_caches (and fake_llm)
pytest_plugins = ("tests.ui_fixtures",)

ROWS = [
    {"model": "big", "accuracy": 0.95, "training_carbon_g": 9.0},
    {"model": "small", "accuracy": 0.80, "training_carbon_g": 1.0},
    {"model": "worse", "accuracy": 0.78, "training_carbon_g": 5.0},
    {"model": "middle", "accuracy": 0.90, "training_carbon_g": 3.0},
    {"model": "unmetered", "accuracy": 0.99, "training_carbon_g": 0.0},
]
PARETO = {
    "x": "training_carbon_g",
    "y": "accuracy",
    "x_better": "lower",
    "y_better": "higher",
    "front": ["big", "small", "middle"],
    "name": "model",
}


def test_the_front_of_the_rows_is_the_non_dominated_measured_models() -> None:
    assert trade_off(ROWS) == PARETO


def test_an_answers_pareto_front_is_drawn_highlighted_and_connected() -> None:
    spec = pareto_chart(ROWS, PARETO)
    assert spec is not None and spec.kind == "scatter" and spec.connect_front
    status = {d["label"]: d["status"] for d in spec.data}
    assert status == {"big": BEST, "small": BEST, "worse": OTHER, "middle": BEST}
    assert spec.unmeasured == ("unmetered",)  # listed beside the chart, never drawn at 0
    vega = json.dumps(altair_chart(spec).to_dict())
    assert '"line"' in vega and '"circle"' in vega and BEST in vega
    assert spec.note is not None and "Pareto front, connected" in spec.note


def test_a_decision_chart_highlights_the_choice_spaces_its_labels_and_goes_log_over_two_decades() -> None:
    rows = [
        {"model": "huge", "accuracy": 0.96, "training_carbon_g": 5000.0},
        {"model": "big", "accuracy": 0.955, "training_carbon_g": 900.0},
        {"model": "twin", "accuracy": 0.9549, "training_carbon_g": 899.0},
        {"model": "small", "accuracy": 0.80, "training_carbon_g": 1.0},
    ]
    pareto = {
        "x": "training_carbon_g", "y": "accuracy", "x_better": "lower", "y_better": "higher", "name": "model",
        "front": ["huge", "big", "twin", "small"], "chosen": "twin", "rule": "the best carbon within 1%",
    }  # fmt: skip
    spec = pareto_chart(rows, pareto)
    assert spec is not None and spec.log_x and not spec.log_y  # 1 g to 5 kg: more than two decades
    by_label = {d["label"]: d for d in spec.data}
    assert by_label["twin"]["status"] == CHOSEN and by_label["twin"]["show_label"]
    assert not by_label["big"]["show_label"]  # on top of the chosen one: left to its tooltip
    assert by_label["small"]["show_label"] == "right" and by_label["huge"]["show_label"] == "left"  # inside the plot
    vega = json.dumps(altair_chart(spec).to_dict())
    assert '"log"' in vega and CHOSEN in vega
    assert spec.note is not None and "chosen: twin" in spec.note


def test_a_resource_cost_goes_across_against_the_first_quality_or_error() -> None:
    rows = [
        {"model": "a", "mae": 0.2, "r_squared": 0.9, "training_carbon_g": 2.0},
        {"model": "b", "mae": 0.3, "r_squared": 0.8, "training_carbon_g": 1.0},
    ]
    pareto = trade_off(rows)
    assert pareto is not None and (pareto["x"], pareto["y"]) == ("training_carbon_g", "mae")
    assert pareto["y_better"] == "lower" and pareto["front"] == ["a", "b"]


def test_the_chart_follows_the_engines_objectives_not_the_column_names() -> None:
    # Two costs: choose_chart would draw bars; the answer says it is a trade-off of latency and energy.
    rows = [
        {"model": "a", "latency_s": 0.1, "energy_per_inference_j": 0.003},
        {"model": "b", "latency_s": 0.3, "energy_per_inference_j": 0.001},
        {"model": "c", "latency_s": 0.4, "energy_per_inference_j": 0.002},
    ]
    pareto = trade_off(rows)
    assert pareto is not None and pareto["front"] == ["a", "b"]
    spec = answer_chart(Answer("q", "llm", "t", rows=rows, pareto=pareto))
    assert spec is not None and spec.kind == "scatter" and spec.connect_front
    assert {d["label"] for d in spec.data if d["status"] == BEST} == {"a", "b"}
    assert answer_chart(Answer("q", "llm", "t", rows=rows)).kind == "bar"  # type: ignore[union-attr]


def test_a_name_repeated_on_several_runs_marks_only_its_non_dominated_run() -> None:
    rows = [
        {"model": "a", "accuracy": 0.9, "latency_s": 1.0},
        {"model": "a", "accuracy": 0.9, "latency_s": 2.0},
        {"model": "b", "accuracy": 0.8, "latency_s": 0.5},
    ]
    pareto = {**PARETO, "x": "latency_s", "front": ["a", "b"]}
    spec = pareto_chart(rows, pareto)
    assert spec is not None
    assert [d["status"] for d in spec.data] == [BEST, OTHER, BEST]


@pytest.mark.parametrize(
    ("answer", "caption"),
    [
        (
            Answer(
                "q", "llm", "t", interpretation="asked the graph: Which model is greenest?\nCypher: MATCH (m) RETURN m"
            ),
            "asked the graph: Which model is greenest?  \nCypher: MATCH \\(m\\) RETURN m",
        ),
        (
            Answer("q", "offline", "t", interpretation="understood as: the model with the lowest training carbon"),
            "understood as: the model with the lowest training carbon",
        ),
        (
            Answer("and on umu?", "offline", "t", standalone_question="greenest on umu"),
            "Understood as: greenest on umu",
        ),
        (Answer("q", "offline", "t"), None),
    ],
    ids=["LLM: question and Cypher", "offline", "a follow-up without one", "nothing to say"],
)
def test_the_interpretation_caption(answer: Answer, caption: str | None) -> None:
    assert interpretation_caption(answer) == caption


@pytest.mark.usefixtures("fresh_caches")
def test_a_trade_off_question_on_the_page_shows_the_interpretation_and_the_connected_front(
    sample_graph: Graph, llm_env: FakeLLM
) -> None:
    llm_env.enqueue(TRADE_OFF, "The best trade-offs are ...")
    at = start_page()

    at.chat_input[0].set_value("What is the trade-off between accuracy and training carbon?").run()

    assert_no_traceback(at)
    reply = at.chat_message[1]
    captions = [c.value for c in reply.caption]
    assert any(c.startswith("asked the graph: What is the trade") and "Cypher: MATCH" in c for c in captions)
    (spec,) = charts(at)
    text = json.dumps(spec)
    assert '"line"' in text and "best trade-off" in text
    # The answer's front is the one computed from the rows, measured values only, and it is on the chart.
    (turn,) = at.session_state[TURNS]
    assert turn.answer.pareto == trade_off(sample_graph.read(TRADE_OFF))
    assert turn.answer.pareto["front"]
    (chart,) = at.get("vega_lite_chart")
    points = convert_arrow_bytes_to_pandas_df(chart.proto.data.data)  # the page sends the points as Arrow
    marked = {label for label, status in zip(points["label"], points["status"], strict=True) if status == BEST}
    assert marked == set(turn.answer.pareto["front"])
    assert any("Pareto front, connected" in c for c in captions)


@pytest.mark.usefixtures("fresh_caches")
def test_a_plain_question_on_the_page_has_no_front(sample_graph: Graph, llm_env: FakeLLM) -> None:
    llm_env.enqueue(TRADE_OFF, "Here is accuracy against training carbon.")
    at = start_page()

    at.chat_input[0].set_value("Compare the accuracy and training carbon footprint of the models.").run()

    assert_no_traceback(at)
    (spec,) = charts(at)
    assert '"line"' not in json.dumps(spec) and "best trade-off" in json.dumps(spec)


@pytest.mark.usefixtures("fresh_caches")
def test_the_offline_engine_draws_its_front_and_says_what_it_understood(
    sample_graph: Graph, page_env: dict[str, str]
) -> None:
    at = start_page()

    at.chat_input[0].set_value("best accuracy for its carbon").run()

    assert_no_traceback(at)
    captions = [c.value for c in at.chat_message[1].caption]
    assert any(c.startswith("understood as: the Pareto front") for c in captions)
    (turn,) = at.session_state[TURNS]
    assert turn.answer.engine == "offline" and turn.answer.pareto is not None
    front = {row["model"] for row in turn.answer.rows if row["on_pareto_front"]}
    assert front and set(turn.answer.pareto["front"]) == front and len(turn.answer.rows) > len(front)
    (chart,) = at.get("vega_lite_chart")
    points = convert_arrow_bytes_to_pandas_df(chart.proto.data.data)
    marked = {label for label, status in zip(points["label"], points["status"], strict=True) if status == BEST}
    assert marked == front
