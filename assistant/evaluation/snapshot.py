"""Every answer of the development set and the generalisation suite, kept to compare before and after a change.

A refactoring of the offline engine must not change what it says. ``snapshot`` asks every question of both
sets (each catalog loaded into the graph in turn) and keeps each answer's text, rows, interpretation, caveats,
Cypher and whether it answered; ``compare`` lists every question whose answer differs.

Run it on the embedded server of a scratch ``MRM3_HOME`` (it REPLACES the graph's content)::

    MRM3_HOME=/tmp/snap MRM3_BOLT_PORT=7730 python -m assistant.evaluation.snapshot save before.json
    ... change the engine ...
    MRM3_HOME=/tmp/snap MRM3_BOLT_PORT=7730 python -m assistant.evaluation.snapshot save after.json
    python -m assistant.evaluation.snapshot compare before.json after.json
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.answers.answer import Answer
from assistant.config import Settings
from assistant.evaluation.defaults import DEFAULT_SET
from assistant.evaluation.run import AskFn, QuestionSet, evaluate, load_question_set
from assistant.evaluation.suite import load_suite, suite_outcome
from assistant.graph.connection import Graph, to_plain

Snapshot = dict[str, dict[str, Any]]
"""``set:question id`` -> the answer's text, rows, interpretation, caveats, cypher and answered."""
FIELDS = ("text", "rows", "interpretation", "caveats", "cypher", "answered")


def _recording(make_asker: Callable[[], AskFn], kept: list[Answer]) -> AskFn:
    ask = make_asker()

    def recorded(question: str) -> Answer:
        answer = ask(question)
        kept.append(answer)
        return answer

    return recorded


def _answers(sets: list[tuple[str, QuestionSet, Any]], graph: Graph, make_asker: Callable[[], AskFn]) -> Snapshot:
    found: Snapshot = {}
    for name, question_set, grade in sets:
        kept: list[Answer] = []  # in the order asked; a question that raised has none
        asker = functools.partial(_recording, make_asker, kept)
        report = evaluate(question_set, graph, asker, engine="offline", load=True, grade=grade)
        answers = iter(kept)
        for result in report.results:
            answer = next(answers) if result.error is None else None
            entry = {f: to_plain(getattr(answer, f)) for f in FIELDS} if answer else {"error": result.error}
            found[f"{name}:{result.question.id}"] = {**entry, "outcome": result.outcome}
    return found


def snapshot(graph: Graph, settings: Settings) -> Snapshot:
    """The offline engine's answer to every question of the development set and the generalisation suite."""
    from assistant.engines.router import Assistant
    from assistant.graph.introspect import SchemaCache

    def make_asker() -> AskFn:
        assistant = Assistant(settings, graph, schema_cache=SchemaCache(graph))
        return functools.partial(assistant.ask, engine="offline")

    sets = [("dev", load_question_set(DEFAULT_SET), None), ("suite", load_suite(), suite_outcome)]
    return _answers(sets, graph, make_asker)


def compare(before: Snapshot, after: Snapshot) -> list[str]:
    """One line per question whose answer differs (or that only one snapshot has)."""
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old is None or new is None:
            lines.append(f"{key}: only in the {'second' if old is None else 'first'} snapshot")
            continue
        changed = [f for f in (*FIELDS, "outcome") if old.get(f) != new.get(f)]
        if changed:
            lines.append(
                f"{key}: {', '.join(changed)} differ; text was {old.get('text')!r:.200}, is {new.get('text')!r:.200}"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    """``save FILE`` or ``compare A B``; exit code 1 when answers differ."""
    parser = argparse.ArgumentParser(prog="python -m assistant.evaluation.snapshot", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("save").add_argument("path", type=Path)
    diff = sub.add_parser("compare")
    diff.add_argument("before", type=Path)
    diff.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "save":
        from assistant.graph.connection import connect

        settings = Settings.from_env()
        with connect(settings) as graph:
            found = snapshot(graph, settings)
        args.path.write_text(json.dumps(found, indent=1, sort_keys=True, default=str), encoding="utf-8")
        sys.stderr.write(f"{len(found)} answers saved to {args.path}\n")
        return 0
    lines = compare(*(json.loads(p.read_text(encoding="utf-8")) for p in (args.before, args.after)))
    sys.stdout.write("".join(f"{line}\n" for line in lines) or "no answer differs\n")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
