# termsheet: `make demo` and `make test` do all the set-up they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-fast bench clean lint wheel-check

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/termsheet demo

# pytest exits 5 when it collects no tests; that must fail, and it does (any non-zero exit fails make).
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: $(STAMP)
	$(BIN)/python -m pytest -x -m "not spark and not browser"

# pyflakes-class checks: unused imports and names, undefined names
lint: $(STAMP)
	$(BIN)/ruff check --select F src tests benchmarks

# The wheel in a fresh venv outside the checkout (pinned dependencies) runs the demo.
wheel-check: $(STAMP)
	PYTHON=$(BIN)/python .ci/wheel-check

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache termsheet.duckdb
