# The two commands the README promises: `make run` (the product on a fresh machine, embedded
# SQLite, eager Celery, demo data) and `make test` (the whole suite on PostgreSQL).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run demo test check lint fix bench browser-deps

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

# The whole suite on PostgreSQL, then the tests marked `embedded` again on SQLite, the
# database `make run` uses (its search fallback and its triggers differ).
test: install
	DATABASE_URL=$(DATABASE_URL) $(PY) -m pytest $(PYTEST_ARGS)
	DATABASE_URL=sqlite:///var/test-embedded.sqlite3 $(PY) -m pytest -m embedded -p no:cacheprovider $(PYTEST_ARGS)

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
