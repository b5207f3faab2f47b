# Hotmart Import: `make run` and `make test` work on a fresh machine (they bootstrap .venv).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
export UV_PYTHON_DOWNLOADS := never
# The libraries and services, from the one registry (stdlib only: runs before .venv exists).
REGISTRY := libs/common/hotmart_common/registry.py
LOCAL_PACKAGES := $(shell $(PYTHON) $(REGISTRY) packages)
LOCAL_NAMES := $(shell $(PYTHON) $(REGISTRY) distributions)
SAMPLE := samples/hotmart-sample.csv
PYTEST_ARGS ?=

.PHONY: setup run up down test test-unit test-integration test-e2e test-reliability lint typecheck schemas \
        check-architecture \
        check-schemas lock sample clean bench validate-deploy fixtures

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock $(addsuffix /pyproject.toml,$(LOCAL_PACKAGES)) $(REGISTRY)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(BIN)/python -m pip install --quiet "uv>=0.5"
	$(UV) pip sync --quiet -p $(BIN)/python requirements.lock
	$(UV) pip install --quiet -p $(BIN)/python --no-deps $(addprefix -e ,$(LOCAL_PACKAGES))
	touch $@

run: setup
	$(BIN)/hotmart-import up --import $(SAMPLE)

up: setup
	$(BIN)/hotmart-import up --detach

down:
	$(BIN)/hotmart-import down

test: setup check-schemas
	$(BIN)/pytest -q tests $(PYTEST_ARGS)

test-unit: setup
	$(BIN)/pytest -q -m unit tests $(PYTEST_ARGS)

test-integration: setup
	$(BIN)/pytest -q -m integration tests $(PYTEST_ARGS)

test-e2e: setup
	$(BIN)/pytest -q -m e2e tests $(PYTEST_ARGS)

test-reliability: setup
	$(BIN)/pytest -q -m reliability tests $(PYTEST_ARGS)

lint: setup check-schemas
	$(BIN)/ruff check .
	$(MAKE) check-architecture
	$(MAKE) typecheck

check-architecture: setup
	$(BIN)/python tools/check_architecture.py

typecheck: setup
	$(BIN)/mypy libs services tools tests bench

schemas: setup
	$(BIN)/python -m hotmart_common.schemas schemas
	$(BIN)/python tools/asyncapi.py schemas/asyncapi.json

check-schemas: setup
	$(BIN)/python -m hotmart_common.schemas schemas --check
	$(BIN)/python tools/asyncapi.py schemas/asyncapi.json --check

bench: setup
	$(BIN)/python -m bench

validate-deploy: setup
	bash deploy/validate.sh

fixtures: setup
	$(BIN)/python -m tests.fixtures.generate

sample: setup
	$(BIN)/python tools/generate_sample.py $(SAMPLE)

lock:
	test -x $(UV) || (test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); $(BIN)/python -m pip install --quiet "uv>=0.5")
	$(UV) pip compile --quiet -p $(BIN)/python pyproject.toml requirements-dev.in \
	    --generate-hashes --custom-compile-command "make lock" \
	    $(addprefix --no-emit-package ,$(LOCAL_NAMES)) -o requirements.lock
	bash deploy/lock-services.sh

clean:
	rm -rf $(VENV) .venv-tools .run .pytest_cache .mypy_cache .ruff_cache
