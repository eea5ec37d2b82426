"""The Cypher statement of each intent, built with :class:`~assistant.engines.offline.cypher_builder.Builder`.

Rankings by a measured quantity (carbon, energy) keep measured values only;
:func:`unmeasured` builds the companion statement that finds the models whose
0 or missing value would otherwise have won.
"""

from __future__ import annotations

from dataclasses import replace

from assistant.engines.offline.compile.cypher_builder import Builder, Has, Statement, anchor, measured_condition, q
from assistant.engines.offline.compile.stored import NARROW_DEPTH, best_runs, cutoff, index_ordered, narrowed
from assistant.engines.offline.plan.understanding import Frame
from assistant.engines.offline.read.metrics import Metric, MetricCatalog

SHOWN = 5  # rows a ranking shows when one winner is asked for
COUNT_TARGETS = {
    "datasets": ("ds", "count(DISTINCT ds)"),
    "architectures": ("ar", "count(DISTINCT ar)"),
    "services": ("sv", "count(DISTINCT sv)"),
    "problem_types": ("pt", "count(DISTINCT pt)"),
    "optimizers": ("pa", "count(DISTINCT pa.optimizer)"),
    "authors": ("m", "count(DISTINCT m.author)"),
    "inference_runs": ("inf", "count(DISTINCT inf)"),
    "training_runs": ("trn", "count(DISTINCT trn)"),
    "base_models": ("bm", "count(DISTINCT bm)"),
    "gpu_models": ("td", "count(DISTINCT td.gpuModel)"),
    "devices_of_runs": ("dv", "count(DISTINCT dv)"),
    "splits": ("pa", "count(DISTINCT pa.splitType)"),
}
_LIST_TARGETS = {
    "base_models": ("bm", "bm.name", "base_model"),
    "datasets": ("ds", "ds.name", "dataset"),
    "architectures": ("ar", "ar.type", "architecture"),
    "services": ("sv", "sv.name", "service"),
    "problem_types": ("pt", "pt.name", "problem_type"),
    "optimizers": ("pa", "pa.optimizer", "optimizer"),
    "authors": ("m", "m.author", "author"),
    "splits": ("pa", "pa.splitType", "split_type"),
}
_DEVICE_RUNS = {"training": "TRAINS_ON", "inference": "INFERENCE_ON", "": "TRAINS_ON|INFERENCE_ON"}


def _devices(frame: Frame) -> str:
    """The devices of the matching models: training ones, inference ones, or both when the question does not say."""
    return f"MATCH (m)<-[:{_DEVICE_RUNS[frame.device_role]}]-()-[:RUNS_ON]->(dev:Device)"


def base(frame: Frame, metric: Metric | None, prefix: str = "") -> Builder:
    runs = frame.count_target == "inference_runs" and frame.intent in ("count", "group_count")
    bound = runs or (metric is not None and metric.scope == "inference")
    builder = Builder(frame, inference_bound=bound, prefix=prefix)
    anchor(builder)
    builder.apply_filters()
    return builder


def rank(frame: Frame, metric: Metric, *, k: int | None = None, has: Has | None = None) -> Statement:
    """The best ``k`` models by ``metric`` (inference: each model's best run), each model once.

    A model trained on several datasets (a Hugging Face card lists them all) shows them
    in one cell, never as one row per dataset; the architecture is joined only when the
    graph has architectures.
    """
    b = base(frame, metric)
    order = metric.order(frame.want)
    col = metric.column
    wanted = k if k is not None else max(frame.k, SHOWN)
    limit = b.param("k", wanted)
    expr = b.value_expr(metric)
    if metric.scope == "dataset":
        text = (
            f"{b.match_text()}\nWITH DISTINCT ds, {expr} AS value WHERE {measured_condition('value', metric)}\n"
            f"RETURN ds.name AS dataset, value AS {col} ORDER BY {col} {order}, dataset LIMIT {limit}"
        )
        return Statement(text, b.params)
    if metric.scope == "inference":
        if (fast := best_runs(frame, metric, order, has, wanted)) is not None:
            return fast
        b.need("dv")
        text = (
            f"{b.match_text()}\nWITH m, inf, dv, {expr} AS value WHERE {measured_condition('value', metric)}\n"
            f"WITH m, inf, dv, value ORDER BY value {order}\n"
            # "v", not "value": a model-index result's flag names its "value", which this statement never reads
            "WITH m, collect({v: value, device: dv.processor, gpus: dv.graphicsCard, batch: inf.batch_size})[0]"
            " AS best\n"
            f"RETURN m.name AS model, best.v AS {col}, best.device AS device"
            + (", best.batch AS batch_size\n" if col != "batch_size" else "\n")
            + f"ORDER BY {col} {order}, model LIMIT {limit}"
        )
        return Statement(text, b.params)
    statement = _models(frame, metric, wanted, has)
    # Only where the ranking would read every model: one that starts from what the question names (models, a
    # dataset, a service, a device) reads fewer, and the head rarely holds enough of them. A head shorter than
    # the ranking could never fill it.
    every_model = b.anchor_filter is None and not frame.filter("model")
    if (prop := index_ordered(metric)) and every_model and wanted < NARROW_DEPTH:
        head = _models(frame, metric, wanted, has, prefix=cutoff(prop, order))
        statement.narrowed = narrowed(prop, order, head, wanted)
    return statement


