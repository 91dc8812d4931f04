#!/usr/bin/env bash
# Production tests (`make test-prod`): the `make prod-local` stack (nginx, 2 Rasa servers, 2 action
# servers, PostgreSQL, Redis) under load, under faults and fuzzed. About 10 minutes on 2 cores.
# The fault tests restart the local PostgreSQL cluster and stop/start the local Redis.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgresql://$(id -un)@127.0.0.1:5432/postgres}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
export PROD_TESTS=1
.venv/bin/ruff check deploy tests/prod bench || exit 1
if command -v pg_isready >/dev/null && ! pg_isready -q -d "$TEST_POSTGRES_URL"; then
  echo "PostgreSQL ne répond pas ($TEST_POSTGRES_URL)." >&2
fi
if command -v redis-cli >/dev/null && ! redis-cli -u "$TEST_REDIS_URL" ping >/dev/null 2>&1; then
  echo "Redis ne répond pas ($TEST_REDIS_URL)." >&2
fi
.venv/bin/python -m pytest tests/prod -p no:cacheprovider -v -s "$@"
