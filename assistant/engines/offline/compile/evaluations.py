"""Rankings on a dataset by the scores of Hugging Face ``model-index`` results (EvaluationResult nodes).

"Most accurate model on imdb" ranks each model's ``accuracy`` results on that dataset, never the
``accuracy_mean`` a card with one dataset also has on its training (which may be another dataset's).
Each model shows its best result, with the dataset configuration and split it was measured on; when the
ranked results come from different configurations or splits, or mix fractions with percentages, the
answer says that they are not directly comparable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import PurePath
from typing import Any

from assistant.engines.offline.compile.cypher_builder import Has, Statement, measured_condition
from assistant.engines.offline.compile.statements import SHOWN, base
from assistant.engines.offline.plan.understanding import Frame
from assistant.engines.offline.read.metrics import Metric, MetricCatalog


def result_metric(metric: Metric) -> str:
    """The ``EvaluationResult.metric`` a quality metric is published as: ``accuracy`` for ``accuracy_mean``."""
    return metric.prop.removesuffix("_mean")


def result_names(metric: Metric, catalog: MetricCatalog) -> list[str]:
    """Every ``EvaluationResult.metric`` name the vocabulary reads as the same metric (accuracy: ``acc`` too)."""
    name = result_metric(metric)
    info = catalog.vocabulary.metric_info(name)
    if info is None:
        return [name]
    same = [
        n
        for n in [*catalog.quality, *catalog.results]
        if (i := catalog.vocabulary.metric_info(n)) and i.name == info.name
    ]
    return list(dict.fromkeys([name, *same]))


Rows = list[dict[str, Any]]


def applies(frame: Frame, metric: Metric, has_results: bool) -> bool:
    """A ranking by a quality metric on a dataset the model-index results name, or by one only they hold."""
    evaluated = frame.filter("evaluated_on") is not None or metric.results_only
    return has_results and metric.scope == "quality" and evaluated


def unsupported(frame: Frame, metric: Metric | None) -> list[str]:
    """Why a question needs a model-index-only metric where only rankings can read it (empty when it does not)."""
    used = [m for m in (metric, frame.metric2, *(t.metric for t in frame.thresholds)) if m is not None]
    only = list(dict.fromkeys(m.label for m in used if m.results_only))
    plain = frame.intent in ("rank", "lookup")  # ranked, or a named model's results listed (results_of)
    if not only or (plain and not any(t.metric.results_only for t in frame.thresholds)):
        return []
    return [
        f"{label} is only in the cards' model-index results, per dataset: I can rank models by it "
        f"('highest {label} on DATASET'), but not use it as a condition, a total or a trade-off"
        for label in only
    ]


def rank_results(frame: Frame, metric: Metric, catalog: MetricCatalog, flagged: bool = False) -> Statement:
    """Each matching model's best ``metric`` result on the asked dataset(s), best first; none flagged as impossible
    (``flagged``: the graph has such results), which the notes name instead."""
    b = base(frame, None)
    b.need("ev")
    b.where.append(f"ev.metric IN {b.param('result_metrics', result_names(metric, catalog))}")
    # an impossible score ranks nowhere (the notes name it): out of range, whether or not its flag was seen
    b.where.append(measured_condition("ev.value", metric) + (" AND ev.flagged IS NULL" if flagged else ""))
    order = metric.order(frame.want)
    limit = b.param("k", max(frame.k, SHOWN))
    col = metric.column
    text = (
        f"{b.match_text()}\n"
        f"WITH m, ev ORDER BY ev.value {order}\n"
        "WITH m, collect(ev)[0] AS best\n"
        f"RETURN m.name AS model, best.value AS {col}, best.dataset AS evaluated_on, "
        "best.datasetConfig AS config, best.split AS split, best.publishedValue AS published, "
        "best.source AS file, best.field AS field\n"
        f"ORDER BY {col} {order}, model LIMIT {limit}"
    )
    return Statement(text, b.params)


_RESULT_COLUMNS = {
    "dataset": "evaluated_on", "datasetName": "dataset_name", "datasetConfig": "config", "split": "split",
    "publishedValue": "published", "source": "file", "field": "field",
}  # fmt: skip
"""What a listed result shows beside its value: result property -> column (those the graph has)."""


RESULTS_SHOWN = SHOWN * 20
"""The most results a lookup lists (an MTEB card has thousands); the answer says when there may be more."""


def results_of(frame: Frame, metric: Metric, catalog: MetricCatalog, has: Has) -> Statement:
    """Every model-index result for ``metric`` of the matching (named) models, each with where it was measured:
    "what BLEU scores did X get"."""
    b = base(frame, None)
    b.need("ev")
    b.where.append(f"ev.metric IN {b.param('result_metrics', result_names(metric, catalog))}")
    col = metric.column
    present = {prop: column for prop, column in _RESULT_COLUMNS.items() if has("EvaluationResult", prop)}
    shown = "".join(f", ev.{prop} AS {column}" for prop, column in present.items())
    order = "".join(f", {column}" for prop, column in present.items() if prop in ("dataset", "datasetName"))
    text = (
        f"{b.match_text()}\n"
        f"RETURN m.name AS model, ev.value AS {col}{shown}\n"
        f"ORDER BY model{order}, {col} DESC LIMIT {RESULTS_SHOWN}"
    )
    return Statement(text, b.params)


def results_text(metric: Metric, rows: list[dict[str, Any]], models: list[str]) -> str:
    """Each model's results for ``metric``, one sentence per model; the named models with none are said."""
    by_model: dict[str, list[str]] = {}
    for row in rows:
        name = row.get("dataset_name")
        where = _setting(row.get("evaluated_on"), row.get("config"), row.get("split"))
        where += f" ({name})" if name and name != row.get("evaluated_on") else ""
        by_model.setdefault(str(row["model"]), []).append(f"{_published(row, metric)} on {where}")
    lines = [f"{model}: {result_metric(metric)} {'; '.join(found)}." for model, found in by_model.items()]
    if none := [m for m in models if m not in by_model]:
        lines.append(f"No {metric.label} result in the graph for {', '.join(none)}.")
    if len(rows) >= RESULTS_SHOWN:
        lines.append(f"Only the first {RESULTS_SHOWN} results are listed; there may be more.")
    return "\n".join(lines)


