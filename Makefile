# flight-radar: every entry point. STACK=local|docker (a make variable or setting) picks local processes or
# docker compose; unset, docker when a Docker engine and compose v2 answer (driver/stack-kind.ts).
SHELL := /bin/bash
.DEFAULT_GOAL := help
scale ?= 1
question ?= all
at ?=
from ?=
to ?=
last ?=
format ?= table
allow-partial ?=
once ?=
only ?=
repeats ?=
source ?=
refresh ?=
stage ?=
# The AWS SDK pinned in package-lock.json runs on Node 20; its notice is about SDK releases after January 2027
# (they will need Node 22) and would repeat on every command. Set it to false to see it.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?= true
TSX := node --import tsx
CLI := $(TSX) driver/cli.ts

.PHONY: help setup up down status env doctor run-main run-answers backfill serve test test-unit bench typecheck

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

setup: ## install everything into .stack/ (idempotent): npm deps, credentials, protocol code; Spark and MinIO, or on a Docker host without Java/Go/Python/Maven, the images
	@bash spark/scripts/setup.sh

up: setup ## start MinIO, Spark master, scale=N workers and Spark Connect; wait until healthy (STACK=local|docker)
	@bash spark/scripts/stack.sh up $(scale)

down: ## stop the stack, keep the data
	@bash spark/scripts/stack.sh down

status: ## the stack's processes and the recent runs
	@bash spark/scripts/stack.sh status
	@$(CLI) status

env: ## the settings as KEY=value lines, STACK included (make -s env); they hold the keys to reach MinIO and Spark Connect: for your own terminal
	@$(CLI) env

doctor: ## check the running stack end to end; last line JSON
	@$(CLI) doctor

run-main: up ## run the pipeline now, then every hour (once=1: one cycle; source=sim: offline demo; refresh=1: refetch airlines/airports)
	@$(CLI) run-main scale=$(scale) $(if $(once),once=$(once)) $(if $(source),source=$(source)) $(if $(refresh),refresh=$(refresh))

run-answers: ## answer question=Q on the newest published gold snapshot (at=YYYY-MM-DDTHH, format=json, allow-partial=1); a trend with from=/to= or last=24h (format=csv)
	@$(CLI) run-answers question=$(question) $(if $(at),at=$(at)) $(if $(from),from=$(from)) $(if $(to),to=$(to)) $(if $(last),last=$(last)) format=$(format) $(if $(allow-partial),allow-partial=$(allow-partial))

backfill: up ## reprocess stored bronze from=YYYY-MM-DDTHH to=YYYY-MM-DDTHH (stage=silver,gold) under the pipeline lock
	@$(CLI) backfill $(if $(from),from=$(from)) $(if $(to),to=$(to)) $(if $(stage),stage=$(stage))

serve: ## the status page and its JSON API at http://127.0.0.1:8090/ (WEB_PORT; WEB_HOST with WEB_TOKEN to open it wider)
	@$(CLI) serve

typecheck:
	@npx tsc --noEmit -p tsconfig.json

test-unit:
	@npx vitest run --project unit

test: setup ## the whole test suite: unit, local stack lifecycle and integration (when installed), then the testcontainers suite when Docker answers
	@npx tsc --noEmit -p tsconfig.json
	@npx vitest run --project unit
	@if [ -x .stack/spark/bin/spark-class ] && [ -x .stack/bin/minio ]; then \
	  STACK=local npx vitest run --project stack \
	  && { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || [ -n "$$CHROMIUM_PATH" ] \
	       || echo "NOTE: no Chromium found: the status page's browser test will be SKIPPED (apt-get install -y chromium, or set CHROMIUM_PATH)"; } \
	  && STACK=local npx vitest run --project integration; \
	else echo "SKIPPED the local-stack suites (tests/stack, tests/integration): make setup did not install Spark and MinIO into .stack/ (they need Java 17+, Go, Python with pip and Maven)"; fi
	@if docker compose version >/dev/null 2>&1 && docker info >/dev/null 2>&1; then npx vitest run --project docker; \
	else echo "SKIPPED the testcontainers suite (tests/docker): no Docker engine with compose v2 answers (docker info, docker compose version)"; fi

bench: setup ## the benchmarks (not part of make test; only=pipeline,answers,... runs some parts; repeats=N, pipeline-sizes=20000,2000000); results under bench/results/
	@$(TSX) bench/run.ts $(if $(only),only=$(only)) $(if $(repeats),repeats=$(repeats)) $(if $(pipeline-sizes),pipeline-sizes=$(pipeline-sizes))
