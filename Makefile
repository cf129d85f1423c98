# The two set-up commands: `make sandbox` and `make test`. Each creates .venv if it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck pytest sandbox bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint Dockerfile

typecheck: $(STAMP)
	$(BIN)/mypy

# Starts a throwaway PostgreSQL cluster unless SYNCD_TEST_DATABASE_URL is set, so the store tests run on both.
pytest: $(STAMP)
	SYNCD_REQUIRE_POSTGRES=1 $(BIN)/python scripts/with_test_postgres.py -- $(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# A seeded merchant on the built-in emulators, with syncd running against them until Ctrl-C.
sandbox: $(STAMP)
	$(BIN)/syncd sandbox $(SANDBOX_ARGS)

# Propagation time, Shopify stock change -> TikTok, through syncd's webhooks (median, p95, max over 200 changes).
bench: $(STAMP)
	$(BIN)/python -m bench propagation --changes 200

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build *.egg-info
