# Two commands set everything up: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Tests run in parallel (pytest-xdist); PYTEST_WORKERS=0 runs them in one process.
PYTEST_WORKERS ?= auto

# The local portal runs in development mode unless told otherwise.
export DEBUG ?= true

.PHONY: run test install migrate seed worker lint check messages messages-check clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

## make run: install, migrate, load the demo data, start the task worker and the portal.
run: seed
	@echo "有你泰好 portal: http://$(HOST):$(PORT)/   admin: http://$(HOST):$(PORT)/admin/"
	trap 'kill 0' EXIT INT TERM; \
	$(PY) manage.py db_worker --interval 1 & \
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(PY) manage.py db_worker

## make test: install and run the whole suite (browser tests skip without Chromium).
test: install
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

## make check: Django's checks, no missing migration, and the house rules: formatting (ruff),
## lint (ruff), templates (djLint) and the architecture's import contracts (import-linter).
check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/djlint templates --lint
	$(VENV)/bin/lint-imports

## make messages: extract the marked strings into locale/zh_Hans and locale/en, then compile the
## .mo files (committed: the app reads them at run time and CI has no gettext tools).
## File-only locations and no wrapping keep the diffs of a re-run small; `make messages-check`
## fails on an English entry that is empty, fuzzy or has mismatched placeholders, and on a
## catalogue that is not what this target would make (scripts/po_check.py reads MESSAGES_IGNORE).
MESSAGES_IGNORE := --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'media/*' \
	--ignore 'bench/*' --ignore 'tests/*' --ignore 'locale/*' --ignore 'static/vendor/*'
messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en $(MESSAGES_IGNORE) \
		--add-location file --no-wrap --no-obsolete
	@if grep -rlE --include='*.js' "gettext|interpolate" static 2>/dev/null | grep -qv '^static/vendor/'; then \
		$(PY) manage.py makemessages -d djangojs -l zh_Hans -l en $(MESSAGES_IGNORE) \
			--add-location file --no-wrap --no-obsolete; \
	fi
	$(PY) manage.py compilemessages --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'media/*'

messages-check:
	$(PY) scripts/po_check.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
