#!/usr/bin/env bash
# Starts every server of the default configuration and stops them all on Ctrl-C (`make run`).
# The processes are declared in bot/processes/ (stacks.dev); logs in var/log/.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
exec .venv/bin/python -m bot.processes dev
