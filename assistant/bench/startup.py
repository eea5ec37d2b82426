"""How fast the ``mrm3`` command starts, against the imports it cannot avoid (``make startup``).

Times four commands, each in a fresh process, interleaved round by round so
that a busy machine slows them alike:

- ``python -c "import click"`` and ``mrm3 --help``: the help must come within
  5x of importing click alone;
- ``python -c "import neo4j"`` and ``mrm3 ask --engine offline "how many
  models"`` against a running embedded server: the answer must come within
  1.5x of importing the driver alone.

The embedded server runs in an MRM3_HOME of the benchmark's own (a temporary
directory holding the sample catalog, stopped afterwards), or in ``--home``
when given, where a running server and its cards are used as they are. The
commands run with Python's bytecode cache on, as a user's do (see :func:`child_env`).

Run it with ``python -m assistant.bench.startup [--rounds N] [--json] [--check]``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.graph.embedded import EmbeddedServer, free_port

QUESTION = "how many models"
DEFAULT_ROUNDS = 15
# Untimed rounds first: they fill the file and bytecode caches and warm the JIT of a freshly started server.
DEFAULT_WARMUP_ROUNDS = 3
# The targets of issue #13, as ratios so they hold on any machine.
HELP_TARGET = 5.0
ASK_TARGET = 1.5


@dataclass(frozen=True)
class Command:
    """One timed command line."""

    name: str
    argv: tuple[str, ...]


@dataclass(frozen=True)
class Ratio:
    """A command's median against its reference's median, and the target it must meet."""

    name: str
    command: str
    reference: str
    ratio: float
    target: float

    @property
    def met(self) -> bool:
        """True when the ratio is within the target."""
        return self.ratio <= self.target


def mrm3_argv() -> tuple[str, ...]:
    """The ``mrm3`` console script next to this interpreter, as a user runs it; ``python -m assistant`` without it."""
    script = Path(sys.executable).parent / "mrm3"
    return (str(script),) if script.is_file() else (sys.executable, "-m", "assistant")


def commands() -> list[Command]:
    """The four command lines, each reference before the command it is compared with."""
    mrm3 = mrm3_argv()
    return [
        Command('python -c "import click"', (sys.executable, "-c", "import click")),
        Command("mrm3 --help", (*mrm3, "--help")),
        Command('python -c "import neo4j"', (sys.executable, "-c", "import neo4j")),
        Command(f'mrm3 ask --engine offline "{QUESTION}"', (*mrm3, "ask", "--engine", "offline", QUESTION)),
    ]


def run_once(command: Command, env: Mapping[str, str]) -> float:
    """Run ``command`` once and return its wall-clock seconds.

    Raises:
        AssistantError: The command failed, or ``ask`` printed no answer (a fast failure is no result).
    """
    started = time.perf_counter()
    done = subprocess.run(command.argv, env=dict(env), capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - started
    if done.returncode != 0 or (command.argv[-1] == QUESTION and not done.stdout.strip()):
        raise AssistantError(f"{command.name} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return seconds


def time_rounds(
    cmds: Sequence[Command], env: Mapping[str, str], rounds: int, warmup_rounds: int = DEFAULT_WARMUP_ROUNDS
) -> dict[str, list[float]]:
    """Each command once per round, after untimed warm-up rounds; each round starts one command later.

    Rotating the order keeps any one command from always running right after
    the server's busiest moment.
    """
    for _ in range(warmup_rounds):
        for command in cmds:
            run_once(command, env)
    times: dict[str, list[float]] = {command.name: [] for command in cmds}
    for r in range(rounds):
        for i in range(len(cmds)):
            command = cmds[(r + i) % len(cmds)]
            times[command.name].append(run_once(command, env))
    return times


def ratios(medians: Mapping[str, float], cmds: Sequence[Command]) -> list[Ratio]:
    """``mrm3 --help`` against importing click, ``mrm3 ask`` against importing neo4j."""
    click_, help_, neo4j_, ask = (command.name for command in cmds)
    return [
        Ratio("help_vs_import_click", help_, click_, medians[help_] / medians[click_], HELP_TARGET),
        Ratio("ask_vs_import_neo4j", ask, neo4j_, medians[ask] / medians[neo4j_], ASK_TARGET),
    ]


def machine() -> dict[str, Any]:
    """What the figures were measured on: CPUs, their model, Python, the load when the run began."""
    cpu = platform.processor() or platform.machine()
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


@contextmanager
def embedded_server(home: Path | None, port: int | None, heap: str, say: Callable[[str], None]) -> Iterator[Settings]:
    """A running embedded server: ``home``'s with its cards, or a new one holding the sample catalog.

    A server this function started is stopped afterwards, and a temporary home removed.

    Raises:
        AssistantError: The server did not start, or the sample catalog could not be loaded.
    """
    own_home = home is None
    if home is None:
        directory = Path(tempfile.mkdtemp(prefix="mrm3-startup-"))
        settings = Settings(home=directory, bolt_port=port or free_port(), heap=heap)
    else:
        # A user's home: its port from MRM3_BOLT_PORT unless --port says otherwise, like every mrm3 command.
        settings = Settings.from_env(home=home, bolt_port=port, heap=heap)
    server = EmbeddedServer(settings)
    started = not server.status().running
    try:
        if started:
            say(f"Starting an embedded server in {settings.home} on port {settings.bolt_port} ...")
            server.start()
        if own_home:
            # The sample catalog through the CLI, as a user loads it: the question then counts real cards.
            done = subprocess.run(
                [*mrm3_argv(), "demo"], env=child_env(settings), capture_output=True, text=True, timeout=600
            )
            if done.returncode != 0:
                raise AssistantError(f"mrm3 demo failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
        yield settings
    finally:
        if started:
            server.stop()
        if own_home:
            shutil.rmtree(settings.home, ignore_errors=True)


def child_env(settings: Settings) -> dict[str, str]:
    """This environment, pointed at ``settings``' embedded server and at no LLM, with Python's bytecode cache on.

    Python caches compiled modules unless told not to; a user's ``mrm3`` runs
    from that cache after its first run. PYTHONDONTWRITEBYTECODE (set on some
    build machines) would make every run compile the project's modules again,
    so it is left out, and the warm-up rounds fill the cache.
    """
    environ = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return {
        **environ,
        "MRM3_HOME": str(settings.home),
        "MRM3_BOLT_PORT": str(settings.bolt_port),
        "NEO4J_URI": "",
        "OPENAI_API_KEY": "",
        "OPENAI_BASE_URL": "",
    }


def measure(settings: Settings, rounds: int, warmup_rounds: int = DEFAULT_WARMUP_ROUNDS) -> dict[str, Any]:
    """Time the four commands against ``settings``' server; the ``--json`` contract."""
    cmds = commands()
    load = machine()
    times = time_rounds(cmds, child_env(settings), rounds, warmup_rounds)
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "rounds": rounds,
        "warmup_rounds": warmup_rounds,
        "bytecode_cached": True,
        "machine": load,
        "server": f"bolt://127.0.0.1:{settings.bolt_port} (embedded, {settings.home})",
        "commands": {
            command.name: {
                "argv": list(command.argv),
                "median_s": round(medians[command.name], 4),
                "min_s": round(min(times[command.name]), 4),
                "max_s": round(max(times[command.name]), 4),
            }
            for command in cmds
        },
        "ratios": {
            r.name: {
                "command": r.command,
                "reference": r.reference,
                "ratio": round(r.ratio, 3),
                "target": r.target,
                "met": r.met,
            }
            for r in ratios(medians, cmds)
        },
    }


