# The two commands a newcomer runs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo chat test lint typecheck eval bench bench-full bench-bot bench-alerts clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)  ## Create .venv and install Dépêche with its test tools

demo: $(STAMP)  ## Fill data/depeche.db from seeds/ and answer two questions (no token needed)
	$(BIN)/depeche demo

chat: $(STAMP)  ## Chat with Dépêche in the terminal, as on Telegram
	$(BIN)/depeche chat

test: lint typecheck  ## Lint, check the formatting and types, then run the whole test-suite
	$(BIN)/python -m pytest

lint: $(STAMP)  ## ruff's checks, and fail when `ruff format` would change a file
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

eval: $(STAMP)  ## Answer quality on the labelled dev set: Dépêche against two rank-bm25 baselines
	$(BIN)/python -m benchmarks.evaluate

bench: $(STAMP)  ## Compare the index with rank-bm25, bm25s and tantivy (quick sizes)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m benchmarks.bench_search --quick

bench-full: $(STAMP)  ## The same at 10k, 100k and 1M passages (takes a while)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m benchmarks.bench_search

bench-bot: $(STAMP)  ## The bot end to end at 10k and 1M passages: questions, start-up, ingest, burst
	$(BIN)/python -m benchmarks.bench_end_to_end $(if $(QUICK),--quick) $(if $(DEPECHE_TEST_POSTGRES_URL),--postgres $(DEPECHE_TEST_POSTGRES_URL))

bench-alerts: $(STAMP)  ## A burst of 10,000 alerts through `depeche run` (also killed -9), SQLite and PostgreSQL
	$(BIN)/python -m benchmarks.bench_alerts

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
