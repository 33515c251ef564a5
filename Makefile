# Two commands: `make demo` (set up, then run the main job on demo data) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint bench clean chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/chamdiem demo

lint: $(STAMP)
	$(BIN)/ruff check chamdiem tests bench
	$(BIN)/ruff format --check chamdiem tests bench
	$(BIN)/mypy

# The browser tests (tests/web/test_browser.py) drive Debian's Chromium; CI runs as root.
chromium:
	test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver)

test: lint chromium
	$(BIN)/chamdiem check rules/
	$(BIN)/chamdiem test --lang en rules/
	$(BIN)/chamdiem fmt --check rules/
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/bench_eval.py

clean:
	rm -rf $(VENV) data build dist .pytest_cache .mypy_cache .ruff_cache
