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
CHROMIUM := /usr/bin/chromium

.PHONY: install serve build check test browser clean

$(STAMP): requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11" >&2; exit 1; }
	@echo "==> creating $(VENV) and installing Python packages (requirements.txt)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

install: $(STAMP)

serve: install
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: install
	$(BIN)/mkdocs build --strict

check: install
	@$(BIN)/python -m sitedata check

browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "==> installing Debian's chromium (needs root)"; \
	  $(if $(shell command -v sudo 2>/dev/null),sudo,) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(if $(shell command -v sudo 2>/dev/null),sudo,) apt-get install -y -qq chromium >/dev/null; \
	fi
	@$(CHROMIUM) --version

test: install browser
	$(BIN)/python -m pytest

clean:
	rm -rf site dist .pytest_cache
