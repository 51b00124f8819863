# agentls: `make demo` and `make test` work on a fresh machine (they create .venv first).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
STAMP_LOCAL := $(VENV)/.installed-local

.PHONY: demo test lint bench record venv clean editor-client

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "agentls needs Python 3.11 or newer; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The main job on the bundled example: the change is shown, never written (no --apply).
# The model is `auto`: an API key in the environment, else a local Ollama, else the
# embedded SmolLM2-135M (the `local` extra; building llama.cpp takes a few minutes once).
DEMO_TASK := Fix the failing test and the lint error in this project.
demo: $(STAMP_LOCAL)
	@echo "== agentls run on examples/inventory: a failing test and a lint error"
	@$(BIN)/agentls run "$(DEMO_TASK)" --workspace examples/inventory --max-steps 4; status=$$?; \
	if [ $$status -eq 1 ]; then \
		echo "== the model did not produce a change that passes the checks, so nothing was applied"; \
		echo "   (the embedded model is tiny; with OPENAI_API_KEY or another provider's key set, make demo uses that)"; \
	elif [ $$status -ne 0 ]; then exit $$status; fi

$(STAMP_LOCAL): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,local]"
	touch $(STAMP_LOCAL)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Three workers on two cores: most tests wait on a subprocess (a server, pytest, ruff),
# so the suite takes about half as long; `make record` stays sequential.
test: lint
	$(BIN)/python -m pytest -q -n 3
	@$(MAKE) --no-print-directory editor-client

# The VS Code extension: unit tests, an integration test against this venv's
# `agentls serve`, and the .vsix. Skipped, saying so, where Node.js is not installed.
editor-client: $(STAMP)
	@if command -v npm >/dev/null 2>&1; then \
		echo "== editor-client: npm ci, tests, package"; \
		cd editor-client && npm ci --no-audit --no-fund --loglevel=error && npm test --silent \
		&& npm run --silent package >/dev/null && echo "== editor-client: built editor-client/agentls.vsix"; \
	else \
		echo "skipping editor-client tests: Node.js/npm not found"; \
	fi

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
	$(BIN)/python -m bench.robustness

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
