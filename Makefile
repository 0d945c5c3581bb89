# Two commands do all the set-up on a fresh machine:
#   make run [FOLDER=~/Pictures/2024]   install (once) and run Curator
#   make test                           install (once) and run lint, types and tests
# Both create or reuse the virtualenv in .venv (re-installed when pyproject.toml changes).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
FOLDER ?=

.PHONY: install run test test-under-load lint bench clean exiftool

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

# The XMP tests read sidecars back with exiftool (Debian: libimage-exiftool-perl).
# Installed here when missing and root or passwordless sudo allows it (an
# `apt-get update` first only if the plain install fails); otherwise a note, and
# those tests skip with the same advice.
exiftool:
	@command -v exiftool >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else SUDO=none; fi; \
	  if [ "$$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then \
	    $$SUDO apt-get install -y -q libimage-exiftool-perl \
	    || { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q libimage-exiftool-perl; } \
	    || echo "note: could not install exiftool; the XMP read-back tests will be skipped."; \
	  else \
	    echo "note: exiftool is missing and can't be installed here (needs root or sudo -n, and apt-get);"; \
	    echo "      install libimage-exiftool-perl (or exiftool) to run the XMP read-back tests."; \
	  fi; }

# Tests and benchmarks draw offscreen; `make run` uses your screen.
test: lint exiftool
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not bench" -q

# `make test` RUNS times (default 5) while two busy loops keep both cores busy.
test-under-load: $(STAMP)
	RUNS=$(or $(RUNS),5) scripts/test-under-load.sh

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/bench -m bench -s -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
