# Two commands do all the set-up on a fresh machine:
#   make run [FOLDER=~/Pictures/2024]   install (once) and run Curator
#   make test                           install (once) and run lint, types and tests
# Both create or reuse the virtualenv in .venv (re-installed when pyproject.toml changes).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
FOLDER ?=

.PHONY: install run test test-under-load lint bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/curator $(FOLDER)

lint: $(STAMP)
	$(PY) -m ruff check curator tests
	$(PY) -m ruff format --check curator tests
	$(PY) -m mypy

# Tests and benchmarks draw offscreen; `make run` uses your screen.
test: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not bench" -q

# `make test` RUNS times (default 5) while two busy loops keep both cores busy.
test-under-load: $(STAMP)
	RUNS=$(or $(RUNS),5) scripts/test-under-load.sh

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/bench -m bench -s -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
