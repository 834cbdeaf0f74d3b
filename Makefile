# idstream — make targets a newcomer can guess.
#   make run      set up .venv, extract fields from the sample images (embedded mode)
#   make test     set up everything (venv, system packages, Kafka, object store), run pytest
#   make quality  ruff + mypy
# Area-specific targets (bench-*, data, train, up/down, ...) live in mk/*.mk.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# The stamp changes whenever pyproject.toml changes, so `make` re-installs then.
VENV_STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
PROTO_SRC := $(wildcard protos/idstream/v1/*.proto)
PROTO_STAMP := src/idstream/v1/.generated
export PYTHONPATH := $(CURDIR)/src:$(CURDIR)

.PHONY: help venv proto system run test test-unit quality lint typecheck clean

help:
	@grep -hE '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

$(VENV_STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(VENV_STAMP) $(PROTO_STAMP) ## create .venv with the pinned dependencies

$(PROTO_STAMP): $(PROTO_SRC) $(VENV_STAMP)
	$(PY) -m idstream.protogen
	@touch $@

proto: $(PROTO_STAMP) ## generate Python code from protos/ (grpcio-tools)

system: ## install system packages (apt), Kafka jars, object store, fonts
	bash scripts/install-system.sh

SAMPLES := .cache/samples

run: venv ## generate three sample documents and extract their fields (embedded mode, no broker)
	@$(VENV)/bin/idstream synth --out $(SAMPLES) --n 3 --seed 7 --distort photo >/dev/null
	$(VENV)/bin/idstream extract $(SAMPLES)/*.jpg

test: venv system ## set up everything, then run the whole test suite
	$(PY) -m pytest -q

test-unit: venv ## unit tests only (no broker, no store)
	$(PY) -m pytest -q tests/unit

quality: lint typecheck ## ruff + mypy

lint: venv
	$(VENV)/bin/ruff check src services tests bench
	$(VENV)/bin/ruff format --check src services tests bench

typecheck: venv
	$(VENV)/bin/mypy

clean:
	rm -rf .run .pytest_cache .mypy_cache .ruff_cache src/idstream/v1

-include mk/*.mk
