"""Notes on the values an answer reads: those flagged as impossible at ingest, and training carbon suspected of
being kilograms given as grams. Each names the models it concerns, whatever the answer did with the value."""

from __future__ import annotations

import re
from typing import Protocol

from assistant.answers.flags import flag_caveats, flagged_in
from assistant.answers.suspect import SUSPECT_PROPERTY, suspect_caveats
from assistant.cypher.execution import Execution
from assistant.engines.offline.compile import statements
from assistant.engines.offline.plan.frame import Frame
from assistant.engines.offline.read.metrics import Metric
from assistant.engines.offline.resolution import Run
from ingest.flags import FLAG_PROPERTY

_TRAINING_CARBON = re.compile(r"\btr\.`?carbonFootprint\b|\bm\.`?trainingCarbon\b")  # reads the training carbon


class NotedRun(Run, Protocol):
    """A question being answered, with its main statement's execution and the caveats collected so far."""

    main: Execution | None
    caveats: list[str]


_RUNS = ("ModelTraining", "ModelInference", "TrainingRun", "EvaluationResult")


def note_flagged(run: NotedRun, frame: Frame) -> None:
    """An answer that reads a value flagged as impossible names it (and why), whatever the value is."""
    main = run.main
    on_models, on_runs = _flag_holders(run)
    if main is None or not (on_models or on_runs):
        return
    metric = frame.metric if frame.metric is not None and frame.intent not in ("count", "list", "lookup") else None
    rows = run.execute(statements.flagged(frame, metric, on_models=on_models, on_runs=on_runs), main=False)
    shown = [{"model": r["model"], "flags": [r.get("own"), r.get("near")]} for r in rows]
    run.caveats.extend(flag_caveats(flagged_in(shown, main.cypher)))


def flagged_models(run: NotedRun, frame: Frame, metric: Metric) -> set[str]:
    """The models asked about whose ``metric`` value is flagged as impossible (so no ranking holds it)."""
    on_models, on_runs = _flag_holders(run)
    if not (on_models or on_runs):
        return set()
    rows = run.execute(statements.flagged(frame, metric, on_models=on_models, on_runs=on_runs), main=False)
    prefix = f"{metric.prop}:"
    return {
        str(r["model"])
        for r in rows
        if any(str(f).startswith(prefix) for f in [*(r.get("own") or []), *sum(r.get("near") or [], [])])
    }


def _flag_holders(run: NotedRun) -> tuple[bool, bool]:
    """Whether the graph has flagged values on models, and on training or inference runs."""
    return run.has("Model", FLAG_PROPERTY), any(run.has(label, FLAG_PROPERTY) for label in _RUNS)


def note_suspect(run: NotedRun, frame: Frame) -> None:
    """An answer that reads a training carbon value names every flagged one it shows, ranks or sums."""
    main = run.main
    if main is None or not run.has("ModelTraining", SUSPECT_PROPERTY) or not _TRAINING_CARBON.search(main.cypher):
        return
    metric = frame.metric if frame.metric is not None and frame.intent not in ("count", "list", "lookup") else None
    run.caveats.extend(suspect_caveats(run.execute(statements.suspect(frame, metric), main=False)))
