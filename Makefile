# Wulian: `make run` serves the demo site, `make test` runs the checks and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
WULIAN := $(BIN)/wulian

.PHONY: install install-dev run worker test check lint format messages e2e clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	@mkdir -p var
	$(WULIAN) migrate --no-input -v 0
	$(WULIAN) demo --if-empty --quiet
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(WULIAN) worker >>var/worker.log 2>&1 & worker=$$!; \
	$(WULIAN) demo --accounts; \
	echo "Serving Wulian at http://127.0.0.1:$(PORT)/ with a background worker (Ctrl-C stops both)"; \
	echo "The worker writes to var/worker.log; text messages show below and at http://127.0.0.1:$(PORT)/dev/sms/"; \
	$(WULIAN) runserver 127.0.0.1:$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: lint
	$(BIN)/mypy wulian tests $(wildcard bench)
	WULIAN_ENV=test $(WULIAN) makemigrations --check --dry-run

# The suite runs on every core (TEST_WORKERS=0 runs it in one process); a file's tests stay together.
TEST_WORKERS ?= auto

test: check
	WULIAN_ENV=test $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

messages: install-dev
	$(WULIAN) messages

clean:
	rm -rf $(VENV) var build *.egg-info