def result_notes(metric: Metric, rows: list[dict[str, Any]]) -> list[str]:
    """What a reader must know about the ranked scores: their origin, and whether they compare."""
    if not rows:
        return []
    notes = [
        f"the scores are the cards' model-index results for {result_metric(metric)} on that dataset "
        "(each model's best result; the table gives the dataset configuration and split)"
    ]
    settings = {(r.get("evaluated_on"), r.get("config"), r.get("split")) for r in rows}
    if len(settings) > 1:
        shown = "; ".join(_setting(*s) for s in sorted(settings, key=lambda s: tuple(str(x) for x in s)))
        notes.append(
            f"the ranked results were measured on different dataset configurations or splits ({shown}): "
            "they are not directly comparable"
        )
    return notes + scale_notes(metric, rows)


def aggregate_scale_notes(metric: Metric, ends: list[dict[str, Any]]) -> list[str]:
    """:func:`scale_notes` for an aggregate, from the lowest and highest value it reads (``value_range``)."""
    values = [{metric.column: r.get(end)} for r in ends for end in ("lowest", "highest")]
    return scale_notes(metric, values, "the aggregate mixes them as written")


def scale_notes(
    metric: Metric, rows: list[dict[str, Any]], how: str = "the ranking compares them as written"
) -> list[str]:
    """A higher-is-better score ranked as fractions (at most 1) beside what look like percentages (1 to 100)."""
    values = [float(v) for r in rows if isinstance(v := r.get(metric.column), int | float)]
    if metric.scope != "quality" or metric.better != "higher" or not values:
        return []
    if not (min(values) <= 1 < max(values) <= 100):
        return []
    return [
        f"some {metric.label} values are fractions (at most 1) and others look like percentages (above 1): "
        f"the cards publish them on different scales, and {how}"
    ]


def mixed_datasets_notes(metric: Metric, datasets: list[str], what: str = "ranked") -> list[str]:
    """A quality metric ranked across ``datasets`` (those of the models ranked): its values do not compare."""
    if metric.scope != "quality" or len(datasets) < 2:
        return []
    names = sorted(datasets)
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    return [
        f"the models {what} are on {len(names)} datasets ({shown}): {metric.label} on one dataset does not compare "
        f'with {metric.label} on another, so this mixes them; ask per dataset ("best model on {names[0]}", '
        'or "the best model per dataset")'
    ]


def result_sources(metric: Metric, rows: list[dict[str, Any]], limit: int = 5) -> str:
    """A Source line per shown model: the card and model-index field its score was read from."""
    lines = []
    for row in rows[:limit]:
        if row.get("file") is None:
            continue
        where = PurePath(str(row["file"]).split("!")[-1]).name or row["file"]
        field = f", {row['field']}" if row.get("field") else ""
        lines.append(
            f"\nSource: {row['model']}: {result_metric(metric)} {_published(row, metric)} "
            f"(in {where}{field}; {_setting(row.get('evaluated_on'), row.get('config'), row.get('split'))})"
        )
    return "".join(lines)


def _published(row: dict[str, Any], metric: Metric) -> Any:
    """The score as the card wrote it, or the stored value when the graph keeps no published text."""
    published = row.get("published")
    return published if published is not None else row.get(metric.column)


def _setting(dataset: Any, config: Any, split: Any) -> str:
    parts = [str(dataset)]
    if config:
        parts.append(f"config {config}")
    if split:
        parts.append(f"split {split}")
    return ", ".join(parts)


def ranked(
    frame: Frame,
    metric: Metric,
    catalog: MetricCatalog,
    has_results: bool,
    execute: Callable[[Statement], Rows],
    flagged: bool = False,
) -> Rows | None:
    """The model-index ranking for ``frame``, or None when the engine's training ranking applies.

    A dataset named as training data ("on glue") is also the dataset of model-index results; when the results
    hold the metric there, they rank, and the frame then says "evaluated on"; otherwise (an MRM3 dataset) the
    training values do. A metric only the results hold ("best BLEU on flores_101") is always read on the
    dataset the results were measured on: the models trained on it may have none there.
    """
    dataset = next((f for f in frame.filters if f.kind == "dataset"), None)  # "not on flores_101" too
    trained = dataset is not None and dataset.role == "training"  # "trained on imdb": the training data
    if has_results and metric.scope == "quality" and dataset is not None and frame.intent == "rank" and not trained:
        as_results = replace(
            frame, filters=[replace(f, kind="evaluated_on") if f is dataset else f for f in frame.filters]
        )
        rows = execute(rank_results(as_results, metric, catalog, flagged))
        if rows or metric.results_only:
            dataset.kind = "evaluated_on"  # what was read, for the "understood as" line and the answer
            return rows
        return None
    if applies(frame, metric, has_results):
        return execute(rank_results(frame, metric, catalog, flagged))
    return None
