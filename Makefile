# On a fresh machine with Python 3.11+ and make:
#   make demo   build a virtual environment, a demo database, and open the console on it
#   make test   install the test tools and run the whole suite (SQLite and a real PostgreSQL)
#   make lint   ruff (lint and format), mypy --strict and the import-linter contracts

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
# The gettext catalogs: installing compiles them (hatch_build.py), so a changed .po reinstalls.
CATALOGS := $(wildcard console/locale/*/LC_MESSAGES/hotline.po)

.PHONY: demo test run lint bench-seed messages clean

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

# Extract every _() and N_() string into the template and merge it into each catalog (then translate
# the new entries: tests/unit/test_catalogs.py fails while any is untranslated or fuzzy).
messages: $(VENV)/.installed-test
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-wrap --sort-by-file --project=hotline -o console/locale/hotline.pot .
	$(BIN)/pybabel update -i console/locale/hotline.pot -d console/locale -D hotline --no-wrap --ignore-obsolete

$(VENV)/.installed: $(VENV)/.created pyproject.toml $(CATALOGS)
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.created pyproject.toml $(CATALOGS)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .import_linter_cache
