# Two targets a newcomer needs (see README "Quick start"): `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
DATABASE ?= sqlite:///tracker.sqlite
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench bench-site bench-deploy clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: set up, load the bundled plan into the embedded store, serve the site
run: $(STAMP)
	$(BIN)/tracker --database-url $(DATABASE) load events/
	$(BIN)/tracker --database-url $(DATABASE) status
	@echo "Serving the site at http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/tracker --database-url $(DATABASE) serve --host $(HOST) --port $(PORT)

## test: set up, lint, run every test (PostgreSQL ones need TRACKER_TEST_POSTGRES_URL)
test: $(STAMP) lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## bench: the load benchmark (ratios against the library's raw append rate)
bench: $(STAMP)
	$(BIN)/python bench/load.py

## bench-site: the site benchmark (needs wrk: apt-get install wrk)
bench-site: $(STAMP)
	$(BIN)/python bench/site.py

## bench-deploy: the deployment under load and faults, on the machine's PostgreSQL (needs
## wrk; restarts PostgreSQL once). BENCH_DEPLOY_ARGS=--quick for a short run.
bench-deploy: $(STAMP)
	$(BIN)/python bench/deploy.py $(BENCH_DEPLOY_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis tracker.sqlite
