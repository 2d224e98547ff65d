# topicmap — `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch goes in first so nothing pulls a second (CUDA) build; 2.13.0 is a local CPU wheel here.
TORCH_SPEC ?= torch==2.13.0
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
DEMO_OUT ?= out/demo
BENCH_SIZES ?= 5000 20000
PYTEST_ARGS ?=

APT_PACKAGES ?= redis-server curl

.PHONY: help install system-deps run test lint typecheck check demo bench clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-22s\033[0m %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv with topicmap, the model and the dev tools
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "topicmap needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); \
	  else echo "cannot create a virtual environment: install python3-venv (apt-get install python3-venv)"; exit 1; fi; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/pip install --quiet -e ".[worker,api,dev]"
	@touch $@

system-deps: ## install the Debian packages the service and tests need (redis-server), when missing
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "please install:$$missing (e.g. sudo apt-get install$$missing)"; exit 1; fi; fi

run: $(STAMP) system-deps ## start Redis, a worker and the API; prints the docs URL and an API key; Ctrl-C stops
	@bash scripts/run-dev.sh

test: $(STAMP) system-deps ## install what is missing, then run the whole test suite
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP) ## mypy (strict) on api/ and worker/
	$(BIN)/mypy

check: lint typecheck test ## everything CI runs

demo: $(STAMP) ## build a topic map of the shipped sample corpus and print the path of map.html
	$(BIN)/topicmap fit tests/data/debian_sample.csv --out $(DEMO_OUT)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e ".[bench]"
	@touch $@

bench: $(BENCH_STAMP) ## topicmap vs BERTopic on Debian samples (BENCH_SIZES="5000 20000"); writes docs/benchmarks.md
	$(BIN)/python -m benchmarks.compare --sizes $(BENCH_SIZES) --out docs/benchmarks.md

clean: ## remove the virtual environment and outputs
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
