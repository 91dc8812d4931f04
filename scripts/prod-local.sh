#!/usr/bin/env bash
# Production mode on one machine (`make prod-local`): PostgreSQL + Redis + 2 Rasa servers + 2 action
# servers behind nginx. Ctrl-C stops everything. A server that dies is restarted (as Kubernetes
# would), unless the file $PROD_DIR/run/<name>.hold exists (used by the fault tests).
# The processes and their settings are in bot/processes/stacks.py (prod_local); see deploy/README.md.
set -uo pipefail
cd "$(dirname "$0")/.."
action_url_given="${ACTION_ENDPOINT_URL:-}"
source scripts/env.sh
# env.sh points at the single action server of `make run`; empty: nginx in front of the action servers.
export ACTION_ENDPOINT_URL="$action_url_given"
exec .venv/bin/python -m bot.processes prod-local
