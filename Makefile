# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.10 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements/requirements.lock
MODEL := models/current.tar.gz
# The red-flag lexicon and component are read at run time: changing them needs no training. The
# intent classifier's code shapes the trained model: changing it does.
TRAINING_INPUTS := config.yml domain.yml $(wildcard data/*/*.yml) bot/core/intent_model.py bot/rasa_server/classifier.py \
  bot/rasa_server/policies.py

.PHONY: setup run test test-prod prod-local chat bench lint train db web browser nginx sqlmap clean content-review

setup: $(BIN)/.installed db web

# Bytecode compiled once here: a server start otherwise compiles 3,000 modules (6 s) when
# PYTHONDONTWRITEBYTECODE is set or site-packages is read-only.
$(BIN)/.synced: $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || { $(BIN)/python -m ensurepip -q >/dev/null 2>&1; \
	  $(BIN)/python -m pip install -q --disable-pip-version-check "$$(grep '^uv==' $(LOCK))"; }
	$(BIN)/uv pip sync -q --compile-bytecode --python $(BIN)/python $(LOCK)
	@touch $@

# Our package itself, editable: `bot` and `actions` import from this checkout in every process.
$(BIN)/.installed: $(BIN)/.synced pyproject.toml
	$(BIN)/uv pip install -q --no-deps --no-build-isolation --python $(BIN)/python -e .
	@touch $@

# Trains only when the training data, the configuration or the classifier's code changed.
$(MODEL): $(TRAINING_INPUTS) $(BIN)/.synced | $(BIN)/.installed
	@mkdir -p models var
	$(BIN)/rasa train --fixed-model-name current --out models --quiet
	@touch $@

train: $(MODEL)

db: $(BIN)/.installed
	@$(BIN)/python -m bot db-upgrade

web:
	@if [ -f web/build.sh ]; then bash web/build.sh; fi

browser:
	@bash scripts/ensure-deb.sh /usr/bin/chromium "tests dans le navigateur" chromium chromium-driver

nginx:
	@bash scripts/ensure-deb.sh /usr/sbin/nginx "répartiteur de charge du mode production" nginx

sqlmap:
	@bash scripts/ensure-deb.sh /usr/bin/sqlmap "recherche d'injections SQL dans la console (make test-prod)" sqlmap

run: setup $(MODEL)
	@bash scripts/run.sh

test: setup $(MODEL) browser
	@bash scripts/test.sh

test-prod: setup $(MODEL) nginx sqlmap
	@bash scripts/test-prod.sh

# Production mode on one machine: PostgreSQL, Redis, two Rasa servers behind nginx (deploy/README.md).
prod-local: setup $(MODEL) nginx
	@bash scripts/prod-local.sh

chat: setup $(MODEL)
	@bash scripts/chat.sh

bench: setup $(MODEL) nginx
	@bash scripts/bench.sh

# The document a doctor reads and signs: every answer beside its source, HTML and PDF in var/content-review/.
content-review: $(BIN)/.installed browser
	@source scripts/env.sh && $(BIN)/python -m bot content-review

lint: $(BIN)/.installed
	$(BIN)/ruff check bot actions tests bench
	$(BIN)/mypy bot actions
	$(BIN)/rasa data validate --fail-on-warnings --quiet

clean:
	rm -rf models var/bench var/artifacts
