# machiwb — two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest migrations-check security audit-deps lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.installed-run

## make run: install, migrate, load master and demo data, serve on http://127.0.0.1:8000
## with the background-job worker running beside the development server
run: $(VENV)/.installed-run
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py load_demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py qcluster & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: install dev tools, then lint, type-check, migration check, security scans and the whole test suite
test: $(VENV)/.installed-dev lint typecheck migrations-check security pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy .

migrations-check:
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/python manage.py makemigrations --check --dry-run

pytest:
	$(BIN)/pytest $(PYTEST_ARGS)

## make security: bandit, no high-severity finding allowed
security:
	$(BIN)/bandit -q -r machiwb config -x "*/tests/*,*/migrations/*" --severity-level high

## make audit-deps: pip-audit of the pinned dependencies (needs internet access to PyPI's
## vulnerability data; --strict fails when a package could not be audited)
audit-deps:
	$(BIN)/pip-audit -r requirements-dev.lock --no-deps --disable-pip --strict --progress-spinner off

## make lock: re-pin dependencies after editing pyproject.toml (needs `uv`)
lock:
	uv pip compile --quiet pyproject.toml --python-version 3.11 --generate-hashes -o requirements.lock
	uv pip compile --quiet pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements-dev.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
