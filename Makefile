# The two set-up commands: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin

.PHONY: install run test lint bench clean screenshots

install: $(VENV)/.installed node_modules/.package-lock.json

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# The console's front-end libraries (package.json, pinned by package-lock.json), served by the
# app from node_modules: never a CDN. npm is in Debian's `npm` package (.ci/run installs it).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# `make run SIMULATE=40` also sends 40 realistic demo alerts once the server is up.
# Logs are human-readable here (deployments keep the JSON default).
run: export LIFELINE_LOG_JSON ?= false
# Demo mode: the seeded units' contacts deliver to the demo inbox (/console/demo-inbox).
run: export LIFELINE_DEMO ?= true
run: install
	$(BIN)/lifeline db upgrade
	$(BIN)/lifeline demo seed
ifdef SIMULATE
	(sleep 4 && $(BIN)/lifeline simulate --demo --count $(SIMULATE) --rate 1 >var/simulate.log 2>&1 &)
endif
	$(BIN)/lifeline serve

test: install
	$(BIN)/pytest -n auto --dist loadfile

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python bench/intake.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache node_modules

# Refresh the README's screenshots from the browser tests (tests alone write to a temporary folder).
screenshots: install
	LIFELINE_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest tests/browser -q
