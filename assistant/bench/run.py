"""``mrm3 bench``: ingest and question latency at catalog scale, measured side by side.

One run: warm the server up (cards ingested into a scratch database),
generate N sample cards as files, ingest them with the project's ingester
(read, validate, batched writes), ask a fixed question set through the offline
engine at that scale, time the Cypher guard alone on the statements those
questions ran, then ingest two further slices the way the MRM3
reference ingester does (:mod:`assistant.bench.baseline`): one with this
project's indexes, one with the reference's own, which is the ratio reported.
Everything happens in a database of the bench's own
(:mod:`assistant.bench.database`).
"""

from __future__ import annotations

import json
import logging
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from assistant.bench.baseline import ingest_one_statement_per_node, reference_indexes_only
from assistant.bench.database import EMBEDDED_BENCH_DATABASE, bench_graph
from assistant.bench.defaults import DEFAULT_BASELINE_CARDS, DEFAULT_REPEATS, DEFAULT_SEED, GUARD_REPEATS
from assistant.bench.growth import Asked, growth_figures, percentile
from assistant.config import Settings
from assistant.cypher.guard import guard
from assistant.data_files import DataModel, NonEmptyText, load_yaml
from assistant.engines.offline.engine import OfflineEngine
from assistant.errors import ConfigError
from assistant.graph.connection import Graph
from assistant.graph.embedded import EmbeddedServer
from assistant.graph.introspect import SchemaCache
from assistant.graph.schema import GraphSchema
from ingest.cards import Card
from ingest.ingester import DEFAULT_BATCH_SIZE, IngestReport, ingest_cards, ingest_paths, rows_of
from ingest.sample import iter_cards
from prompts import PROMPTS_DIR

logger = logging.getLogger(__name__)

QUESTIONS_FILE = PROMPTS_DIR / "bench_questions.yaml"
# Most cards ingested into a scratch database before the timed run, so the server's JIT
# has compiled the write path. Measured on a fresh server, four 20k ingests in a row:
# 1,680, 2,130, 2,343, 2,368 cards/s.
MAX_WARMUP_CARDS = 20_000
# Cards whose names fill the questions' {model} placeholders: they have accuracy.
_NAMED_SERVICE = "image classification"


