"""Named models set side by side on one metric or several ("compare A and B on RMSE and training carbon"):
each metric's verdict, the rows holding every value compared, and whether one model is better on all of them."""

from __future__ import annotations

from typing import Any

from assistant.engines.offline.compile import evaluations, lookups, resolving, statements
from assistant.engines.offline.explain import comparisons, explain
from assistant.engines.offline.plan.frame import Frame
from assistant.engines.offline.read.metrics import Metric
from assistant.engines.offline.value_notes import NotedRun, flagged_models


def compare(run: NotedRun, frame: Frame, metric: Metric) -> str:
    """Named models compared by ``metric`` and each other metric the question names; without two named models,
    the best of each architecture."""
    models = frame.filter("model")
    if metric.scope == "dataset":  # "compare A and B by dataset size": each model's dataset
        return explain.lookup_text(run.execute(lookups.lookup(frame, run.catalog, run.has)), frame)
    if models and len(models.values) >= 2:
        datasets: dict[str, list[str]] = {}  # each model's datasets, read once for every quality metric compared
        rows, text = compared_by(run, frame, metric, models.values, datasets, main=True)
        verdicts = [(metric, rows)]
        for extra in frame.also:  # "on RMSE and training carbon": each metric compared, its values in the rows
            extra_rows, extra_text = compared_by(run, frame, extra, models.values, datasets, main=False)
            text += "\n" + extra_text
            verdicts.append((extra, extra_rows))
            comparisons.merge_columns(rows, extra_rows)
        text += comparisons.split_verdict(verdicts)
        run.show_rows(rows)  # with each model's difference from the best and the ratio
        return text
    frame.group = "architecture"
    rows = run.execute(statements.group_best(frame, metric))
    run.note_unmeasured(frame, metric)
    return explain.group_best_text(frame, metric, rows, True)


def compared_by(
    run: NotedRun, frame: Frame, metric: Metric, models: list[str], datasets: dict[str, list[str]], *, main: bool
) -> tuple[list[dict[str, Any]], str]:
    """The named models' rows by ``metric`` and the sentence comparing them (``datasets``: each model's datasets
    read so far, filled as needed)."""
    rows = run.execute(statements.rank(frame, metric, k=len(models), has=run.has), main=main)
    run.note_unmeasured(frame, metric)
    if metric.scope == "quality":  # MAE on umu against MAE on lumos5g: said
        for name in (str(r["model"]) for r in rows if str(r["model"]) not in datasets):
            datasets[name] = [str(d["dataset"]) for d in run.execute(resolving.datasets_of(name), main=False)]
        shown = list(dict.fromkeys(d for r in rows for d in datasets[str(r["model"])]))
        run.caveats.extend(evaluations.mixed_datasets_notes(metric, shown, "compared"))
    missing = set(models) - {r["model"] for r in rows}
    flagged = flagged_models(run, frame, metric) & missing if missing else set()
    return rows, comparisons.compare_text(frame, metric, rows, models, flagged=flagged)
