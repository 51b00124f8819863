# agentls: `make demo` and `make test` work on a fresh machine (they create .venv first).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint bench record venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "agentls needs Python 3.11 or newer; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Until the language server lands, the demo runs what exists: the agent's sandbox.
demo: $(STAMP)
	@echo "== 1. a model's action runs natively in the sandboxed worker"
	$(BIN)/agentls exec --file examples/sandbox/01_compute.py
	@echo "== 2. an escape attempt is refused before it runs (exit code 1 expected)"
	-$(BIN)/agentls exec --file examples/sandbox/02_escape.py
	@echo "== 3. a runaway loop is stopped at its time limit (exit code 1 expected)"
	-$(BIN)/agentls exec --timeout 2 --file examples/sandbox/03_endless.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest -q

# Re-record the replayed model runs after an intended change (a prompt, a tool's
# output): the recorded answers stay, the requests are rewritten. Review the diff.
# The second run checks the new recordings: two tests sharing one recording must send
# the same requests.
record: $(STAMP)
	AGENTLS_RERECORD=1 $(BIN)/python -m pytest -q
	$(BIN)/python -m pytest -q
	git diff --stat -- tests/data

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python -m bench.executor
	$(BIN)/python -m bench.agent
	$(BIN)/python -m bench.edits
	$(BIN)/python -m bench.workspace
	$(BIN)/python -m bench.lsp

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
