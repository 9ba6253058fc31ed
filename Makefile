# On a fresh machine with Python 3.11+ and make:
#   make demo   build a virtual environment, a demo database, and open the console on it
#   make test   install the test tools and run the whole suite (SQLite and a real PostgreSQL)
#   make lint   ruff (lint and format), mypy --strict and the import-linter contracts

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test run lint bench-seed clean

demo: $(VENV)/.installed
	$(BIN)/hotline demo

run: $(VENV)/.installed
	$(BIN)/hotline run

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench-seed: $(VENV)/.installed-test
	$(BIN)/python bench/seed.py

$(VENV)/.created:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Hotline needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.created pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .import_linter_cache
