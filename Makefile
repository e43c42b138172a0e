# heatpump-dashboard — `make demo` and `make test` work from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := influxdb nginx-light libnginx-mod-http-brotli-static chromium
PYTEST_ARGS ?=

.PHONY: demo test bench test-js system-deps node bundle clean

demo: $(VENV)/.installed bundle
	$(BIN)/heatpump-dashboard demo --port 8050

test: system-deps $(VENV)/.installed bundle test-js
	$(BIN)/pytest $(PYTEST_ARGS)

# Every bench script in one run: one table and bench/results.json (about 10 minutes; run it alone).
bench: system-deps $(VENV)/.installed bundle
	$(BIN)/python bench/run_all.py

# Debian packages the tests start for real; installed only when missing (CI has no stdin).
system-deps:
	@missing=""; for pkg in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

# Debian's own python3 needs python3-venv for `-m venv`; install it only when venv can't be made.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv && \
	  $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

node:
	@command -v npm >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm; }

node_modules/.installed: package.json package-lock.json | node
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

bundle: node_modules/.installed
	npm run --silent build

test-js: node_modules/.installed
	npm run --silent test:js

clean:
	rm -rf $(VENV) node_modules site_templates/dist test-artifacts
	find public -mindepth 1 ! -name .gitkeep -delete
