#!/usr/bin/env bash
# The whole suite. pytest's exit 5 (no test collected) is a failure, like any other non-zero exit.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
.venv/bin/ruff check bot actions tests bench deploy || exit 1
.venv/bin/rasa data validate --fail-on-warnings --quiet || exit 1
.venv/bin/python -m pytest tests -p no:cacheprovider -rs "$@"