def format_report(report: Mapping[str, Any]) -> str:
    """The medians, then each ratio against its target."""
    m = report["machine"]
    lines = [
        f"Start-up, median of {report['rounds']} interleaved rounds (after {report['warmup_rounds']} untimed)",
        f"on {m['cpus']} CPUs ({m['cpu']}), {m['system']}, Python {m['python']} (bytecode cached), "
        f"load {m['load_average_1min']} at the start:",
    ]
    width = max(len(name) for name in report["commands"])
    for name, figures in report["commands"].items():
        lines.append(
            f"  {name:<{width}}  {figures['median_s']:.3f} s  (min {figures['min_s']:.3f}, max {figures['max_s']:.3f})"
        )
    for ratio in report["ratios"].values():
        verdict = "met" if ratio["met"] else "MISSED"
        lines.append(
            f"  {ratio['command']} / {ratio['reference']}: {ratio['ratio']:.2f}x "
            f"(target <= {ratio['target']:g}x): {verdict}"
        )
    return "\n".join(lines)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--rounds", type=click.IntRange(1, 1000), default=DEFAULT_ROUNDS, show_default=True, help="Timed rounds.")
@click.option(
    "--warmup",
    type=click.IntRange(0, 100),
    default=DEFAULT_WARMUP_ROUNDS,
    show_default=True,
    help="Untimed rounds first (file and bytecode caches, the JIT of the server).",
)
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    help="Use the embedded server (and cards) of this MRM3_HOME.  [default: a temporary one with the sample catalog]",
)
@click.option("--port", type=click.IntRange(1, 65535), help="Bolt port of the server.  [default: a free port]")
@click.option("--heap", default="1g", show_default=True, help="Java heap of a server the benchmark starts.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON on stdout.")
@click.option("--check", is_flag=True, help="Exit with code 1 when a target is missed.")
def main(rounds: int, warmup: int, home: Path | None, port: int | None, heap: str, as_json: bool, check: bool) -> None:
    """Time `mrm3 --help` and `mrm3 ask --engine offline` against `import click` and `import neo4j`.

    \b
    Example:
        python -m assistant.bench.startup --rounds 20
        python -m assistant.bench.startup --home ~/.local/share/mrm3-assistant --json
    """

    def say(line: str) -> None:
        click.echo(line, err=True)

    try:
        with embedded_server(home, port, heap, say) as settings:
            say(f"Timing {rounds} rounds of 4 commands ...")
            report = measure(settings, rounds, warmup)
    except (AssistantError, subprocess.TimeoutExpired) as e:
        raise click.ClickException(str(e)) from e
    click.echo(json.dumps(report, indent=2) if as_json else format_report(report))
    if check and not all(r["met"] for r in report["ratios"].values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
