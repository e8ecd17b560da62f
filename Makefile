# The two commands of the README:  make run  (the demo clinic)  and  make test  (the test suite).
# Both create the virtual environment in .venv on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2
export KETACLINIC_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test browser-test lint typecheck bench clean-data

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

## Run the demo clinic at http://127.0.0.1:8000 (embedded SQLite in ./data, demo data on first run).
run: $(STAMP)
	$(BIN)/ketaclinic serve --demo

## Run the whole test suite (SQLite by default; set DATABASE_URL for PostgreSQL).
test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) -m "not browser"

## Real-browser tests: Playwright driving Debian's /usr/bin/chromium (headless).
browser-test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m browser tests/browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy ketaclinic tests benchmarks conftest.py

bench: $(STAMP)
	$(BIN)/python benchmarks/audit.py
	$(BIN)/python benchmarks/pk.py
	$(BIN)/python benchmarks/pages.py
	$(BIN)/python benchmarks/charting.py

clean-data:
	rm -rf data