@dataclass
class BenchReport:
    """What one bench run measured. ``as_dict`` is the ``--json`` contract."""

    cards: int
    ingest_cards_per_s: float
    baseline_cards_per_s: float
    speedup: float
    ask_p50_ms: float
    ask_p95_ms: float
    baseline_indexed_cards_per_s: float
    speedup_vs_indexed: float
    ingest_s: float
    batch_size: int
    inference_runs: int
    nodes: int
    relationships: int
    baseline_cards: int
    baseline_statements: int
    questions: int
    questions_answered: int
    ask_max_ms: float
    schema_s: float
    generate_s: float
    peak_rss_mb: float
    server_peak_rss_mb: float | None
    server_startup_s: float | None
    server: str
    warmup_cards: int = 0
    unanswered: list[str] = field(default_factory=list)
    guard_statements: int = 0
    guard_p50_ms: float = 0.0
    guard_max_ms: float = 0.0
    kinds: dict[str, dict[str, float]] = field(default_factory=dict)
    """Question latency per kind of question: ``{"ranking": {"p50_ms": ..., "p95_ms": ...}, ...}``."""
    growth: dict[str, Any] | None = None
    """With ``--growth-to N``: the same figures after growing the catalog to N cards, and the ratios."""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view; the first six keys are relied on by scripts."""
        return asdict(self)


class BenchQuestions(DataModel):
    """The shape of ``prompts/bench_questions.yaml``."""

    questions: list[NonEmptyText] = Field(min_length=1)
    kinds: dict[NonEmptyText, list[NonEmptyText]] = Field(default_factory=dict)
    """Kind (ranking, filter, group, lookup, trade-off) -> its questions, each one of ``questions``."""

    @model_validator(mode="after")
    def _kinds_name_questions(self) -> BenchQuestions:
        unknown = [q for qs in self.kinds.values() for q in qs if q not in self.questions]
        if unknown:
            raise ValueError(f"kinds lists a question that is not in questions: {unknown[0]!r}")
        return self


def load_bench_questions(path: Path = QUESTIONS_FILE) -> BenchQuestions:
    """The fixed question templates and their kinds.

    Raises:
        ConfigError: The file is missing or malformed; the message names the entry and the field.
    """
    return load_yaml(path, BenchQuestions, what="the bench questions", hint="restore it from the repository")


def load_questions(path: Path = QUESTIONS_FILE) -> list[str]:
    """The fixed question templates (:func:`load_bench_questions`)."""
    return load_bench_questions(path).questions


def kinds_of(spec: BenchQuestions) -> dict[str, str]:
    """Question template -> its kind (a question no kind lists has none)."""
    return {q: kind for kind, questions in spec.kinds.items() for q in questions}


def write_cards(directory: Path, cards: Iterable[dict[str, Any]]) -> list[str]:
    """Write cards as compact JSON files, 1000 to a folder; return the names of the named-service cards."""
    named = []
    for index, card in enumerate(cards):
        folder = directory / f"{index // 1000:04d}"
        if index % 1000 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{index:07d}.json").write_text(json.dumps(card), encoding="utf-8")
        if card["service"]["name"] == _NAMED_SERVICE:
            named.append(card["name"])
    return named


def _rows(cards: Iterator[dict[str, Any]]) -> Iterator[Any]:
    for card in cards:
        yield rows_of(Card(f"bench:{card['name']}", card))


def _counts(graph: Graph) -> tuple[int, int]:
    nodes = graph.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    rels = graph.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    return int(nodes), int(rels)


def _server_memory_mb(settings: Settings) -> float | None:
    """Peak resident memory of the embedded server process (Linux /proc), else None."""
    if not settings.embedded:
        return None
    pid = EmbeddedServer(settings).status().pid
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return None
    line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), None)
    return round(int(line.split()[1]) / 1024, 1) if line else None


def _server_startup(settings: Settings) -> float | None:
    """Start-up time of the embedded server: measured now when it was not running, else as recorded."""
    if not settings.embedded:
        return None
    server = EmbeddedServer(settings)
    status = server.status()
    if status.running:
        return status.startup_s
    started = time.perf_counter()
    server.start()
    return round(time.perf_counter() - started, 3)


def ask_questions(engine: OfflineEngine, questions: list[str], repeats: int) -> Asked:
    """Ask each question once to warm up, then ``repeats`` times timed."""
    answers = [engine.answer(q) for q in questions]
    unanswered = [q for q, answer in zip(questions, answers, strict=True) if not answer.answered]
    statements = [answer.cypher for answer in answers if answer.cypher]
    times: dict[str, list[float]] = {q: [] for q in questions}
    for _ in range(repeats):
        for question in questions:
            started = time.perf_counter()
            engine.answer(question)
            times[question].append((time.perf_counter() - started) * 1000)
    return Asked(times, unanswered, statements)


def time_guard(statements: list[str], schema: GraphSchema, repeats: int = GUARD_REPEATS) -> list[float]:
    """Guard each statement against ``schema`` ``repeats`` times; return the time of each call in ms.

    The guard runs before every statement either engine sends, so its cost is part of
    every question; this isolates it from the server's.
    """
    times = []
    for _ in range(repeats):
        for cypher in statements:
            started = time.perf_counter()
            guard(cypher, schema)
            times.append((time.perf_counter() - started) * 1000)
    return times


def _warm_up(settings: Settings, database: str | None, cards: int, seed: int, batch_size: int) -> None:
    """Ingest ``cards`` sample cards into a scratch database, so the timed passes measure a warm server.

    The embedded server gets a database of its own for it, dropped afterwards:
    deleting the cards instead leaves free space behind that slowed the timed
    ingest (1,923 cards/s after a 20,000-card warm-up and delete, 2,255 in a
    fresh database). On Neo4j it is the bench's database, cleared again before
    the timed run.
    """
    scratch = f"{database or EMBEDDED_BENCH_DATABASE}_warmup" if settings.embedded else database
    with bench_graph(settings, scratch) as graph:
        rows = (Card(f"warm-up:{card['name']}", card) for card in iter_cards(cards, seed + 1))
        ingest_cards(graph, rows, IngestReport(), batch_size=batch_size)


def _grow(graph: Graph, directory: Path, cards: Iterable[dict[str, Any]], batch_size: int) -> IngestReport:
    """Write ``cards`` as files and ingest them into the bench graph (the same path as the first ingest)."""
    directory.mkdir()
    write_cards(directory, cards)
    report = ingest_paths(graph, [directory], batch_size=batch_size)
    if report.rejected:
        raise ConfigError(f"The sample generator made a card the ingester rejected: {report.rejected[0]}")
    return report


def _timed_reference(graph: Graph, cards: Iterable[Any]) -> tuple[float, int]:
    """Write ``cards`` the reference way; return the seconds taken and the statements sent."""
    started = time.perf_counter()
    statements = ingest_one_statement_per_node(graph, cards)
    return time.perf_counter() - started, statements


def run_bench(
    settings: Settings,
    cards: int,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    baseline_cards: int = DEFAULT_BASELINE_CARDS,
    repeats: int = DEFAULT_REPEATS,
    seed: int = DEFAULT_SEED,
    warmup_cards: int | None = None,
    database: str | None = None,
    keep: bool = False,
    growth_to: int | None = None,
    say: Callable[[str], None] = logger.info,
) -> BenchReport:
    """Run the whole benchmark and return what it measured.

    Args:
        settings: Which server to use (the bench works in a database of its own there).
        cards: Sample cards to generate and ingest.
        batch_size: Cards per transaction of the batched ingester.
        baseline_cards: Cards the one-statement-per-node reference writes.
        repeats: Timed passes over the question set.
        seed: Seed of the sample generator.
        warmup_cards: Cards ingested into a scratch database before anything is
            timed (0: none; default: as many as ``cards``, at most 20,000).
        database: The bench's database (required on Neo4j).
        keep: Keep the embedded bench database afterwards (to inspect it).
        growth_to: After the questions, grow the catalog to this many cards and ask them again, in the same
            run: the growth of question latency (per kind) and of the ingest rate.
        say: Where progress lines go.

    Raises:
        ConfigError: No database of its own can be used.
        GraphUnavailableError: The server cannot be reached.
    """
    if cards < 1:
        raise ConfigError("--cards must be at least 1")
    if growth_to is not None and growth_to <= cards:
        raise ConfigError("--growth-to must be larger than --cards")
    more = (growth_to or cards) - cards
    spec = load_bench_questions()
    questions, kinds = spec.questions, kinds_of(spec)
    startup = _server_startup(settings)
    if warmup_cards is None:
        warmup_cards = min(cards, MAX_WARMUP_CARDS)
    if warmup_cards:
        say(f"Warming the server up with {warmup_cards:,} cards in a scratch database ...")
        _warm_up(settings, database, warmup_cards, seed, batch_size)
    with tempfile.TemporaryDirectory(prefix="mrm3-bench-") as tmp, bench_graph(settings, database, keep=keep) as graph:
        say(f"Generating {cards:,} sample cards ...")
        started = time.perf_counter()
        stream = iter_cards(cards + more + 2 * baseline_cards, seed)
        named = write_cards(Path(tmp), (next(stream) for _ in range(cards)))
        generate_s = time.perf_counter() - started

        say(f"Ingesting {cards:,} cards in batches of {batch_size} ...")
        report = ingest_paths(graph, [Path(tmp)], batch_size=batch_size)
        if report.rejected:
            raise ConfigError(f"The sample generator made a card the ingester rejected: {report.rejected[0]}")
        inference_runs = graph.read("MATCH (i:ModelInference) RETURN count(i) AS n")[0]["n"]

        say(f"Asking {len(questions)} questions {repeats}x through the offline engine ...")
        started = time.perf_counter()
        schema_cache = SchemaCache(graph)
        schema_cache.get()
        schema_s = time.perf_counter() - started
        engine = OfflineEngine(graph, schema_cache, settings)
        model, other = named[len(named) // 2], named[-1]
        filled = [q.format(model=model, other_model=other) for q in questions]
        kind_of = {f: kinds.get(q, "other") for q, f in zip(questions, filled, strict=True)}
        asked = ask_questions(engine, filled, repeats)
        times, unanswered, asked_cypher = asked.all_times, asked.unanswered, asked.statements
        guard_times = time_guard(asked_cypher, schema_cache.get()) if asked_cypher else [0.0]
        growth = None
        if more:
            say(f"Growing the catalog by {more:,} cards to {cards + more:,}, then asking again ...")
            grown = _grow(graph, Path(tmp) / "growth", (next(stream) for _ in range(more)), batch_size)
            again = ask_questions(OfflineEngine(graph, SchemaCache(graph), settings), filled, repeats)
            growth = growth_figures(cards, report, asked, grown, again, kind_of)

        say(f"Ingesting {baseline_cards} more cards the reference way, with this project's indexes ...")
        indexed_s, _ = _timed_reference(graph, _rows(next(stream) for _ in range(baseline_cards)))
        say(f"Ingesting {baseline_cards} more cards the reference way, with its own indexes (as MRM3 does) ...")
        with reference_indexes_only(graph):
            baseline_s, statements = _timed_reference(graph, _rows(stream))
        nodes, relationships = _counts(graph)
        server_memory = _server_memory_mb(settings)
        description = graph.description

    ingest_rate = report.cards_valid / report.seconds if report.seconds else 0.0
    baseline_rate = baseline_cards / baseline_s if baseline_s else 0.0
    indexed_rate = baseline_cards / indexed_s if indexed_s else 0.0
    return BenchReport(
        cards=cards,
        ingest_cards_per_s=round(ingest_rate, 1),
        baseline_cards_per_s=round(baseline_rate, 1),
        speedup=round(ingest_rate / baseline_rate, 1) if baseline_rate else 0.0,
        ask_p50_ms=round(statistics.median(times), 2),
        ask_p95_ms=round(percentile(times, 95), 2),
        baseline_indexed_cards_per_s=round(indexed_rate, 1),
        speedup_vs_indexed=round(ingest_rate / indexed_rate, 1) if indexed_rate else 0.0,
        ingest_s=round(report.seconds, 3),
        batch_size=batch_size,
        inference_runs=int(inference_runs),
        nodes=nodes,
        relationships=relationships,
        baseline_cards=baseline_cards,
        baseline_statements=statements,
        questions=len(filled),
        questions_answered=len(filled) - len(unanswered),
        ask_max_ms=round(max(times), 2),
        schema_s=round(schema_s, 3),
        generate_s=round(generate_s, 3),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        server_peak_rss_mb=server_memory,
        server_startup_s=startup,
        server=description,
        warmup_cards=warmup_cards,
        unanswered=unanswered,
        kinds=asked.per_kind(kind_of),
        growth=growth,
        guard_statements=len(asked_cypher),
        guard_p50_ms=round(statistics.median(guard_times), 3),
        guard_max_ms=round(max(guard_times), 3),
    )