def _models(frame: Frame, metric: Metric, k: int, has: Has | None, prefix: str = "") -> Statement:
    """:func:`rank`'s statement for a value of the model or its training (one per model)."""
    b = base(frame, metric, prefix)
    order, col, limit, expr = metric.order(frame.want), metric.column, b.param("k", k), b.value_expr(metric)
    text = (
        f"{b.match_text()}\nWITH DISTINCT m, {expr} AS value WHERE {measured_condition('value', metric)}\n"
        f"WITH m, value ORDER BY value {order}, m.name LIMIT {limit}\n"
    )
    # Pattern comprehensions, not OPTIONAL MATCH: ArcadeDB plans a statement with one by its older planner, which
    # scans every model instead of the index (the head of a ranking: 186 -> 17 ms at 100,000 cards).
    if has is None or has("TRAINED_ON", ""):  # a graph of cards that name no training dataset has none
        text += (
            "WITH m, value, reduce(acc = [], x IN [(m)-[:TRAINED_ON]->(d:Dataset) WHERE d.name IS NOT NULL | d.name] | "
            "CASE WHEN x IN acc THEN acc ELSE acc + x END) AS names\n"
            "WITH m, value, CASE size(names) WHEN 0 THEN null ELSE reduce(s = head(names), x IN tail(names) | "
            "s + ', ' + x) END AS dataset\n"
        )
    else:
        text += "WITH m, value, null AS dataset\n"
    if has is None or has("ModelArchitecture", "type"):
        text += (
            "WITH m, value, dataset, "
            "[(m)-[:UTILIZES]->(a:ModelArchitecture) WHERE a.type IS NOT NULL | a.type][0] AS architecture\n"
        )
    else:
        text += "WITH m, value, dataset, null AS architecture\n"
    text += f"RETURN m.name AS model, value AS {col}, dataset, architecture\nORDER BY {col} {order}, model"
    return Statement(text, b.params)


def unmeasured(frame: Frame, metric: Metric) -> Statement:
    """Models among those asked about whose ``metric`` is 0 or missing (not measured).

    Read from the training itself, not the model's measured copy: a flagged -5 g is neither 0 nor missing.
    """
    metric = replace(metric, on_model="")
    b = base(frame, metric)
    expr = b.value_expr(metric)
    unmeasured = "value IS NULL OR value = 0"
    if metric.scope == "inference":
        head = f"WITH m, max({expr}) AS value"
    elif metric.zero_unmeasured:  # a score of 0 with a std of 0 (a score of 0 with a spread is a score; none is none)
        mean = replace(metric, zero_unmeasured=False)
        std = replace(metric, prop=metric.spread, zero_unmeasured=False)
        head = f"WITH DISTINCT m, {b.value_expr(mean)} AS value, {b.value_expr(std)} AS spread"
        unmeasured = "value = 0 AND spread = 0"
    else:
        head = f"WITH DISTINCT m, {expr} AS value"
    text = (
        f"{b.match_text()}\n{head} WHERE {unmeasured}\n"
        "WITH m ORDER BY m.name\nRETURN count(m) AS not_measured, collect(m.name)[0..5] AS examples"
    )
    return Statement(text, b.params)


