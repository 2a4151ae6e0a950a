# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint bench clean chromium servers

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# Debian's Chromium for the browser tests, installed only when missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# Debian's Apache and nginx (with njs) for the real-server content negotiation tests
# (tests/test_servers.py), installed only when missing.
servers:
	@{ [ -x /usr/sbin/apache2 ] && [ -x /usr/sbin/nginx ] && \
	   [ -e /usr/lib/nginx/modules/ngx_http_js_module.so ]; } || { \
	  echo "installing Debian's apache2, nginx and libnginx-mod-http-js for the server tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    apache2 nginx libnginx-mod-http-js >/dev/null; }

demo: $(VENV)/.installed
	$(BIN)/citynet build
	$(BIN)/citynet validate
	$(BIN)/citynet query shared-projects --param city=Liège

test: $(VENV)/.installed-test chromium servers
	$(BIN)/python -m pytest -n 2 -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build .pytest_cache
