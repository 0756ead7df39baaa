# The two commands the README promises: `make run` (the product on a fresh machine, embedded
# SQLite, eager Celery, demo data) and `make test` (the whole suite on PostgreSQL).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run demo test test-postgres test-embedded check lint fix bench browser-deps prod prod-web prod-worker prod-beat smoke compose-config

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(VENV)/bin/uv pip sync --quiet --python $(PY) requirements.lock
	touch $(STAMP)

install: $(STAMP)

demo: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

# A Saturday, a bank holiday (Christmas Day) and 29 February: the days the tests that read
# today (marked `reads_today`) are run on again, with Python's clock moved there.
TEST_DAYS ?= 2026-11-28 2026-12-25 2028-02-29

# The whole suite on PostgreSQL; beside it, on the machine's other core, the whole suite on
# SQLite, the database `make run` uses (its in-memory test database, hence no
# TEST_DATABASE_NAME; PostgreSQL-only behaviour skips with its reason), then the tests that
# read today on each of TEST_DAYS, on PostgreSQL in a test database of their own. Each run
# has its own Celery test broker database and media folder, so none meets another. Each
# run's output is printed whole when it ends (-O); any failing fails `make test`.
test: install
	$(MAKE) --no-print-directory -j2 -O test-postgres test-embedded

test-postgres: install
	DATABASE_URL=$(DATABASE_URL) $(PY) -m pytest $(PYTEST_ARGS)

test-embedded: install
	TEST_DATABASE_NAME= DATABASE_URL=sqlite:///var/test-embedded.sqlite3 \
	  CELERY_TEST_BROKER_URL=redis://127.0.0.1:6379/14 MEDIA_ROOT=var/test-embedded-media \
	  $(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS)
	for day in $(TEST_DAYS); do \
	  TEST_DATABASE_NAME=test_reads_today DATABASE_URL=$(DATABASE_URL) \
	    CELERY_TEST_BROKER_URL=redis://127.0.0.1:6379/13 MEDIA_ROOT=var/test-days-media \
	    $(PY) -m pytest -m reads_today -p no:cacheprovider --today=$$day $(PYTEST_ARGS) || exit 1; \
	done

check: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	@# A selector or service looked up by name hides a dependency from the linter.
	@! grep -rnE "getattr\((register_|contract_|metrics_)?(selectors|services)\b" --include=*.py foiregister contracts metrics demo config \
		|| (echo "make check: look selectors and services up explicitly, not with getattr"; exit 1)
	DATABASE_URL=$(DATABASE_URL) $(PY) manage.py makemigrations --check --dry-run

fix: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	DATABASE_URL=$(DATABASE_URL) $(PY) -m bench

# The production processes on this machine, against PostgreSQL and Redis (set DATABASE_URL,
# CELERY_BROKER_URL, SECRET_KEY, DJANGO_DEBUG=0, ALLOWED_HOSTS and the email settings, as in
# .env.example): gunicorn on GUNICORN_BIND (default 0.0.0.0:8000), a worker, beat. The same
# script the image runs (deploy/foiregister.sh); `make prod` runs all three until Ctrl-C.
prod-web: install
	deploy/foiregister.sh release
	RUN_MIGRATIONS=0 deploy/foiregister.sh web

prod-worker: install
	deploy/foiregister.sh worker

prod-beat: install
	deploy/foiregister.sh beat

prod: install
	deploy/foiregister.sh release
	trap 'kill 0' INT TERM; \
	RUN_MIGRATIONS=0 deploy/foiregister.sh web & \
	deploy/foiregister.sh worker & \
	deploy/foiregister.sh beat & \
	wait

# CI's production smoke test: a fresh venv from requirements.lock, collectstatic, migrate,
# gunicorn + worker + beat on the `smoke` database and Redis db 14, health checked, stopped.
SMOKE_VENV ?= var/smoke-venv
smoke:
	VENV=$(abspath $(SMOKE_VENV)) deploy/foiregister.sh smoke

# docker-compose.yml checked by Debian's docker-compose, with .env.example as its .env.
compose-config:
	FOIREGISTER_ENV_FILE=.env.example docker-compose --env-file .env.example -f docker-compose.yml config -q
