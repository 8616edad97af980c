# Frontline: `make run` opens the dashboard on bundled sample data; `make test` runs every test.
# Both bootstrap everything on a fresh machine that has python3, make and the package registries.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
TOOLS  := .cache/tools
UV     := $(TOOLS)/bin/uv
UV_VERSION := 0.13.8
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_COMPILE_BYTECODE := 1

.PHONY: setup run test bench vendor sample clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# The environment is rebuilt only when the lock file changes.
$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen
	touch $@

setup: $(VENV)/.synced

clean:
	rm -rf $(VENV) $(TOOLS) static/vendor

# Leaflet and the other browser assets, from the npm registry, served locally by Streamlit (offline maps).
static/vendor/.fetched: scripts/fetch_vendor.sh
	bash scripts/fetch_vendor.sh static/vendor
	touch $@

vendor: static/vendor/.fetched

# The bundled sample corpus, ingested once into the store the dashboard opens on.
SAMPLE_DB := .cache/sample.db
$(SAMPLE_DB): $(VENV)/.synced $(wildcard data/sample/*) $(wildcard data/profiles/*) $(wildcard data/lexicons/*)
	mkdir -p $(dir $@)
	rm -f $@ $@-wal $@-shm
	$(PY) -m geo ingest data/sample --db $@ --quiet

sample: $(SAMPLE_DB)

run: setup vendor $(SAMPLE_DB)
	$(PY) -m geo dashboard --db $(or $(FRONTLINE_DB),$(abspath $(SAMPLE_DB)))

test: setup vendor
	$(PY) -m pytest

bench: setup vendor
	$(PY) -m bench
