# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make demo   - a live demo on an embedded Redis and a sandbox helpdesk
#   make test   - lint and the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/breather demo $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

# bench.tone* read the training data from BREATHER_TONE_DATA (see docs/tone.md)
bench: $(STAMP)
	$(BIN)/python -m bench.tone
	$(BIN)/python -m bench.tone_cv
	$(BIN)/python -m bench.tone_ablation
	$(BIN)/python -m bench.strain
	$(BIN)/python -m bench.connectors
	$(BIN)/python -m bench.e2e
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.api
	$(BIN)/python -m bench.freshness
	$(BIN)/python -m bench.soak

clean:
	rm -rf $(VENV) .breather .pytest_cache .ruff_cache
