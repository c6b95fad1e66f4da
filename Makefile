# Every target creates the virtual environment it needs, so a fresh clone needs only python3.
# Running uses its own environment with the runtime dependencies only (.venv-run); testing,
# linting and benchmarks use .venv, which adds the dev tools.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
RUN_VENV := .venv-run
RUN_BIN := $(RUN_VENV)/bin
RUN_STAMP := $(RUN_VENV)/.installed-stamp

.PHONY: run check test lint bench clean

# The board pack (WeasyPrint) needs pango, harfbuzz and fontconfig from the system, and a font
# (DejaVu) covering what users type. On Debian or Ubuntu they are installed here if missing.
SYSTEM_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core

.PHONY: system-libs
system-libs:
	@if ! ldconfig -p | grep -q 'libpango-1.0.so' || ! ldconfig -p | grep -q 'libharfbuzz-subset.so' \
	  || ! fc-list 2>/dev/null | grep -qi dejavu; then \
	  if command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_LIBS); \
	  else echo "install pango, harfbuzz, fontconfig and DejaVu fonts for the board pack" >&2; fi; \
	fi

$(STAMP): pyproject.toml | system-libs
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

$(RUN_STAMP): pyproject.toml | system-libs
	$(PYTHON) -m venv $(RUN_VENV)
	$(RUN_BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $(RUN_STAMP)

# Both read .env from this folder if there is one (variables already set win).
run: $(RUN_STAMP)
	$(RUN_BIN)/python -m bot

check: $(RUN_STAMP)
	$(RUN_BIN)/python -m bot check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/vulture

test: lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(RUN_VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