def flagged(frame: Frame, metric: Metric | None, *, on_models: bool, on_runs: bool) -> Statement:
    """Values flagged as impossible (a node's ``flagged`` list) among the models asked about: on the model itself
    (``on_models``) and on its training and inference runs (``on_runs``).

    A condition on the metric itself is left out: "under 10 g" must still name a flagged -5 g.
    """
    kept = [t for t in frame.thresholds if metric is not None and t.metric.key != metric.key]
    b = base(replace(frame, thresholds=kept), metric)
    near = "OPTIONAL MATCH (n)--(m) WHERE n.flagged IS NOT NULL\nWITH m, collect(n.flagged) AS near\n"
    own = "m.flagged" if on_models else "null"
    text = (
        f"{b.match_text()}\nWITH DISTINCT m\n{near if on_runs else 'WITH m, [] AS near'}\n"
        f"WITH m, {own} AS own, near WHERE {own} IS NOT NULL OR size(near) > 0\n"
        "RETURN m.name AS model, own, near ORDER BY model LIMIT 2000"
    )
    return Statement(text, b.params)


def suspect(frame: Frame, metric: Metric | None) -> Statement:
    """Flagged training carbon values (``carbonFootprintSuspect``) among the models asked about.

    A condition on the training carbon itself is left out: "over 100 g" must name a flagged
    0.5 g, which may really be 500 g.
    """
    kept = [t for t in frame.thresholds if not (t.metric.key == "carbon" and t.metric.scope == "training")]
    b = base(replace(frame, thresholds=kept), metric)
    text = (
        f"{b.match_text()}\nWITH DISTINCT m\nMATCH (s:ModelTraining)-[:TRAINS_ON]->(m)\n"
        "WHERE s.carbonFootprintSuspect IS NOT NULL\n"
        "RETURN m.name AS model, s.carbonFootprint AS value, s.carbonFootprintSuspect AS reason ORDER BY model"
    )
    return Statement(text, b.params)


def count(frame: Frame) -> Statement:
    """How many models (or datasets, architectures, devices ...) match."""
    b = base(frame, None)
    target = frame.count_target
    if target == "devices":
        return Statement(f"{b.match_text()}\n{_devices(frame)}\nRETURN count(DISTINCT dev) AS devices", b.params)
    var, expr = COUNT_TARGETS.get(target, ("m", "count(DISTINCT m)"))
    if var != "m":
        b.need(var)
    if target == "runs_of_models":  # a named model's CodeCarbon training runs and its inference entries
        return Statement(
            f"{b.match_text()}\nWITH DISTINCT m\nOPTIONAL MATCH (trn:TrainingRun)-[:MEASURES]->(m)\n"
            "WITH m, count(trn) AS t\nOPTIONAL MATCH (inf:ModelInference)-[:INFERENCE_ON]->(m)\n"
            "WITH m, t, count(inf) AS e, sum(coalesce(inf.num_of_runs, 0)) AS r\n"
            "RETURN sum(t) AS training_runs, sum(e) AS inference_entries, sum(r) AS runs_recorded",
            b.params,
        )
    if target == "inference_runs":  # each entry (model x device x batch size) records num_of_runs runs
        return Statement(
            f"{b.match_text()}\nWITH DISTINCT inf\nRETURN count(inf) AS inference_runs, "
            "sum(inf.num_of_runs) AS runs_recorded, "
            "sum(CASE WHEN inf.num_of_runs IS NULL THEN 1 ELSE 0 END) AS entries_without_run_count",
            b.params,
        )
    return Statement(f"{b.match_text()}\nRETURN {expr} AS {target}", b.params)


