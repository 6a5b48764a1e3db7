# Diaodu 调度 — developer entry points.
#   make run    install everything, migrate, load the plan + demo data, serve on 127.0.0.1:8000
#   make test   the whole suite on SQLite, then on a throwaway PostgreSQL cluster (ARGS="-k foo" passes through)
#   make lint   ruff, ruff format --check, mypy, makemigrations --check
#   make setup  just the installation part (idempotent)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PORT ?= 8000
ARGS ?=
# `uv` if it is on PATH, else the copy that `pip install uv` put into this Python (works without a rehash).
UV = $(shell command -v uv >/dev/null 2>&1 && echo uv || echo "python3 -m uv")
NPM_STAMP := node_modules/.diaodu-npm-stamp

.PHONY: help setup system-packages python-deps vendor collectstatic run test lint

help:
	@echo "make run    安装、迁移、载入计划和演示数据并启动 / install, migrate, load plan + demo, serve :$(PORT)"
	@echo "make test   先 SQLite 后 PostgreSQL 跑全部测试 / full suite on SQLite then PostgreSQL (ARGS=...)"
	@echo "make lint   ruff + mypy + makemigrations --check"
	@echo "make setup  只安装 / install only (idempotent)"

setup: system-packages python-deps vendor collectstatic

# apt-get only for what is missing, only as root, and `apt-get update` at most once.
system-packages:
	@missing=""; \
	if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		missing="$$missing postgresql"; fi; \
	if [ ! -x /usr/bin/chromium ]; then missing="$$missing chromium"; fi; \
	if ! dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 && ! (fc-list :lang=zh 2>/dev/null | grep -q .); then \
		missing="$$missing fonts-wqy-zenhei"; fi; \
	if ! command -v npm >/dev/null 2>&1; then missing="$$missing npm"; fi; \
	if ! command -v uv >/dev/null 2>&1 && ! python3 -m uv --version >/dev/null 2>&1 \
		&& ! python3 -m pip --version >/dev/null 2>&1; then missing="$$missing python3-pip"; fi; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" -ne 0 ]; then \
		echo "WARNING / 警告: missing system packages:$$missing"; \
		echo "  not root, so not installing them; run as root or: sudo apt-get install$$missing"; \
		exit 0; fi; \
	echo "Installing system packages / 安装系统软件包:$$missing"; \
	apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing

python-deps: system-packages
	@if ! command -v uv >/dev/null 2>&1 && ! python3 -m uv --version >/dev/null 2>&1; then \
		echo "Installing uv with pip / 用 pip 安装 uv"; \
		python3 -m pip install --quiet uv 2>/dev/null \
			|| python3 -m pip install --quiet --break-system-packages uv; \
	fi
	$(UV) sync --frozen

$(NPM_STAMP): package.json package-lock.json | system-packages
	npm ci --no-audit --no-fund
	@touch $@

vendor: $(NPM_STAMP)
	$(UV) run python scripts/vendor_assets.py

collectstatic: python-deps vendor
	$(UV) run python manage.py collectstatic --noinput -v0

run: setup
	$(UV) run diaodu migrate --noinput
	$(UV) run diaodu demo
	$(UV) run diaodu serve --port $(PORT)

test: setup
	$(UV) run python scripts/run_tests.py $(ARGS)

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy diaodu
	$(UV) run python manage.py makemigrations --check --dry-run
