# Two commands matter: `make run` and `make test`. Both install on first use and
# re-install only when the files that describe the environment change.
SHELL := /bin/bash
VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
PIP_CONSTRAINT := constraints.txt

.PHONY: run test test-fast install rasa-env train ingest lint bench audit

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(PY) || $$(scripts/find-python 3.11) -m venv $(VENV)
	$(PY) -m pip install -q -c $(PIP_CONSTRAINT) torch==2.13.0
	$(PY) -m pip install -q -c $(PIP_CONSTRAINT) -e '.[dev]'
	@touch $@

rasa-env: $(RASA_VENV)/.installed

$(RASA_VENV)/.installed: nlu_data/requirements-rasa.txt
	@test -x $(RASA_VENV)/bin/python || $$(scripts/find-python 3.10) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install -q --upgrade "pip<24.1"
	$(RASA_VENV)/bin/python -m pip install -q -r nlu_data/requirements-rasa.txt
	@touch $@

train: install rasa-env
	$(VENV)/bin/assistant train

ingest: install
	$(VENV)/bin/assistant ingest

# Order questions: the demo order database is made on first use and answers them unless ASSISTANT_ORDERS_URL
# names a real order system (in the environment or .env).
run: install rasa-env
	$(VENV)/bin/assistant ingest
	$(VENV)/bin/assistant train
	$(VENV)/bin/assistant demo orders --if-missing
	$(VENV)/bin/assistant serve --demo-orders

test: install rasa-env
	scripts/with-chromium scripts/with-postgres $(PY) -m pytest

# The quick tier: no embedding model, spaCy, Rasa, PostgreSQL or browser (about two minutes).
test-fast: install
	$(PY) -m pytest -m "not model and not rasa and not postgres and not slow and not browser"

lint: install
	$(VENV)/bin/ruff check .

# The quick benchmarks on the demo knowledge; the handbook and 100k-chunk ones are run by hand (see docs/evaluation.md).
bench: install
	$(PY) benchmarks/bench_ask.py
	$(PY) benchmarks/bench_redaction.py

# Known vulnerabilities in .venv and .venv-rasa (pip-audit in its own .venv-audit; needs network access to pypi.org).
audit: install rasa-env
	scripts/audit
