# Two commands: `make run` sets up and starts the app; `make test` sets up and runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# Debian packages: Graphviz's `dot` for diagrams, fonts with wide Unicode coverage for
# non-Latin text in diagrams; Chromium (browser tests, plotly static export) and
# poppler-utils (PDF page checks) for tests; Node.js and npm run Mermaid's own renderer over every Mermaid
# export (tools/mermaid, pinned in its package-lock.json; it drives the same Debian Chromium).
RUN_DEBS := graphviz fonts-dejavu-core fonts-wqy-microhei
TEST_DEBS := chromium poppler-utils
MERMAID_CLI := tools/mermaid/node_modules/.bin/mmdc
# HAProxy serves a room (`make workshop`): cookie affinity and active health checks (deploy/workshop.py says why
# not nginx). The tests start a room too, so `setup-test` installs it as well.
WORKSHOP_DEBS := haproxy
REPLICAS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: help run workshop test setup setup-test setup-workshop lint bench clean

help:
	@echo "make run    set up (venv, packages, Graphviz) and start the app on http://localhost:$(PORT)"
	@echo "make workshop  a room: REPLICAS app processes (default: one per core) behind HAProxy on PORT"
	@echo "make test   set up (also Chromium, poppler) and run the whole test suite"
	@echo "make lint   ruff over the project"
	@echo "make bench  run the benchmarks under bench/"

# --- system packages ---------------------------------------------------------------
define need_debs
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Please install these system packages first (e.g. sudo apt-get install$$missing), then run make again."; exit 1; \
	  fi; \
	fi
endef

# The same, as one shell command for a recipe line of its own.
need_debs_cmd = if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then echo "Installing system packages: $(1)"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(1) >/dev/null; \
	else echo "Please install these system packages first (e.g. sudo apt-get install $(1)), then run make again."; exit 1; fi

# --- Python environment ------------------------------------------------------------
$(VENV)/.runtime: requirements.txt constraints.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt -c constraints.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt constraints.txt $(VENV)/.runtime
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $@

setup: $(VENV)/.runtime
	$(call need_debs,$(RUN_DEBS))

setup-workshop: setup
	$(call need_debs,$(WORKSHOP_DEBS))

setup-test: setup setup-workshop $(VENV)/.dev
	$(call need_debs,$(TEST_DEBS))
	@$(MAKE) --no-print-directory $(MERMAID_CLI)

# Mermaid's CLI from the lock file; Puppeteer's own browser download is skipped (Debian's Chromium is used).
# npm comes with the machine's Node.js when it has one (its own build bundles npm, and Debian's npm package
# would conflict with it); otherwise Debian's nodejs and npm are installed.
$(MERMAID_CLI): tools/mermaid/package.json tools/mermaid/package-lock.json
	@command -v npm >/dev/null 2>&1 || { $(call need_debs_cmd,nodejs npm); }
	cd tools/mermaid && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# --- the two commands ----------------------------------------------------------------
run: setup
	$(PY) -m streamlit run server.py --server.port $(PORT) --server.address localhost

workshop: setup-workshop
	$(PY) -m deploy.workshop --port $(PORT) --replicas $(REPLICAS)

test: setup-test
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: $(VENV)/.dev
	$(PY) -m ruff check .

bench: setup-test
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
