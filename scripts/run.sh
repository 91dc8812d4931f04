#!/usr/bin/env bash
# Starts every server of the default configuration and stops them all on Ctrl-C.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
BIN=.venv/bin
mkdir -p var/log
# Fresh logs at each start, then written in append mode: the daily purge empties them in place.
for name in actions rasa site console purge; do : >"var/log/$name.log"; done
pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Arrêt des serveurs…"
  kill "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
  echo "Tout est arrêté."
}
trap stop INT TERM EXIT

$BIN/python -m bot.action_server -p "$ACTIONS_PORT" >>var/log/actions.log 2>&1 & pids+=($!)
# shellcheck disable=SC2086
$BIN/python -m bot.serve run -m models/current.tar.gz -p "$RASA_PORT" --endpoints endpoints.yml --credentials credentials.yml \
  --cors $ALLOWED_ORIGINS >>var/log/rasa.log 2>&1 & pids+=($!)
if $BIN/python -c "import bot.site" 2>/dev/null; then
  $BIN/python -m bot site --port "$SITE_PORT" >>var/log/site.log 2>&1 & pids+=($!)
fi
if $BIN/python -c "import bot.console" 2>/dev/null; then
  # Plain http on localhost: the explicit development opt-out of the Secure cookie.
  CONSOLE_INSECURE_COOKIES=1 $BIN/python -m bot console --port "$CONSOLE_PORT" >>var/log/console.log 2>&1 & pids+=($!)
  # Retention without anyone: now, then every day at PURGE_HOUR (conversations, audit, logs…).
  $BIN/python -m bot retention --daily >>var/log/purge.log 2>&1 & pids+=($!)
fi

echo "Démarrage (le serveur Rasa met environ 15 s à charger le modèle)…"
for _ in $(seq 1 180); do
  curl -sf "http://localhost:$RASA_PORT/" >/dev/null && break
  sleep 1
done
cat <<MSG

  Assistant (canal REST) : http://localhost:$RASA_PORT/webhooks/rest/webhook
  Assistant (socket.io)  : http://localhost:$RASA_PORT/socket.io
  Serveur d'actions      : http://127.0.0.1:$ACTIONS_PORT/webhook (jeton exigé)
  Page de démonstration  : http://localhost:$SITE_PORT/
  Console du personnel   : http://localhost:$CONSOLE_PORT/
  Journaux               : var/log/

  Exemple : curl -s -XPOST http://localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"essai","message":"bonjour"}'
  (conversation « rest-essai » ; en production le « sender » est un jeton : POST /webhooks/rest/session)
  Ctrl-C arrête tout.
MSG
wait -n "${pids[@]}"
echo "Un serveur s'est arrêté (voir var/log/)." >&2
