# Two commands set everything up on a fresh machine:
#   make serve   - create .venv, install, serve the site on http://127.0.0.1:8000
#   make test    - install everything the tests need (incl. Chromium) and run them all
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)/hooks
export NO_MKDOCS_2_WARNING := 1
# Debian's chromium package; tests launch its binary directly (tests/browser/harness.py), not the wrapper script.
CHROMIUM := /usr/bin/chromium
CHROMIUM_BIN := /usr/lib/chromium/chromium

.PHONY: install serve build check test browser java clean lock lint new fmt links npm offline bench bench-quick pre-commit import-hsds

$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11" >&2; exit 1; }
	@echo "==> creating $(VENV) and installing $$(grep -c '==' requirements.txt) pinned Python packages (requirements.txt); the first time takes a minute or two"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# One line per package as pip works through them, so a first install never sits silent.
	@$(BIN)/pip install --disable-pip-version-check --progress-bar off -r requirements.txt | grep --line-buffered -E '^(Collecting|Successfully installed)' | sed -u 's/^/    /'; test $${PIPESTATUS[0]} -eq 0
	@# The core itself, editable, so MkDocs finds its plugin (pyproject.toml: entry point mkdocs.plugins).
	@$(BIN)/pip install --disable-pip-version-check --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

# npm packages pinned in package-lock.json: lunr.js for the site search (every build copies it into the site),
# the iframe-worker shim the offline copy serves, axe-core for tests.
NPM_STAMP := node_modules/.package-lock.json
$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: npm not found; install Node.js 18 or later, which includes npm" >&2; exit 1; }
	@echo "==> installing npm packages (package-lock.json)"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $(NPM_STAMP)

npm: $(NPM_STAMP)

# --dirty: a rebuild renders again only the pages whose inputs changed (DEVELOPING.md, "make serve"). Builds stay clean.
serve: install npm
	$(BIN)/mkdocs serve --dirty --dev-addr 127.0.0.1:8000

build: install npm
	$(BIN)/mkdocs build --strict

check: install
	@$(BIN)/python -m sitedata check $(ARGS)

# Editors: add an entry (asks questions; or ARGS="practice --title ... --area ..."), then format.
new: install
	@$(BIN)/python -m sitedata new $(ARGS)

fmt: install
	@$(BIN)/python -m sitedata fmt $(ARGS)

# Editors: import an Open Referral HSDS 3.0 feed (a .json record or list, or a datapackage.json) into data/helplines.yaml.
# FILE=feed.json ARGS="--publisher 'Example Council' --url https://... --area Redbridge"; --help lists the options.
import-hsds: install
	@test -n "$(FILE)" || { echo "usage: make import-hsds FILE=path/to/feed.json [ARGS=...]" >&2; exit 2; }
	@$(BIN)/python -m sitedata import-hsds "$(FILE)" $(ARGS)

# External link check of a fresh build (network; the weekly workflow runs it). ARGS="--markdown report.md"
links: build
	$(BIN)/python -m sitedata.postbuild.links --site site --external $(ARGS)

# The offline copy in dist/offline.zip: unzip it anywhere and open index.html. Run it before
# `make build` and the site offers the zip for download (docs/offline.md).
offline: install npm
	$(BIN)/mkdocs build --strict -f mkdocs.offline.yml
	$(BIN)/python -m sitedata.postbuild.offline dist/offline-site dist/offline.zip

browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "==> installing Debian's chromium (needs root)"; \
	  $(if $(shell command -v sudo 2>/dev/null),sudo,) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(if $(shell command -v sudo 2>/dev/null),sudo,) apt-get install -y -qq chromium >/dev/null; \
	fi
	@$(CHROMIUM_BIN) --version

# The W3C Nu HTML checker (npm vnu-jar, tests/integration/test_html_valid.py) runs on Java.
java:
	@if ! command -v java >/dev/null; then \
	  echo "==> installing Debian's Java runtime for the Nu HTML checker (needs root)"; \
	  $(if $(shell command -v sudo 2>/dev/null),sudo,) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(if $(shell command -v sudo 2>/dev/null),sudo,) apt-get install -y -qq default-jre-headless >/dev/null; \
	fi
	@java -version 2>&1 | head -1

lint: install
	$(BIN)/ruff check hooks tests bench

# Every test, on both cores (pytest-xdist; one test file stays on one worker so its fixtures are
# built once), then the 15 slowest. Files go to the workers in folder order, browser/ and integration/
# (few, long tests) before unit/ (many short ones), so the short ones fill the end; xdist's own order,
# most tests first, left a long browser file for last. The data must already be in `make fmt`'s form.
test: install browser java npm lint
	@$(BIN)/python -m sitedata fmt --check
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder --durations=15

# Runs make fmt, make check and the workflow checks before each commit (.pre-commit-config.yaml).
pre-commit: install
	$(BIN)/pre-commit install

# Performance (BENCHMARKS.md): builds at 100, 1,000 and 10,000 synthetic entries beside plain
# Material, times make check, mkdocs serve and search in Chromium, weighs the pages, and prints a
# PASS/FAIL line per target; then the site search beside Material's search, from file:// on a phone
# (bench/search_speed.py). The full run is long; bench-quick is for development.
# BENCH_ARGS="--record" writes the results into BENCHMARKS.md.
bench: install browser npm
	$(BIN)/python -m bench $(BENCH_ARGS)
	$(BIN)/python -m bench.search_speed --sizes real,1000,10000

bench-quick: install browser npm
	$(BIN)/python -m bench --quick $(BENCH_ARGS)
	$(BIN)/python -m bench.search_speed --sizes real,1000 --runs 3

# Re-pin requirements.txt from a fresh environment built from pyproject.toml's ranges.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check ".[test]"
	{ sed -n '1,2p' requirements.txt; .lock-venv/bin/pip freeze --exclude-editable | grep -v '^da-practice-guide' | sort -f; } > requirements.txt.new
	mv requirements.txt.new requirements.txt && rm -rf .lock-venv

clean:
	rm -rf site dist .pytest_cache
