"""The answers of the simple intents: each intent's statement and explanation, as a table the engine runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from assistant.engines.offline.compile import evaluations, lookups, statements
from assistant.engines.offline.compile.cypher_builder import Statement
from assistant.engines.offline.explain import explain
from assistant.engines.offline.explain.what_if import what_if_text
from assistant.engines.offline.plan.frame import Frame
from assistant.engines.offline.read.conditions import Filter
from assistant.engines.offline.read.metrics import Metric
from assistant.engines.offline.resolution import Run
from assistant.language.grid import load_grids


def _count(run: Run, frame: Frame) -> str:
    return explain.count_text(frame, run.execute(statements.count(frame)))


def _list(run: Run, frame: Frame) -> str:
    text = explain.list_text(frame, run.execute(statements.listing(frame, run.has)))
    note_unmeasured_bounds(run, frame)
    return text


def note_unmeasured_bounds(run: Run, frame: Frame, ranked: Metric | None = None) -> None:
    """ "under 100 mg": the models whose bounded value is not measured are left out of the condition; say how
    many (a bound on the ranked metric itself is said by the ranking's own note)."""
    for bound in dict.fromkeys(t.metric for t in frame.thresholds if t.op not in ("measured", "unmeasured")):
        if bound != ranked:
            run.note_unmeasured(replace(frame, thresholds=[t for t in frame.thresholds if t.metric != bound]), bound)


def _group_count(run: Run, frame: Frame) -> str:
    return explain.group_count_text(frame, run.execute(statements.group_count(frame)))


def _lookup(run: Run, frame: Frame) -> str:
    metric, models = frame.metric, frame.filter("model")
    # "what BLEU scores did X get": X's model-index results, one per dataset (a card with results on two datasets
    # has no single value on its training to show); a named model without any is looked up as before
    if metric is not None and metric.scope == "quality" and models and not frame.also:
        if run.has("EvaluationResult", "metric"):
            return _results_lookup(run, frame, metric, models)
    return explain.lookup_text(run.execute(lookups.lookup(frame, run.catalog, run.has)), frame)


def _results_lookup(run: Run, frame: Frame, metric: Metric, models: Filter) -> str:
    rows = run.execute(evaluations.results_of(frame, metric, run.catalog, run.has))
    rest = [m for m in models.values if m not in {r["model"] for r in rows}]
    if not rows and not metric.results_only:
        return explain.lookup_text(run.execute(lookups.lookup(frame, run.catalog, run.has)), frame)
    text = evaluations.results_text(metric, rows, rest if metric.results_only else [])
    if rest and not metric.results_only:  # the others' value on their training (an MRM3 card's mean)
        others = replace(frame, filters=[replace(f, values=rest) if f is models else f for f in frame.filters])
        rest_rows = run.execute(lookups.lookup(others, run.catalog, run.has), main=False)
        text += "\n" + explain.lookup_text(rest_rows, others)
        run.show_rows([*rows, *rest_rows])
    return text + evaluations.result_sources(metric, rows)


def what_if(run: Run, frame: Frame) -> str:
    """The matching models' training energy priced on the grids the question names."""
    rows = run.execute(statements.training_energy(frame))
    text = what_if_text(frame, rows, load_grids())
    run.show_rows(rows)  # one row per model and grid, the estimate beside the measured carbon
    return text


WITHOUT_METRIC: dict[str, Callable[[Run, Frame], str]] = {
    "count": _count, "list": _list, "group_count": _group_count, "lookup": _lookup, "what_if": what_if,
}  # fmt: skip
"""Intents answered without a metric to rank or aggregate: the statement and its explanation."""
GROUPED: dict[
    str, tuple[Callable[[Frame, Metric], Statement], Callable[[Frame, Metric, list[dict[str, Any]]], str]]
] = {
    "aggregate": (statements.aggregate, explain.aggregate_text),
    "group_agg": (statements.group_aggregate, explain.group_aggregate_text),
    "group_best": (statements.group_best, lambda f, m, rows: explain.group_best_text(f, m, rows, f.which_group)),
}
"""Intents over one metric whose unmeasured values are counted: the statement and its explanation."""


def mixed_datasets(run: Run, frame: Frame, metric: Metric, what: str = "ranked") -> list[str]:
    """A quality metric ranked over models of several datasets: say that the values do not compare."""
    named = frame.filter("dataset")
    if metric.scope != "quality" or (named is not None and len(named.values) < 2):
        return []  # one dataset named: its values compare (two named, "across A and B", do not)
    if not run.has("TRAINED_ON", ""):  # cards that name no training dataset: none to mix
        return []
    listed = replace(frame, intent="list", count_target="datasets")
    datasets = [str(r["dataset"]) for r in run.execute(statements.listing(listed, run.has), main=False)]
    return evaluations.mixed_datasets_notes(metric, datasets, what)


def mixed_scales(run: Run, frame: Frame, metric: Metric) -> list[str]:
    """An aggregate of a score over fractions beside percentages: say that it mixes them."""
    if frame.intent not in ("aggregate", "group_agg") or metric.scope != "quality" or metric.better != "higher":
        return []
    ends = run.execute(statements.value_range(frame, metric), main=False)
    return evaluations.aggregate_scale_notes(metric, ends)


def rank_notes(run: Run, frame: Frame, metric: Metric) -> list[str]:
    """What a ranking must say beside its rows: datasets that do not compare, and for a choice how many fit."""
    notes = mixed_datasets(run, frame, metric)
    note_unmeasured_bounds(run, frame, metric)
    if frame.choice:  # a choice says how many fit, beside the best and the runners-up
        fit = run.execute(statements.count(replace(frame, intent="count", count_target="models")), main=False)
        n = int(fit[0]["models"]) if fit else 0
        notes.append(f"{n} model{'s fit' if n != 1 else ' fits'} the question's conditions")
    return notes
