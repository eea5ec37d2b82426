# The README's two commands: `make demo` (set up + main job) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
MRM3   := $(BIN)/mrm3
NO_UI  ?=
UI_PORT ?= 8501

ROUNDS ?= 15

.PHONY: install install-test demo test lint stop startup

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

## Set everything up, run the main job on the embedded graph server, then open the chat page.
## `mrm3 demo` loads the synthetic SAMPLE catalog and the 22 MRM3 example cards that ship in ingest/mrm3_cards,
## so nothing outside the repository is needed.
demo: install
	$(MRM3) db start
	$(MRM3) demo
	$(MRM3) stats
	@echo "--- MRM3 README query 1: lowest inference energy"
	$(MRM3) query "$$(cat docs/queries/mrm3-readme-1-lowest-energy.cypher)"
	@echo "--- MRM3 README query 2: lowest training carbon on lumos5g"
	$(MRM3) query "$$(cat docs/queries/mrm3-readme-2-lowest-carbon.cypher)"
	@# Last, the chat page on this catalog, in the foreground (Ctrl-C stops it).
	@# NO_UI=1 skips it for scripted runs; UI_PORT picks another port.
	@if [ -n "$(NO_UI)" ]; then echo "(NO_UI set: not starting the chat page; run '$(MRM3) ui' to open it)"; \
	 else $(MRM3) ui --port $(UI_PORT); fi

## Install what the tests need and run them.
test: install-test
	$(BIN)/python -m pytest

## Time `mrm3 --help` and `mrm3 ask --engine offline` against `import click` and `import neo4j` (README: Start-up time).
## Starts an embedded server of its own in a temporary MRM3_HOME; ROUNDS=N sets the timed rounds.
startup: install
	$(BIN)/python -m assistant.bench.startup --rounds $(ROUNDS)

lint: install-test
	$(BIN)/ruff check assistant ingest tests streamlit_app.py
	$(BIN)/mypy

stop:
	$(MRM3) db stop
