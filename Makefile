# Mostrador. `make run`: the demo on the embedded default. `make test`: the suite on PostgreSQL + Redis.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/mostrador
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

# Settings for the full stack on PostgreSQL and Redis (tests, benchmarks).
# DEBUG=1 only picks the plain static-files storage and lets whitenoise find
# files without collectstatic (live-server and browser tests); Django's test
# runner sets DEBUG=False itself while tests run.
STACK_ENV := DATABASE_URL=$(PG_URL) REDIS_URL=$(TEST_REDIS_URL) SECRET_KEY=test-only DEBUG=1
# Extra pytest arguments, e.g. make test PYTEST_ARGS="-k webhook -x".
PYTEST_ARGS ?=

.PHONY: run test lint bench web worker beat migrate seed clean services

$(BIN)/python:
	./scripts/make_venv.sh $(PYTHON) $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

## run: the app with demo data at http://127.0.0.1:8000, with a Celery worker and beat.
run: export DEBUG ?= 1
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	./scripts/run_dev.sh

## test: the whole suite against PostgreSQL and Redis (started or installed when needed).
test: $(VENV)/.installed-dev services
	./scripts/ensure_chromium.sh
	$(STACK_ENV) $(BIN)/python manage.py check --fail-level WARNING
	$(STACK_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	@# pytest exits 1 on failures and 5 when it collected nothing: a run
	@# without tests is a broken run too, not a green one.
	@$(STACK_ENV) $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests; failing." >&2; exit 1; fi; \
	exit $$rc

services:
	./scripts/ensure_services.sh

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=1 SECRET_KEY=lint-only $(BIN)/mypy

## bench: every benchmark under bench/, each ending with one JSON line.
bench: $(VENV)/.installed-dev services
	@for b in bench/*.py; do case "$$b" in bench/_*) continue;; esac; echo "== $$b"; $(STACK_ENV) $(BIN)/python $$b || exit 1; done

# The production processes, without Docker (set DATABASE_URL, REDIS_URL, SECRET_KEY).
web: $(VENV)/.installed
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn config.asgi:application -k uvicorn_worker.UvicornWorker --bind $${BIND:-127.0.0.1:8000} --workers $${WEB_WORKERS:-3} --graceful-timeout 5
worker: $(VENV)/.installed
	$(BIN)/celery -A config worker --loglevel=INFO $(if $(QUEUES),-Q $(QUEUES))
beat: $(VENV)/.installed
	$(BIN)/celery -A config beat --loglevel=INFO
migrate: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
seed: $(VENV)/.installed
	$(BIN)/python manage.py seed_demo

clean:
	rm -rf var staticfiles test-artifacts .pytest_cache
