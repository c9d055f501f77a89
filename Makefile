# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test install install-dev messages lint typecheck migrations-check pytest bench demo clean loadtest

$(VENV)/.run-deps: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt $(VENV)/.run-deps
	$(BIN)/pip install -q -r requirements-dev.txt
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
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_views.py

typecheck: install-dev messages
	$(BIN)/mypy parskats

migrations-check: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest: install-dev messages
	./scripts/system-deps.sh
	# Unit and HTTP tests on both cores; browser tests one at a time (exit 5 = none selected by PYTEST_ARGS).
	$(BIN)/pytest -n 2 -m "not browser" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/pytest -m browser $(PYTEST_ARGS) || [ $$? -eq 5 ]

test: lint typecheck migrations-check pytest

bench: install-dev messages
	$(BIN)/python -m bench $(BENCH_ARGS)

# Deadline-day load on gunicorn over PostgreSQL (bench/load.py; PARSKATS_POSTGRES=postgres://…/postgres).
loadtest: install-dev messages
	$(BIN)/python -m bench.load $(LOAD_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .mypy_cache .ruff_cache
