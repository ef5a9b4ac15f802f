# Digest CMS: `make run` serves the site with demo content; `make test` runs the whole suite.
# Both are idempotent: a second run reuses the virtualenv, packages and database the first made.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# axe-core for the accessibility browser tests (npm, from package-lock.json).
NODE_INSTALLED := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup system-packages run demo test lint format clean bench bench-import

setup: system-packages $(INSTALLED) $(NODE_INSTALLED)

system-packages:
	@scripts/install-system-packages.sh

$(PY):
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The SQLite default with demo content and demo accounts (development only: DEBUG=1).
demo: setup
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py load_demo

# Scheduled issues publish while the site runs: a background loop checks every minute and stops with the server;
# it also sends the mail that is due (written to files under var/mail/ unless EMAIL_HOST is set).
run: demo
	@echo "Digest CMS at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	DEBUG=1 $(PY) manage.py publish_scheduled --every 60 & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# With DATABASE_URL set (postgres://…), the suite runs against that database. Two passes, each on
# TEST_WORKERS processes (a database of their own each): tests that empty the database when they end
# (transactional and browser tests) run apart, so the migrations' reference data is never gone under
# the others. Files stay whole on one worker (--dist loadfile). One process: `.venv/bin/python -m pytest`.
TEST_WORKERS ?= 2
test: setup
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not transactional"
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m transactional

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djlint templates --reformat

# The whole benchmark against PostgreSQL (DATABASE_URL, default the digest_bench database, created and filled if
# missing) with Redis (CACHE_URL, default db 10, flushed): one table, numbers in bench/results/.
# ISSUES sets the archive's size (default 500; another size gets a database of its own, digest_bench_<N>).
ISSUES ?= 500
bench: setup
	$(PY) bench/run.py --issues $(ISSUES)

# Legacy import rate: 500 generated legacy texts into a fresh SQLite file (target ≥ 50 issues/s).
bench-import: setup
	$(PY) bench/import_legacy.py --json bench/results/import_legacy.json

.PHONY: soak sqlmap probe

# Load, memory and a PostgreSQL outage against gunicorn (stops and restarts the local cluster 15/main): by hand.
soak: setup
	$(PY) security/soak.py --json security/results/soak.json

# sqlmap against the search, its filters and the archive, on PostgreSQL and SQLite: by hand (about half an hour).
sqlmap: setup
	$(PY) security/sqlmap_search.py --json security/results/sqlmap.json

# The second review's findings (issue 17) reproduced against a production-mode server, with Redis: by hand.
probe: setup
	$(PY) security/probe.py --json security/results/probe-after.json

clean:
	rm -rf $(VENV) var/static
