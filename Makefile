# Dixian: `make run` starts everything on the embedded default; `make test` runs the whole suite.
# Both do their own set-up on a fresh machine: Python packages from uv.lock, npm packages from
# package-lock.json, Debian packages the tests need, compiled translations.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
UV := var/bootstrap/bin/uv
UV_VERSION := 0.13.8
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Python keeps the bytecode of what it imports (__pycache__, ignored by git). A machine whose
# environment sets PYTHONDONTWRITEBYTECODE made every process the suite starts (its workers,
# Celery workers, servers, commands) compile Django, the libraries and the project again:
# django.setup() took 2.8 s instead of 1.3, and a quarter of a worker-heavy part of the suite
# went to it (77 s against 52).
export PYTHONDONTWRITEBYTECODE :=

# The suite runs in TEST_WORKERS pytest-xdist processes (auto: one per core), each on a test
# database, Redis database and broker folder of its own (tests/xdist_isolation.py); TEST_WORKERS=0
# runs it in this process.
TEST_WORKERS ?= auto

.PHONY: run test setup system-packages lint typecheck db-start db-stop clean bench backup restore

run: setup
	$(PY) -m config.embedded run

test: setup system-packages
	@set -euo pipefail; \
	if [ -z "$${DATABASE_URL:-}" ]; then export DATABASE_URL=$$($(PY) -m config.embedded db-start); fi; \
	if [ -z "$${CELERY_BROKER_URL:-}" ]; then export DIXIAN_BROKER_DIR=var/test-broker; rm -rf var/test-broker; fi; \
	mkdir -p var; $(PY) -m tests.migrated_template > var/migrated-template.log 2>&1 & template=$$!; \
	trap 'kill $$template 2> /dev/null || true' EXIT; \
	echo "== static checks (the test database's template is made meanwhile)"; \
	$(VENV)/bin/ruff check .; \
	$(VENV)/bin/ruff format --check .; \
	$(VENV)/bin/lint-imports --no-cache; \
	$(PY) tools/mypy_gate.py; \
	$(PY) manage.py makemigrations --check --dry-run > /dev/null; \
	$(PY) tools/untranslated.py; \
	$(PY) manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml; \
	DIXIAN_ENV_FILE=.env.example docker-compose --env-file .env.example -f docker-compose.yml config -q; \
	wait $$template || { cat var/migrated-template.log; exit 1; }; \
	echo "== tests"; \
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=25 $(PYTEST_ARGS)

setup: $(VENV)/.synced node_modules/.installed locale/.compiled

$(UV):
	$(PYTHON) -m venv var/bootstrap
	var/bootstrap/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

locale/.compiled: $(VENV)/.synced $(wildcard locale/*/LC_MESSAGES/*.po)
	@command -v msgfmt > /dev/null || $(MAKE) system-packages
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v 0
	@touch $@

# Debian packages the suite needs; installed only when missing (as root, or through sudo):
# gettext for translations, docker-compose to check the compose file, Chromium and CJK fonts
# for the browser tests (Playwright drives Debian's Chromium; it never downloads a browser),
# PgBouncer for the test that runs Django through it (tests/ops/test_replica.py).
system-packages:
	@missing=""; \
	command -v msgfmt > /dev/null || missing="$$missing gettext"; \
	command -v docker-compose > /dev/null || missing="$$missing docker-compose"; \
	command -v chromium > /dev/null || missing="$$missing chromium"; \
	[ -x /usr/sbin/pgbouncer ] || command -v pgbouncer > /dev/null || missing="$$missing pgbouncer"; \
	[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing Debian packages:$$missing"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing > /dev/null; \
	fi

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

# mypy with the Django and DRF stubs, held to mypy-baseline.txt (tools/mypy_gate.py): no new
# errors, none at all in core/, monitoring/engine/, services and selectors, and the baseline
# shrunk in the same commit as the fix (tools/mypy_gate.py --write-baseline).
typecheck: setup
	$(PY) tools/mypy_gate.py

db-start: setup
	@$(PY) -m config.embedded db-start

db-stop: setup
	@$(PY) -m config.embedded db-stop

clean:
	rm -rf $(VENV) node_modules staticfiles locale/.compiled

# The benchmark of every main path (bench/run.py); SCALE households (default 1,000,000), then
# a tenth of it for growth. BENCH_ONLY=list,queue measures only those steps on the database as
# it stands. Figures: bench/results.json and docs/benchmarks.md. `bench/run.py --smoke` runs
# every step at a few hundred households into a database of its own, writing neither (CI runs it:
# tests/bench/test_bench_runs.py).
# BENCH_RESUME=1 goes on from the last run's progress (var/bench/dixian_bench-progress.jsonl):
# the steps it finished are taken from there, on the database it left.
SCALE ?= 1000000
bench: setup system-packages
	$(PY) bench/run.py --scale $(SCALE) $(if $(BENCH_ONLY),--only $(BENCH_ONLY)) $(if $(BENCH_RESUME),--resume)

# Backups (ops/backup.py; docs/operations.md): pg_dump -Fc of DATABASE_URL, or of the embedded
# default, into BACKUP_DIR; `make restore BACKUP=file RESTORE_DATABASE_URL=postgres://…/name`
# restores into a fresh database, refusing a non-empty one unless FORCE=1.
BACKUP_DIR ?= var/backups
backup:
	$(PY) ops/backup.py backup --dir "$(BACKUP_DIR)"

restore:
	@[ -n "$(BACKUP)" ] || { echo "usage: make restore BACKUP=var/backups/dixian-….dump RESTORE_DATABASE_URL=postgres://…/dixian_restored [FORCE=1]" >&2; exit 2; }
	$(PY) ops/backup.py restore "$(BACKUP)" $(if $(filter 1,$(FORCE)),--force)
