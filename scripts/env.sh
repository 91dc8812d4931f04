# Shared defaults of the run scripts; every value can be overridden from the environment.
# The defaults are bot/settings.py's (tests/unit/test_settings.py checks it). endpoints.yml reads
# ACTION_ENDPOINT_URL, ACTION_SERVER_TOKEN and ASSISTANT_VAR_DIR: Rasa stops if one is unset.
export RASA_PORT="${RASA_PORT:-5005}"
export ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export SITE_PORT="${SITE_PORT:-8080}"
export CONSOLE_PORT="${CONSOLE_PORT:-8081}"
# Origins allowed to call the Rasa server from a browser (the centre's site and the demo page).
export ALLOWED_ORIGINS="${ALLOWED_ORIGINS:-http://localhost:${SITE_PORT} http://127.0.0.1:${SITE_PORT}}"
export RASA_PUBLIC_URL="${RASA_PUBLIC_URL:-http://localhost:${RASA_PORT}}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTIONS_PORT}/webhook}"
# The project's writable folder; Rasa's SQLite tracker store (endpoints.yml) is the project's database in it.
ASSISTANT_VAR_DIR="${ASSISTANT_VAR_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)/var}"
export ASSISTANT_VAR_DIR
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=2
# The Rasa server sends it (endpoints.yml) and the action server checks it (bot/action_server.py).
# One per run when not given; production sets its own (deploy/README.md).
if [ -z "${ACTION_SERVER_TOKEN:-}" ]; then
  ACTION_SERVER_TOKEN="$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
  export ACTION_SERVER_TOKEN
fi
