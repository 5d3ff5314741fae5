# Two entry points (see README): `make demo` runs the product on the bundled demo establishment,
# `make test` runs the linters and the whole test suite. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The demo's data directory, outside the repository (override: make demo DEMO_HOME=/abs/dir).
DEMO_HOME ?= $(or $(XDG_DATA_HOME),$(HOME)/.local/share)/edt-tui-demo

.PHONY: demo test lint bench clean

$(BIN)/edt-tui: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "edt-tui needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The demo keeps its own data directory ($(DEMO_HOME)) and uses the committed TEST key; git does
# not keep file modes, so the key is made private again first. It runs in $(DEMO_HOME)/files,
# where the demo export is copied: the file step shows it there and the TUI's exports (accounts
# lists, .ics) are proposed there — nothing is written inside the repository.
DEMO := samples/demo
DEMO_KEY := $(DEMO)/keys/partner-private-TEST-ONLY.pem
DEMO_ENV := EDT_TUI_HOME=$(DEMO_HOME) EDT_TUI_KEY=$(CURDIR)/$(DEMO_KEY)

demo: $(BIN)/edt-tui
	chmod 600 $(DEMO_KEY)
	mkdir -p $(DEMO_HOME)/files
	cp $(DEMO)/Edt_To_ITSLEARNING_0490856P.xml $(DEMO_HOME)/files/
	$(DEMO_ENV) $(BIN)/edt-tui ent load $(DEMO)/ent
	cd $(DEMO_HOME)/files && $(DEMO_ENV) $(CURDIR)/$(BIN)/edt-tui --uai 0490856P

lint: $(BIN)/edt-tui
	$(BIN)/ruff check .
	$(BIN)/mypy edt_tui
	$(BIN)/lint-imports --no-logo

test: lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup

bench: $(BIN)/edt-tui
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache .ruff_cache
