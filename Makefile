# Two commands do all set-up on a fresh machine (Python 3.11 + the package registries):
#   make run   — install, migrate the embedded SQLite database, load the example plan, serve the bot
#   make test  — install, then run the whole test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PLAN   ?= examples/halton-plan.yaml
NODE_TOOLS := tests/node

.PHONY: run test install install-test node-tools lint bench clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,agents]'
	touch $@

install: $(VENV)/.installed

$(NODE_TOOLS)/node_modules/.installed: $(NODE_TOOLS)/package.json $(NODE_TOOLS)/package-lock.json
	cd $(NODE_TOOLS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

node-tools: $(NODE_TOOLS)/node_modules/.installed

# The Agents Playground tests (tests/playground): the npm packages (`npm ci` in tests/node, above)
# and Debian's Chromium for the web UI test, installed only when /usr/bin/chromium is missing.
.PHONY: playground-tools
playground-tools: node-tools
	@test -x /usr/bin/chromium || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# The report tests convert DOCX to PDF with LibreOffice and read it with pdftotext (poppler).
.PHONY: report-tools
report-tools:
	@command -v soffice >/dev/null && command -v pdftotext >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y \
	    libreoffice-writer-nogui poppler-utils; }

run: install
	$(BIN)/cqcbot db upgrade
	$(BIN)/cqcbot plan import $(PLAN)
	$(BIN)/cqcbot serve

test: install node-tools playground-tools report-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Try it locally: the bot on the example plan and the Agents Playground with the plan's chair and owners.
.PHONY: playground
playground: install node-tools
	$(BIN)/python scripts/playground.py --plan $(PLAN) --python $(BIN)/python

# Refresh the README's screenshots of the prompt, the receipt and the digest (the Agents Playground in Chromium).
screenshots: install node-tools playground-tools
	PLAYGROUND_SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest tests/playground/test_playground_ui.py -q
	DASHBOARD_SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest tests/dashboard/test_browser.py -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile

clean:
	rm -rf $(VENV) $(NODE_TOOLS)/node_modules
