# `make serve` and `make test` install everything they need on first use (idempotently).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
BUF := node_modules/.bin/buf

.PHONY: serve test checks-and-suite test-sqlite lint protos conformance clean

serve: $(INSTALLED)  ## Start the service on the embedded default (SQLite in the user data directory)
	$(BIN)/experiment-service serve

test:  ## Lint, type-check, check generated code, run the suite on SQLite and PostgreSQL
	@scripts/in_unchanged_tree.sh $(MAKE) --no-print-directory checks-and-suite

checks-and-suite: $(INSTALLED) $(BUF)
	$(BIN)/python scripts/gen_protos.py --check
	$(BUF) lint
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy
	scripts/ensure_debian_package.sh chromium command -v chromium
	$(BIN)/pytest
	scripts/ensure_postgres.sh
	EXPERIMENT_SERVICE_TEST_BACKEND=postgresql $(BIN)/pytest

test-sqlite: $(INSTALLED)  ## The test suite on SQLite only
	$(BIN)/pytest

lint: $(INSTALLED) $(BUF)
	$(BUF) lint
	$(BIN)/ruff check
	$(BIN)/mypy

conformance: $(INSTALLED)  ## Every schemathesis check against a running server: make conformance KEY=esk_...
	$(BIN)/schemathesis run $(or $(BASE),http://localhost:8080)/openapi.json --checks all \
		-H "Authorization: Bearer $(KEY)" --max-examples 20 --seed 1

protos: $(INSTALLED)  ## Regenerate src/experiment_service/api/ from proto/
	$(BIN)/python scripts/gen_protos.py

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -c constraints.txt nemo-platform
	touch $@

$(BUF): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) node_modules
