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