def listing(frame: Frame, has: Has) -> Statement:
    """The models (or datasets, architectures ...) that match, with the values the filters used."""
    b = base(frame, None)
    target = frame.count_target
    if target in ("devices", "gpu_models"):
        gpu = target == "gpu_models"
        # A Hugging Face card's hardware text names a device that has no processor ("1 v100 GPU").
        name = "coalesce(dev.processor, dev.hardware)" if has("Device", "hardware") else "dev.processor"
        picked = "dev.gpuModel AS gpu_model" if gpu else f"{name} AS device, dev.graphicsCard AS gpus"
        if not gpu and frame.fields:  # "how many cores does the Raspberry Pi have": the devices' own properties
            picked += "".join(
                f", dev.{q(prop)} AS {column}"
                for prop, column in (("cores", "cores"), ("memoryCapacity", "ram"), ("gpuModel", "gpu_model"))
                if has("Device", prop)
            )
        conditions = ["dev.gpuModel IS NOT NULL"] if gpu else []
        device = frame.filter("device")
        if device is not None:  # the asked device itself, not every device its models ran on
            conditions.append(f"dev.{q(device.property)} IN {b.param('the_device', device.values)}")
        where = ("\nWHERE " + " AND ".join(conditions)) if conditions else ""
        if has("Device", "gpuModel") or not gpu:
            first = "gpu_model" if gpu else "device"
            text = f"{b.match_text()}\n{_devices(frame)}{where}\nRETURN DISTINCT {picked} ORDER BY {first}"
            return Statement(text, b.params)
    if target in _LIST_TARGETS:
        var, expr, name = _LIST_TARGETS[target]
        if var != "m":
            b.need(var)
        return Statement(f"{b.match_text()}\nRETURN DISTINCT {expr} AS {name} ORDER BY {name}", b.params)
    columns = ["m.name AS model"]
    order = "model"
    shown = [t.metric for t in frame.thresholds]
    if frame.metric is not None:
        shown.insert(0, frame.metric)
        order = f"{frame.metric.column} {frame.metric.order(frame.want)}, model"
    for metric in shown:
        if metric.scope not in ("inference", "dataset"):
            column = f"{b.value_expr(metric)} AS {metric.column}"
            if column not in columns:
                columns.append(column)
    if frame.metric is not None and f" AS {frame.metric.column}" not in "".join(columns):
        order = "model"
    return Statement(f"{b.match_text()}\nRETURN DISTINCT {', '.join(columns)} ORDER BY {order}", b.params)


def aggregate(frame: Frame, metric: Metric) -> Statement:
    """One aggregate (avg, sum, min, max) of ``metric`` over the matching models."""
    agg = frame.agg or "avg"
    return _over_measured(
        frame,
        metric,
        f"RETURN {agg}(value) AS {agg}_{metric.column}, count(value) AS measured_values, count(DISTINCT m) AS models",
    )


def value_range(frame: Frame, metric: Metric) -> Statement:
    """The lowest and highest ``metric`` value among the matching models (do they mix fractions and percentages?)."""
    return _over_measured(frame, metric, "RETURN min(value) AS lowest, max(value) AS highest")


def _over_measured(frame: Frame, metric: Metric, returned: str) -> Statement:
    """``returned`` over the matching models' measured values of ``metric`` (each run's, for an inference one)."""
    b = base(frame, metric)
    expr = b.value_expr(metric)
    head = f"WITH m, inf, {expr} AS value" if metric.scope == "inference" else f"WITH DISTINCT m, {expr} AS value"
    return Statement(f"{b.match_text()}\n{head} WHERE {measured_condition('value', metric)}\n{returned}", b.params)


def group_aggregate(frame: Frame, metric: Metric) -> Statement:
    """An aggregate of ``metric`` per group, best group first."""
    b = base(frame, metric)
    expr = b.value_expr(metric)
    group = frame.group or "dataset"
    gexpr = b.group_expr(group)
    agg = frame.agg or "avg"
    col = f"{agg}_{metric.column}"
    order = metric.order(frame.want)
    carry = "m, inf" if metric.scope == "inference" else "DISTINCT m"
    text = (
        f"{b.match_text()}\nWITH {carry}, {gexpr} AS grp, {expr} AS value WHERE {measured_condition('value', metric)}\n"
        f"RETURN grp AS {group}, {agg}(value) AS {col}, count(DISTINCT m) AS models ORDER BY {col} {order}, {group}"
    )
    return Statement(text, b.params)


def group_count(frame: Frame) -> Statement:
    """How many models (or datasets ...) each group has, largest first."""
    b = base(frame, None)
    group = frame.group or "dataset"
    gexpr = b.group_expr(group)
    target = frame.count_target
    var, expr = COUNT_TARGETS.get(target, ("m", "count(DISTINCT m)"))
    if var != "m":
        b.need(var)
    order = "ASC" if frame.want == "low" else "DESC"
    text = f"{b.match_text()}\nRETURN {gexpr} AS {group}, {expr} AS {target} ORDER BY {target} {order}, {group}"
    return Statement(text, b.params)


