# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Links in the emails `make run` sends (console backend) lead to the server it starts, on its port.
PARSKATS_BASE_URL ?= http://127.0.0.1:$(PORT)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test install install-dev messages lint lock lock-check typecheck migrations-check pytest bench demo clean loadtest

# requirements*.txt name what we import (direct pins); requirements*.lock pin the whole tree with hashes
# and are what gets installed, so every machine runs the same files. `make lock` regenerates them.
$(VENV)/.run-deps: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev-deps: requirements-dev.lock $(VENV)/.run-deps
	$(BIN)/pip install -q --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.run-deps
install-dev: $(VENV)/.dev-deps

# Compiled catalogues are build output (not committed); Babel compiles them without system gettext.
messages: install
	for dir in parskats/*/locale; do $(BIN)/pybabel -q compile -d $$dir -D django || exit 1; done

run: install messages
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput -v0
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_demo
	@echo ""
	@echo "Pārskats runs at http://127.0.0.1:$(PORT)/  (stop with Ctrl+C)"
	@echo ""
	DJANGO_DEBUG=1 PARSKATS_BASE_URL=$(PARSKATS_BASE_URL) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install-dev lock-check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_views.py
	$(BIN)/mypy parskats

# One resolution for Linux, macOS and Windows (--universal) on the oldest Python we support. The existing
# lock is uv's preference, so regenerating only moves what requirements*.txt asks to move; the dev lock is
# constrained by the runtime lock so both install the same runtime versions.
# To upgrade one package: `make lock UV_ARGS="--upgrade-package NAME"`.
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes $(UV_ARGS)
lock: install-dev
	$(UV_COMPILE) requirements.txt -o requirements.lock
	$(UV_COMPILE) requirements-dev.txt -c requirements.lock -o requirements-dev.lock

# Fails when requirements*.txt changed but the lock files were not regenerated: compiles again, starting
# from copies of the committed locks (the same preferences `make lock` uses), and compares.
lock-check: install-dev
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	cp requirements.lock requirements-dev.lock "$$tmp"/ && \
	$(UV_COMPILE) requirements.txt -o "$$tmp"/requirements.lock && \
	$(UV_COMPILE) requirements-dev.txt -c requirements.lock -o "$$tmp"/requirements-dev.lock && \
	diff -I '^#' requirements.lock "$$tmp"/requirements.lock && \
	diff -I '^#' requirements-dev.lock "$$tmp"/requirements-dev.lock || \
	{ echo "requirements*.lock are out of date with requirements*.txt: run 'make lock'"; exit 1; }

typecheck: install-dev messages
	$(BIN)/mypy parskats

migrations-check: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest: install-dev messages
	./scripts/system-deps.sh
	# Unit and HTTP tests on both cores; browser tests one at a time (exit 5 = none selected by PYTEST_ARGS).
	$(BIN)/pytest -n 2 -m "not browser" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(if $(filter 0,$(BROWSER)),@echo "browser tests not run (BROWSER=0)",$(BIN)/pytest -m browser $(PYTEST_ARGS) || [ $$? -eq 5 ])

test: lint migrations-check pytest

bench: install-dev messages
	$(BIN)/python -m bench $(BENCH_ARGS)

# Deadline-day load on gunicorn over PostgreSQL (bench/loadrun.py; PARSKATS_POSTGRES=postgres://…/postgres).
loadtest: install-dev messages
	$(BIN)/python -m bench.loadrun $(LOAD_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .mypy_cache .ruff_cache
