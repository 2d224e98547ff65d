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

APT_PACKAGES ?= redis-server nginx chromium fonts-droid-fallback curl

# Docker (operators): see docs/operations.md.
COMPOSE ?= docker compose
GPU ?= 1
COMPOSE_FILES := -f docker-compose.yml $(if $(filter 0,$(GPU)),-f docker-compose.cpu.yml,)
NETWORK ?= topicmap
VERSION ?= latest
WORKERS ?= 1
SERVICE ?=
REDIS_URL ?= $(shell grep -s '^TOPICMAP_REDIS_URL=' .env | cut -d= -f2-)
NGINX_DIR ?= /etc/nginx
NGINX_LISTEN ?= 80
NGINX_SERVER_NAME ?= _
API_UPSTREAM ?= 127.0.0.1:8000
BACKUP_DIR ?= backups/$(shell date +%Y%m%d-%H%M%S)

.PHONY: help install system-deps run test lint typecheck check demo bench bench_load device_carry lock clean \
	docker_create_network docker_run_redis build_docker build_docker_worker run_docker run_docker_worker \
	stop_docker logs install_nginx_config backup restore

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-22s\033[0m %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv with topicmap, the model and the dev tools
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "topicmap needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); \
	  else echo "cannot create a virtual environment: install python3-venv (apt-get install python3-venv)"; exit 1; fi; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/pip install --quiet -c constraints.txt -e ".[worker,api,dev]"
	$(BIN)/topicmap warmup  # numba's compiled code and the ONNX model into the cache: no cold start later
	@touch $@

system-deps: ## install the Debian packages the service and tests need (redis, nginx, chromium, a CJK font), when missing
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
	$(BIN)/pip install --quiet -c constraints.txt -e ".[bench]"
	@touch $@

bench: $(BENCH_STAMP) ## topicmap vs BERTopic on Debian samples (BENCH_SIZES="5000 20000"); writes docs/benchmarks.md
	$(BIN)/python -m benchmarks.compare --sizes $(BENCH_SIZES) --out docs/benchmarks.md

device_carry: $(STAMP) ## what benchmarks/device_check.sh needs on a lent GPU machine, into .device-carry/
	bash benchmarks/device_carry.sh

bench_load: $(STAMP) ## the API under load through nginx (wrk, installed when missing); writes docs/benchmarks.md
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="redis-server nginx wrk"
	$(BIN)/python -m benchmarks.load --out docs/benchmarks.md

lock: ## re-resolve constraints.txt: the newest releases in pyproject.toml's ranges (then run make check)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet "$(TORCH_SPEC)"
	.lock-venv/bin/pip install --quiet ".[worker,api,dev]"
	{ sed -n '/^#/p' constraints.txt; .lock-venv/bin/pip freeze --exclude-editable | grep -viE '^(torch|topicmap)[=@ ]'; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .lock-venv
	@echo "constraints.txt re-resolved: review git diff constraints.txt, then make check"

clean: ## remove the virtual environment and outputs
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache

## --- operations (Docker) ---------------------------------------------------------------------

docker_create_network: ## create the Docker network the standalone containers share
	docker network create $(NETWORK) || true

docker_run_redis: docker_create_network ## run Redis alone (AOF on, noeviction, password from .env)
	docker run -d --name topicmap-redis --network $(NETWORK) --restart unless-stopped \
	  -v topicmap-redis-data:/data --env-file .env redis:7.4-alpine \
	  sh -c 'exec redis-server --appendonly yes --appendfsync everysec --maxmemory "$${REDIS_MAXMEMORY:-4gb}" --maxmemory-policy noeviction --requirepass "$$REDIS_PASSWORD"'

build_docker: ## build the API image (topicmap-api)
	docker build -f Dockerfile.api -t topicmap-api:$(VERSION) .

build_docker_worker: ## build the worker image (topicmap-worker, CUDA)
	docker build -f Dockerfile.worker -t topicmap-worker:$(VERSION) .

run_docker: ## start nginx, api, worker(s) and redis with docker compose (WORKERS=N, GPU=0 on CPU hosts)
	@test -f .env || { echo "no .env: run 'cp .env.model .env' and edit it first"; exit 1; }
	$(COMPOSE) $(COMPOSE_FILES) up -d --build --scale worker=$(WORKERS)

run_docker_worker: ## run one more worker on this machine against REDIS_URL (another host's Redis)
	@test -n "$(REDIS_URL)" || { echo "set REDIS_URL=redis://:password@host:6379/0 (or TOPICMAP_REDIS_URL in .env)"; exit 1; }
	docker run -d --name topicmap-worker-$$(hostname)-$$RANDOM --restart unless-stopped $(if $(filter 0,$(GPU)),,--gpus all) \
	  --env-file .env -e TOPICMAP_REDIS_URL="$(REDIS_URL)" topicmap-worker:$(VERSION)

stop_docker: ## stop and remove the compose services (Redis data stays in its volume)
	$(COMPOSE) $(COMPOSE_FILES) down

logs: ## follow the JSON logs of every service (SERVICE=worker for one); grep a job id to follow it
	$(COMPOSE) $(COMPOSE_FILES) logs -f --tail=200 $(SERVICE)

backup: $(STAMP) ## save records (people, keys, shares, library) and the map archive into BACKUP_DIR, while the service runs
	$(BIN)/topicmap backup $(BACKUP_DIR)

restore: $(STAMP) ## put BACKUP_DIR back: records into Redis, bundles into the archive, the library rebuilt
	@test "$(origin BACKUP_DIR)" != file || { echo "usage: make restore BACKUP_DIR=backups/20261201-120000"; exit 2; }
	$(BIN)/topicmap restore $(BACKUP_DIR)

install_nginx_config: ## put topicmap behind the host's nginx (Debian/Ubuntu stock layout), test and reload
	NGINX_DIR="$(NGINX_DIR)" NGINX_LISTEN="$(NGINX_LISTEN)" NGINX_SERVER_NAME="$(NGINX_SERVER_NAME)" \
	  API_UPSTREAM="$(API_UPSTREAM)" bash scripts/install-nginx-config.sh
