# dangqun — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Find a Python 3.12+ interpreter: $(PYTHON) if given, then the usual names, then pyenv and
# Debian locations. Each candidate is run to check its version (pyenv shims may refuse).
PYTHON_CANDIDATES := $(PYTHON) python3.13 python3.12 python3 python \
	$(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3) \
	$(wildcard /usr/bin/python3.1[2-9] /usr/local/bin/python3.1[2-9])
find_python = $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell $(p) -c 'import sys; print(sys.executable) if sys.version_info >= (3, 12) else None' 2>/dev/null)))

.PHONY: help setup install install-dev migrate seed run test lint format messages screenshots clean bench \
	backup restore loadtest

help:
	@echo "make run    — set up (venv, install, migrate, demo data) and serve http://$(HOST):$(PORT)"
	@echo "make test   — install dev dependencies and run lint, checks and the whole test suite"
	@echo "make setup  — venv, install, migrate, seed_demo (idempotent)"
	@echo "make format — format the code with ruff"
	@echo "make backup — dump the database and media into a new folder under BACKUP_DIR (var/backups)"
	@echo "make restore BACKUP=var/backups/<stamp> [RESTORE_DATABASE_URL=…] [FORCE=1]"
	@echo "             — restore a backup into an empty database and MEDIA_ROOT, then verify it"

$(PY):
	@py="$(call find_python)"; \
	if [ -z "$$py" ]; then \
		echo "dangqun needs Python 3.12 or newer, and none was found."; \
		echo "Install one (Debian/Ubuntu: apt-get install python3.13 python3.13-venv;"; \
		echo "macOS: brew install python@3.13; or pyenv install 3.13) or run: make PYTHON=/path/to/python3.12"; \
		exit 1; \
	fi; \
	echo "Creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV)
	@$(BIN)/pip install --quiet --disable-pip-version-check uv

# Installs re-run only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(BIN)/uv pip install --quiet --python $(PY) -r pyproject.toml
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(BIN)/uv pip install --quiet --python $(PY) -r pyproject.toml --extra dev
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

var/media:
	@mkdir -p var/media

migrate: install var/media
	@$(PY) manage.py migrate --no-input -v 0

seed: migrate
	@$(PY) manage.py seed_demo

setup: seed

run: setup
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install-dev var/media lint
	$(PY) manage.py makemigrations --check --dry-run -v 1
	DEBUG=False SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-looking-value-for-checks-only \
		FIELD_ENCRYPTION_SALT=check-deploy-salt \
		ALLOWED_HOSTS=dangqun.example.cn $(PY) manage.py check --deploy --fail-level WARNING
	$(BIN)/pytest $(PYTEST_ARGS)

# Benchmark (bench/README.md): gunicorn + PostgreSQL + Redis measured with wrk, on the scale
# dataset in BENCH_DATABASE_URL. Options: make bench BENCH_ARGS="--duration 10 --connections 16"
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

# Backups (centers/backups.py): the database (pg_dump custom format) and MEDIA_ROOT in one
# timestamped folder with a manifest. BACKUP_DIR comes from the environment or .env.
backup: install
	$(PY) manage.py backup

# Restores into the configured database unless RESTORE_DATABASE_URL names another; refuses a
# database with tables (FORCE=1 replaces the backup's tables in it).
restore: install
	@if [ -z "$(BACKUP)" ]; then echo "Usage: make restore BACKUP=var/backups/<stamp>"; exit 2; fi
	$(PY) manage.py restore "$(BACKUP)" \
		$(if $(RESTORE_DATABASE_URL),--database-url "$(RESTORE_DATABASE_URL)") $(if $(FORCE),--force)

# Load test (loadtest/README.md): 200 clients for 60 s on gunicorn + PostgreSQL + Redis, then a
# check that nothing was lost. Options: make loadtest LOADTEST_ARGS="--clients 50 --duration 10"
loadtest: install
	$(PY) loadtest/run.py $(LOADTEST_ARGS)

screenshots: install-dev
	$(PY) scripts/screenshots.py

# Refresh the English catalogue from the source (needs GNU gettext), then compile it.
messages: install-dev
	$(PY) manage.py makemessages -l en --ignore=".venv/*" --ignore="var/*" --ignore="tests/*" \
		--ignore="scale/*" --ignore="staticfiles/*"
	$(PY) manage.py compilemessages -l en --ignore=".venv/*"

clean:
	rm -rf $(VENV) var/db.sqlite3 .pytest_cache .ruff_cache