def group_best(frame: Frame, metric: Metric) -> Statement:
    """The best model of each group by ``metric``, best group first."""
    b = base(frame, metric)
    expr = b.value_expr(metric)
    group = frame.group or "dataset"
    gexpr = b.group_expr(group)
    order = metric.order(frame.want)
    col = metric.column
    # The min of [value, name] pairs (lists compare element by element) is each group's best in one pass, the
    # first name on a tie as a ranking's; sorting every model first took 3-5x longer at 100,000 cards.
    sign = "" if order == "ASC" else "-"  # the highest value is the lowest negated
    text = (
        f"{b.match_text()}\nWITH m, {gexpr} AS grp, {expr} AS value\n"
        f"WHERE {measured_condition('value', metric)}\n"
        f"WITH grp, min([{sign}value, m.name]) AS best, count(DISTINCT m) AS models\n"
        f"RETURN grp AS {group}, best[1] AS model, {sign}best[0] AS {col}, models ORDER BY {col} {order}, {group}"
    )
    return Statement(text, b.params)


def quality_available(frame: Frame, catalog: MetricCatalog) -> Statement:
    """How many of the matching models have each quality metric (to pick what "best" means)."""
    b = base(frame, None)
    names = list(catalog.quality)
    counts = ", ".join(f"count({catalog.quality[n].expr('tr')}) AS c{i}" for i, n in enumerate(names))
    text = f"{b.match_text()}\nWITH DISTINCT m\nMATCH (tr:ModelTraining)-[:TRAINS_ON]->(m)\nRETURN {counts}"
    return Statement(text, b.params)


def pareto(frame: Frame, first: Metric, second: Metric) -> Statement:
    """Every measured model on two metrics, front first: ``on_pareto_front`` when no other beats it on both.

    A model's value on each metric is its best one (its best inference run). The front is found in one sweep:
    the points sorted best first on the first metric (then the second), a point is on it when it beats every
    point before it on the second metric, or repeats the last point of the front. (Comparing every pair grew
    with the square of the models: 20,000 cards ran out of the server's query memory.)
    """
    inference = first if first.scope == "inference" else second
    b = base(frame, inference)
    x, y = b.value_expr(first), b.value_expr(second)
    agg_x = "min" if first.better == "lower" else "max"
    agg_y = "min" if second.better == "lower" else "max"
    sx = "x" if first.better == "lower" else "-x"  # both as "lower is better" for the sweep
    sy = "y" if second.better == "lower" else "-y"
    # each run's value is checked before the aggregate: one flagged -1 s run must not hide the model's others
    keep_x, keep_y = measured_condition(x, first), measured_condition(y, second)
    text = (
        f"{b.match_text()}\nWITH m, {agg_x}(CASE WHEN {keep_x} THEN {x} END) AS x, "
        f"{agg_y}(CASE WHEN {keep_y} THEN {y} END) AS y\nWHERE x IS NOT NULL AND y IS NOT NULL\n"
        f"WITH m.name AS model, x, y, {sx} AS sx, {sy} AS sy ORDER BY sx ASC, sy ASC, model\n"
        "WITH collect({model: model, x: x, y: y, sx: sx, sy: sy}) AS points\n"
        "WITH points, reduce(acc = {sx: null, sy: null, front: []}, p IN points |\n"
        "  CASE WHEN acc.sy IS NULL OR p.sy < acc.sy OR (p.sy = acc.sy AND p.sx = acc.sx)\n"
        "  THEN {sx: p.sx, sy: p.sy, front: acc.front + [p.model]} ELSE acc END).front AS front\n"
        # Each row keeps the (small) front only: rows carrying every point made the sort's memory quadratic.
        "UNWIND points AS p\nWITH p, front\n"
        f"RETURN p.model AS model, p.x AS {first.column}, p.y AS {second.column}, "
        "p.model IN front AS on_pareto_front\n"
        f"ORDER BY on_pareto_front DESC, {first.column} {first.order('best')}, model"
    )
    return Statement(text, b.params)


def training_energy(frame: Frame) -> Statement:
    """The matching models' training energy and carbon as the cards give them (a what-if prices the energy)."""
    b = base(frame, None)
    b.need("tr")
    return Statement(
        f"{b.match_text()}\nRETURN DISTINCT m.name AS model, tr.energyConsumption AS energy_j, "
        "tr.carbonFootprint AS carbon_g ORDER BY model",
        b.params,
    )
