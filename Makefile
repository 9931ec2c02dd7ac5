# `make run` and `make test` work as the first command on a fresh machine: each creates/reuses .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck chromium node bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/front-emulator serve --host 127.0.0.1 --port 8025 --creation-delay 0.5..2

# Browser tests drive Debian's Chromium; no browser can be downloaded here.
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The JSON and signing tests cross-check against Node's JSON.stringify and crypto; Debian's nodejs is enough.
node:
	@test -x /usr/bin/node || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check .

# mypy reads its settings (files, strictness) from [tool.mypy] in pyproject.toml.
typecheck: $(STAMP)
	$(BIN)/mypy

# Most tests wait on servers, subprocesses and browsers rather than compute, so more workers than the
# 2 cores of the reference machine overlap those waits; each worker has its own servers on free ports.
TEST_WORKERS ?= 4

test: $(STAMP) chromium node lint typecheck
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist load

bench: $(STAMP)
	for script in benchmarks/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build dist *.egg-info tests/artifacts
