"""End to end in a real browser: ``mrm3 ui`` (``streamlit run``) driven by headless Chromium.

Playwright for Python drives Debian's ``chromium`` package
(``executable_path=/usr/bin/chromium``); Playwright's own browser download is
never used. Without Chromium the test is skipped and says how to install it
(``.ci/run`` does, as root). The screenshot lands in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from assistant.config import Settings
from assistant.graph.connection import Graph
from ingest.ingester import ingest_paths
from ingest.sample import write_catalog
from ingest.writer import reset
from tests.conftest import REPO, free_port

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 90.0
ANSWER_TIMEOUT_MS = 90_000
DATASET = "imagenet-subset"

GREENEST = """
MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model)-[:TRAINED_ON]->(d:Dataset {{name: '{dataset}'}})
WHERE t.carbonFootprint > 0
RETURN m.name AS model
ORDER BY t.carbonFootprint ASC
LIMIT 5
"""


def chromium() -> str:
    """Debian's Chromium, or a skip that says how to get it."""
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if path is None:
        pytest.skip("no Chromium on this machine - install Debian's package: apt-get install -y chromium")
    return path


@pytest.fixture
def sample_graph(session_graph: Graph, tmp_path: Path) -> Graph:
    reset(session_graph)
    write_catalog(tmp_path / "sample")
    assert ingest_paths(session_graph, [tmp_path / "sample"]).ok
    return session_graph


@pytest.fixture
def page(
    sample_graph: Graph,
    cli_env: dict[str, str],
    tmp_path: Path,
) -> Iterator[tuple[str, Path]]:
    """``mrm3 ui`` on a free localhost port with the session's environment (no LLM: the offline engine).

    Yields the page's URL and its server log.
    """
    port = free_port()
    env = {**os.environ, **cli_env}
    env.pop("MRM3_RAISE_ERRORS", None)
    log = tmp_path / "ui-server.log"
    with log.open("wb") as out:
        # A new session makes the page and its streamlit child one process group to stop.
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "ui", "--port", str(port), "--no-browser"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield url, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"mrm3 ui exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"the page did not answer within {START_TIMEOUT_S:.0f} s:\n{log.read_text(errors='replace')}")


def test_a_question_typed_in_the_browser_shows_the_right_model_in_the_table(
    page: tuple[str, Path],
    sample_graph: Graph,
    settings: Settings,
) -> None:
    executable = chromium()
    url, log = page
    expected = sample_graph.read(GREENEST.format(dataset=DATASET))[0]["model"]
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.goto(url)
            box = tab.get_by_test_id("stChatInputTextArea")
            box.wait_for(timeout=ANSWER_TIMEOUT_MS)
            box.fill(f"Which model has the lowest training carbon footprint on {DATASET}?")
            box.press("Enter")

            table = tab.locator('[data-testid="stChatMessage"] [data-testid="stDataFrame"]').first
            table.wait_for(timeout=ANSWER_TIMEOUT_MS)
            # The grid draws on a canvas; its accessible table holds the cell text.
            cells = table.locator("td")
            cells.first.wait_for(state="attached", timeout=ANSWER_TIMEOUT_MS)
            assert expected in cells.all_text_contents()
            tab.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=ANSWER_TIMEOUT_MS)
            tab.wait_for_timeout(1500)  # let the chart finish drawing before the picture
            tab.get_by_test_id("stChatMessage").first.scroll_into_view_if_needed()
            tab.screenshot(path=str(ARTIFACTS / "ui-chat.png"))
            tab.get_by_text("Cypher that ran", exact=True).click()
            # the training carbon, read from the model's measured copy (ingest/derived.py)
            tab.locator('[data-testid="stChatMessage"] [data-testid="stCode"]').get_by_text(
                "trainingCarbon"
            ).first.wait_for(timeout=10_000)
            body = tab.content()
        finally:
            browser.close()

    assert "Traceback" not in body
    password = (settings.home / "password").read_text().strip()
    assert password not in body
    assert password not in log.read_text(errors="replace")


def test_a_decision_shows_its_choice_on_the_chart(page: tuple[str, Path], sample_graph: Graph) -> None:
    """A choice between two objectives: the chart is drawn, the chosen point and its rule are said under it, and
    the models without a measured value are listed beside it, never drawn at 0."""
    executable = chromium()
    url, _ = page
    question = f"Which {DATASET} model should I use for the best trade-off between accuracy and training carbon?"
    unmeasured = sample_graph.read(
        "MATCH (t:ModelTraining)-[:TRAINS_ON]->(m:Model)-[:TRAINED_ON]->(:Dataset {name: $d}) "
        "WHERE coalesce(t.carbonFootprint, 0) = 0 RETURN m.name AS model",
        {"d": DATASET},
    )
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1100})
            tab.goto(url)
            box = tab.get_by_test_id("stChatInputTextArea")
            box.wait_for(timeout=ANSWER_TIMEOUT_MS)
            box.fill(question)
            box.press("Enter")
            chart = tab.locator('[data-testid="stChatMessage"] [data-testid="stVegaLiteChart"]').first
            chart.wait_for(timeout=ANSWER_TIMEOUT_MS)
            tab.get_by_text("chosen:", exact=False).first.wait_for(timeout=ANSWER_TIMEOUT_MS)
            tab.wait_for_timeout(1500)  # let the chart finish drawing before the picture
            chart.scroll_into_view_if_needed()
            tab.screenshot(path=str(ARTIFACTS / "ui-decision.png"))
            body = tab.content()
        finally:
            browser.close()
    assert "Traceback" not in body
    assert "within 1% of the best" in body
    if unmeasured:
        assert "Not measured" in body and str(unmeasured[0]["model"]) in body
