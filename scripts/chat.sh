#!/usr/bin/env bash
# Talk to the assistant in the terminal (with the action server in the background).
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
mkdir -p var/log
.venv/bin/python -m bot.action_server -p "$ACTIONS_PORT" >var/log/actions-chat.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
.venv/bin/python -m bot.serve shell -m models/current.tar.gz --endpoints endpoints.yml
