#!/usr/bin/env bash
# Talk to the assistant in the terminal (with the action server in the background): bot/processes (stacks.chat).
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
exec .venv/bin/python -m bot.processes chat
