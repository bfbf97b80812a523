# The two commands of the README. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install lint

$(BIN)/supplyhub: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/supplyhub

# Seed the demo scenario into the embedded SQLite store, then serve it on http://127.0.0.1:8000
# (development mode: GraphiQL at /graphql, and the development token secret).
run: install
	$(BIN)/supplyhub demo
	SUPPLYHUB_DEV_MODE=true $(BIN)/supplyhub serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Lint, type-check, then every tier of the suite: `-m ""` replaces pyproject's default, which
# keeps a bare `pytest` to the offline unit tier (real PostgreSQL and NATS are started by
# fixtures; tiers in README.md).
test: lint
	$(BIN)/pytest -m ""
