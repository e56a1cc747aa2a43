# Shkola — `make demo` to try it, `make test` for everything CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
STAMP_UV      := $(VENV)/.stamp-uv
STAMP_RUNTIME := $(VENV)/.stamp-runtime
STAMP_DEV     := $(VENV)/.stamp-dev

export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# PostgreSQL run of the suite: TEST_DATABASE_URL, else a postgres DATABASE_URL, else CI's default.
PG_DEFAULT_URL := postgres://postgres@127.0.0.1:5432/shkola
PG_URL := $(or $(TEST_DATABASE_URL),$(filter postgres://% postgresql://% pgsql://%,$(DATABASE_URL)),$(if $(filter true 1,$(CI)),$(PG_DEFAULT_URL)))

PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
PYTEST := $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

.PHONY: help install install-dev demo test lint fmt typecheck imports pytest pytest-sqlite pytest-postgres lock clean

help:
	@echo "make demo      install, migrate SQLite, load the demo region, serve http://127.0.0.1:8000"
	@echo "make test      lint, format check, mypy, import contracts, pytest on SQLite (+ PostgreSQL)"
	@echo "make lint      ruff check + ruff format --check"
	@echo "make fmt       ruff format + ruff check --fix"
	@echo "make typecheck mypy (django-stubs)"
	@echo "make imports   import-linter contracts between apps"
	@echo "make pytest    pytest only (SQLite, then PostgreSQL when configured)"
	@echo "make lock      re-resolve uv.lock after changing dependencies in pyproject.toml"
	@echo "make region   a whole region on this machine (root): replica, PgBouncer, Redis, nginx, 2 app servers, workers"
	@echo "make region-drill  kill and restore its parts under load; make region-down stops it"

# --- environment ---------------------------------------------------------------------------
# The venv is (re)created when its python is missing or too old; uv lives inside it.
$(STAMP_UV):
	@if ! $(PY) -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1; then \
		python=$$(scripts/find-python.sh) || exit 1; \
		echo "Creating $(VENV) with $$python"; \
		rm -rf $(VENV); "$$python" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet 'uv>=0.5' 2> >(grep -v "is ignored: it is neither" >&2)
	@touch $@

# Message catalogs: the .mo files are build output, compiled by a pure-Python script
# because a fresh machine may lack GNU gettext's msgfmt (Django's compilemessages needs it).
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

# --inexact keeps uv itself (and the dev tools, for the demo) in the venv.
$(STAMP_RUNTIME): uv.lock pyproject.toml $(STAMP_UV)
	$(UV) sync --frozen --inexact --no-dev
	$(PY) scripts/compile_messages.py
	@touch $@

$(STAMP_DEV): uv.lock pyproject.toml $(STAMP_UV)
	$(UV) sync --frozen --inexact
	$(PY) scripts/compile_messages.py
	@touch $@ $(STAMP_RUNTIME)

# A .po edited (or a .mo deleted) after installing is compiled again.
locale/%.mo: locale/%.po | $(STAMP_UV)
	$(PY) scripts/compile_messages.py $<

install: $(STAMP_RUNTIME) $(MO_FILES)
install-dev: $(STAMP_DEV) $(MO_FILES)

lock: $(STAMP_UV)
	$(UV) lock

# --- demo ----------------------------------------------------------------------------------
# Letters really go out: the django-tasks database worker (`manage.py worker`, docs/workers.md)
# sends them and the digest ticker (send_digests --loop) builds the daily digests each hour;
# run_destructions --loop sends due
# personal-data destructions (152-FZ) to the worker; all stop with runserver on Ctrl+C.
# Letters land as files in var/mail/ unless EMAIL_URL says otherwise.
demo: export DEBUG := 1
demo: export TASKS_BACKEND := django_tasks_db.DatabaseBackend
demo: export EMAIL_URL ?= file://
demo: install
	@# the people cache on disk may hold sessions of an earlier demo database
	rm -rf var/cache
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo_if_empty
	@mkdir -p var/mail
	@echo "Shkola is at http://127.0.0.1:8000  (Ctrl+C stops it; letters go to var/mail/)"
	@trap 'kill $$worker $$ticker $$destroyer 2>/dev/null || true' EXIT; \
	$(PY) manage.py worker --interval 2 & worker=$$!; \
	$(PY) manage.py send_digests --loop 60 & ticker=$$!; \
	$(PY) manage.py run_destructions --loop 60 & destroyer=$$!; \
	$(PY) manage.py runserver 127.0.0.1:8000

# --- quality -------------------------------------------------------------------------------
# The settings refuse to load without SECRET_KEY unless DEBUG or testing; the tools import them.
lint typecheck imports: export SHKOLA_TESTING := 1

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install-dev
	$(VENV)/bin/mypy

imports: install-dev
	$(PY) scripts/lint_imports.py

# --- tests ---------------------------------------------------------------------------------
pytest-sqlite: install-dev
	@echo "== pytest on SQLite =="
	env -u TEST_DATABASE_URL DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 $(PYTEST)

pytest-postgres: install-dev
ifeq ($(PG_URL),)
	@echo "== pytest on PostgreSQL skipped: set TEST_DATABASE_URL or DATABASE_URL (CI=true uses $(PG_DEFAULT_URL)) =="
else
	@echo "== pytest on PostgreSQL =="
	$(PY) scripts/check_postgres.py '$(PG_URL)'
	DATABASE_URL='$(PG_URL)' $(PYTEST)
endif

pytest:
	$(MAKE) --no-print-directory pytest-sqlite
	$(MAKE) --no-print-directory pytest-postgres

test: install-dev
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory typecheck
	$(MAKE) --no-print-directory imports
	$(MAKE) --no-print-directory pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache test-output staticfiles

# --- benchmark (issue 4) -------------------------------------------------------------------
# PostgreSQL shkola_bench (seed_demo --schools 30, reused), gunicorn on 127.0.0.1, wrk:
# page throughput as a ratio to /healthz, marks saved/s, queries per page -> test-output/bench.md.
# BENCH_ARGS=--rebuild seeds again; needs `apt-get install -y wrk`. Always exits 0 on a miss.
# SCHOOLS=N (issue 15): instead, p50/p95 of the diary week, the journal grid and a mark save at a
# fixed load on shkola_bench_N (seed_region --schools N, COPY), and the table comparing every
# size measured so far (test-output/bench-scale.md): `make bench SCHOOLS=30; make bench SCHOOLS=300`.
.PHONY: bench
BENCH_ARGS ?=
SCHOOLS ?=
bench: install
	$(PY) scripts/bench/run.py $(if $(SCHOOLS),--scale $(SCHOOLS)) $(BENCH_ARGS)

# --- a region on one machine (issue 15) ----------------------------------------------------
# As root: PostgreSQL primary (the 15/main cluster on 5432, database shkola_region) and a
# streaming replica on 5433, PgBouncer 6433, Redis 6380, two gunicorn app servers behind nginx
# on 8480, two workers and the digest ticker; deploy/README.md says what each file is.
# region-down keeps shkola_region (REGION_ARGS=--drop-database drops it).
.PHONY: region region-down region-status region-drill
REGION_ARGS ?=
region: install
	$(PY) scripts/region/region.py up
region-down:
	$(PY) scripts/region/region.py down $(REGION_ARGS)
region-status:
	$(PY) scripts/region/region.py status
# A bounded failure drill on the running region (make region first); exits 1 on a lost mark
# or letter, a duplicate letter or a restore that differs. aiosmtpd is a dev dependency.
region-drill: install-dev
	$(PY) scripts/region/drill.py $(REGION_ARGS)
