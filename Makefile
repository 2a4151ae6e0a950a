# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint bench clean debian-packages virtuoso

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# The Debian packages the tests run for real, installed only when missing: Chromium
# (browser tests), nginx and Apache with njs (content negotiation, the fetch replay).
DEBIAN_PACKAGES := chromium:/usr/bin/chromium nginx:/usr/sbin/nginx apache2:/usr/sbin/apache2 \
  libnginx-mod-http-js:/usr/lib/nginx/modules/ngx_http_js_module.so

debian-packages:
	@missing=""; for item in $(DEBIAN_PACKAGES); do \
	  [ -e "$${item#*:}" ] || missing="$$missing $${item%%:*}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages the tests need:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

# Debian's Virtuoso Open Source (server and isql only, no Conductor) for the store tests,
# installed only when missing; each test session starts its own on a free port.
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1 || { \
	  echo "installing Debian's virtuoso-opensource-7-bin for the store tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    virtuoso-opensource-7-bin >/dev/null; }

# The build sums its warnings up (counts by kind, the three most important; --warnings all
# lists every one, build/report.json has them all) and validates the graph; then the
# answer. tests/test_cli.py runs these lines and counts what comes before the answer.
demo: $(VENV)/.installed
	$(BIN)/citynet build
	$(BIN)/citynet query shared-projects --param city=Liège

test: $(VENV)/.installed-test debian-packages virtuoso
	$(BIN)/lint-imports --no-cache >/dev/null || $(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n 2 -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build .pytest_cache
