# metdash: two commands on a fresh machine.
#   make run   creates .venv, installs metdash, starts the app behind its sign-in gate (serve.py;
#              a demo practice when METDASH_DB is unset)
#   make test  installs what the tests need and runs the whole suite
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PORT ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run test bench lint demo install clean

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

# --compile-bytecode: the packages' .pyc files are written once here. Where
# PYTHONDONTWRITEBYTECODE is set (it is on these machines) Python would otherwise compile
# pandas, plotly and Streamlit from source in every process: ~1.3 s of each metdash command
# and more of the app's start.
.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --no-dev --inexact --compile-bytecode
	touch $@

.venv/.installed-dev: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --compile-bytecode
	touch $@

install: .venv/.installed

run: .venv/.installed
	@if [ -z "$$METDASH_DB" ]; then .venv/bin/metdash demo --if-missing; fi
	.venv/bin/streamlit run serve.py --server.port=$(PORT) --server.address=$(ADDRESS) \
		--server.headless=true --browser.gatherUsageStats=false

test: .venv/.installed-dev
	.venv/bin/python -m pytest $(PYTEST_ARGS)

bench: .venv/.installed-dev
	.venv/bin/python benchmarks/run.py $(BENCH_ARGS)

lint: .venv/.installed-dev
	.venv/bin/ruff check .

demo: .venv/.installed
	.venv/bin/metdash demo --db data/demo.duckdb

clean:
	rm -rf .venv .tools .pytest_cache
