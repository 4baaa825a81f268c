# Caller memory for ElevenLabs voice agents. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .tools/venv
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# The operator commands read .env, or else the settings `make dev` uses.
ENV_FILE ?= $(if $(wildcard .env),.env,.dev/dev.env)

.PHONY: help tools test dev demo events bench eval replay pending forget export build package fmt lint clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

tools: ## Install cargo-lambda into .tools/ (from PyPI)
	@scripts/tools.sh

test: ## Format check, clippy, every test (starts a local S3 server), cfn-lint
	@scripts/test.sh

bench: ## Measure speed: handlers, loopback latency, cold start, size, audio memory, scale (one table)
	@# One package per build: together, cargo would unify features and link
	@# post-call's S3 SDK into client-data and search-data.
	for p in client-data search-data post-call; do cargo build --release -p $$p || exit 1; done
	@# arm64 (what template.yaml deploys), for the size rows.
	scripts/tools.sh cross
	for p in client-data search-data post-call; do PATH="$$PWD/.tools/venv/bin:$$PATH" cargo lambda build --release --arm64 -p $$p || exit 1; done
	cargo run --quiet --release -p bench

eval: ## Retrieval quality: public real-dialogue sets (dev/test, beside BM25), then the generated mechanism set
	cargo run --quiet --release -p eval -- real
	cargo run --quiet --release -p eval -- run

dev: tools ## Run the three functions locally (cargo lambda watch, embedded store, local payloads)
	@scripts/dev.sh

demo: ## Walk one caller's journey against a running `make dev`
	@scripts/demo.sh

replay: ## Ingest every stored transcription not yet ingested (safe to repeat)
	CALLER_MEMORY_ENV_FILE=$(ENV_FILE) cargo run --quiet --release -p admin -- replay

pending: ## List the calls waiting for ingestion
	CALLER_MEMORY_ENV_FILE=$(ENV_FILE) cargo run --quiet --release -p admin -- pending

forget: ## Erase a caller: make forget NUMBER=+15551234567
	@test -n "$(NUMBER)" || { echo "usage: make forget NUMBER=+15551234567"; exit 2; }
	CALLER_MEMORY_ENV_FILE=$(ENV_FILE) cargo run --quiet --release -p admin -- forget "$(NUMBER)"

export: ## Print what is stored about a caller: make export NUMBER=+15551234567
	@test -n "$(NUMBER)" || { echo "usage: make export NUMBER=+15551234567"; exit 2; }
	CALLER_MEMORY_ENV_FILE=$(ENV_FILE) cargo run --quiet --release -p admin -- export "$(NUMBER)"

package: ## Deploy artifacts: arm64 zips in target/package (checked), sam build, sam validate --lint
	@scripts/package.sh

build: package ## Same as make package

fmt: ## Format the code
	cargo fmt --all

lint: ## Clippy with warnings as errors
	cargo clippy --workspace --all-targets -- -D warnings

clean: ## Remove build output and local state
	cargo clean
	rm -rf .dev .tools .aws-sam

events: ## Regenerate events/ with fresh post-call signatures (dev secret)
	@python3 scripts/make-events.py
