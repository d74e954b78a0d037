# Two commands on a fresh machine with Python 3.11+ and make:
#   make run    install, then run Rounds (the console when no platform token is set)
#   make test   install, then run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/rounds

test: $(STAMP)
	$(BIN)/pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks.core
	$(BIN)/python -m benchmarks.outbox
	$(BIN)/python -m benchmarks.fanout
	$(BIN)/python -m benchmarks.pairing
	$(BIN)/python -m benchmarks.round
	$(BIN)/python -m benchmarks.directory
	$(BIN)/python -m benchmarks.discord
	$(BIN)/python -m benchmarks.slack
	$(BIN)/python -m benchmarks.load
	$(BIN)/python -m benchmarks.footprint
	$(BIN)/python -m benchmarks.mentor
	$(BIN)/python -m benchmarks.guard
	$(BIN)/python -m benchmarks.qa
	$(BIN)/python -m benchmarks.data_rights
	$(BIN)/python -m benchmarks.events
	$(BIN)/python -m benchmarks.dashboard
	$(BIN)/python -m benchmarks.crash
	$(BIN)/python -m benchmarks.outage

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
