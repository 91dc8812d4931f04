#!/usr/bin/env bash
# Production mode on one machine (`make prod-local`): PostgreSQL + Redis + 2 Rasa servers + 2 action
# servers behind nginx. Ctrl-C stops everything. A server that dies is restarted (as Kubernetes
# would), unless the file $PROD_DIR/run/<name>.hold exists (used by the fault tests).
# Every setting below can be overridden from the environment; see deploy/README.md.
set -uo pipefail
cd "$(dirname "$0")/.."
action_url_given="${ACTION_ENDPOINT_URL:-}"
source scripts/env.sh
BIN=.venv/bin

export PROD_PORT="${PROD_PORT:-5005}"                  # nginx, in front of the Rasa servers
export PROD_LISTEN="${PROD_LISTEN:-127.0.0.1}"
RASA_PORTS="${RASA_PORTS:-5006 5007}"
ACTIONS_LB_PORT="${ACTIONS_LB_PORT:-5055}"             # nginx, in front of the action servers
ACTION_PORTS="${ACTION_PORTS:-5056 5057}"
PROD_DIR="$(mkdir -p "${PROD_DIR:-var/prod}" && cd "${PROD_DIR:-var/prod}" && pwd)"
PROD_WEB="${PROD_WEB:-1}"                              # also start the demo page and the staff console
PROD_PURGE="${PROD_PURGE:-1}"                          # the daily purge (retention), as the CronJob does
PROD_SUPERVISE="${PROD_SUPERVISE:-1}"
NGINX="${NGINX:-/usr/sbin/nginx}"
PROD_CREDENTIALS="${PROD_CREDENTIALS:-credentials.yml}"

export DB_HOST="${DB_HOST:-127.0.0.1}" DB_PORT="${DB_PORT:-5432}" DB_NAME="${DB_NAME:-assistant_prod}"
export DB_USER="${DB_USER:-$(id -un)}" DB_PASSWORD="${DB_PASSWORD:-}"
export REDIS_HOST="${REDIS_HOST:-127.0.0.1}" REDIS_PORT="${REDIS_PORT:-6379}"
if [ -n "$DB_PASSWORD" ]; then db_auth="$DB_USER:$DB_PASSWORD"; else db_auth="$DB_USER"; fi
export DATABASE_URL="${DATABASE_URL:-postgresql://$db_auth@$DB_HOST:$DB_PORT/$DB_NAME}"
export ACTION_ENDPOINT_URL="${action_url_given:-http://127.0.0.1:$ACTIONS_LB_PORT/webhook}"
export RASA_PUBLIC_URL="http://localhost:$PROD_PORT"
# Two servers share two cores: one TensorFlow thread each, no oversubscription.
export TF_INTRA_OP_PARALLELISM_THREADS="${TF_INTRA_OP_PARALLELISM_THREADS:-1}"
export TF_INTER_OP_PARALLELISM_THREADS="${TF_INTER_OP_PARALLELISM_THREADS:-1}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
# Caps glibc malloc arenas (TensorFlow starts many threads): keeps resident memory from creeping.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# A server killed while holding a conversation's lock blocks that conversation until the lock
# expires: 30 s instead of Rasa's 60 s (a message never takes that long to process).
export TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-30}"
# Production rules (README, "Security of the channels"): signed conversation ids, REST senders with a token,
# signed phone webhooks (refused while TWILIO_AUTH_TOKEN is unset), the action-server token required.
export ASSISTANT_ENV="${ASSISTANT_ENV:-production}"
# Both Rasa servers must sign with the same key. Generated for this run when not given: the widgets'
# conversations then restart with the stack; set it to keep them across restarts.
if [ -z "${CONVERSATION_TOKEN_KEY:-}" ]; then
  CONVERSATION_TOKEN_KEY="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
  export CONVERSATION_TOKEN_KEY
fi

if ! command -v "$NGINX" >/dev/null; then
  echo "nginx introuvable ($NGINX) : installez le paquet Debian nginx, ou indiquez NGINX=/chemin/vers/nginx." >&2
  exit 1
fi

MODEL="${MODEL:-models/current.tar.gz}"
if [ ! -f "$MODEL" ]; then
  MODEL="$(ls -t models/*.tar.gz 2>/dev/null | head -n1)"
  [ -n "$MODEL" ] || { echo "Aucun modèle dans models/ : lancez d'abord 'make train'." >&2; exit 1; }
fi

mkdir -p "$PROD_DIR"/{log,run,nginx/tmp}
rm -f "$PROD_DIR"/run/*.pid "$PROD_DIR/run/ready"

# ---------- database: created if missing, then migrated ----------
$BIN/python - <<'PY' || exit 1
import os, sys
import psycopg2
from psycopg2 import sql
env = os.environ
try:
    conn = psycopg2.connect(host=env["DB_HOST"], port=env["DB_PORT"], user=env["DB_USER"],
                            password=env["DB_PASSWORD"] or None, dbname="postgres", connect_timeout=10)
except psycopg2.OperationalError as e:
    sys.exit(f"PostgreSQL injoignable sur {env['DB_HOST']}:{env['DB_PORT']} : {e}")
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (env["DB_NAME"],))
    if cur.fetchone() is None:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(env["DB_NAME"])))
        print(f"Base {env['DB_NAME']} créée.")
conn.close()
PY
$BIN/python -m bot db-upgrade || exit 1
if ! $BIN/python -c "import redis, os; redis.Redis(host=os.environ['REDIS_HOST'], port=int(os.environ['REDIS_PORT']), socket_timeout=3).ping()" 2>/dev/null; then
  echo "Attention : Redis injoignable sur $REDIS_HOST:$REDIS_PORT (verrous pris en mémoire de chaque serveur)." >&2
fi

# ---------- nginx configuration (scripts/prod-nginx.sh) ----------
bash scripts/prod-nginx.sh >"$PROD_DIR/nginx/nginx.conf" || exit 1
"$NGINX" -t -q -c "$PROD_DIR/nginx/nginx.conf" -p "$PROD_DIR/nginx" -g 'daemon off;' || exit 1

# ---------- processes ----------
declare -A pids=() restarts=()
names=()
launch() {  # launch NAME: (re)start one process, log in $PROD_DIR/log/NAME.log, pid in run/NAME.pid
  local name=$1 port=${1##*-}
  case $name in
    rasa-*)
      # shellcheck disable=SC2086
      $BIN/python -m bot.serve run -m "$MODEL" -p "$port" -i 127.0.0.1 --endpoints deploy/endpoints.prod.yml \
        --credentials "$PROD_CREDENTIALS" --cors $ALLOWED_ORIGINS >>"$PROD_DIR/log/$name.log" 2>&1 &
      ;;
    actions-*)
      ACTIONS_HOST=127.0.0.1 $BIN/python -m bot.action_server -p "$port" >>"$PROD_DIR/log/$name.log" 2>&1 &
      ;;
    nginx)
      "$NGINX" -c "$PROD_DIR/nginx/nginx.conf" -p "$PROD_DIR/nginx" -g 'daemon off;' \
        >>"$PROD_DIR/log/nginx.log" 2>&1 &
      ;;
    site) $BIN/python -m bot site --port "$SITE_PORT" >>"$PROD_DIR/log/site.log" 2>&1 & ;;
    console) $BIN/python -m bot console --port "$CONSOLE_PORT" >>"$PROD_DIR/log/console.log" 2>&1 & ;;
    purge)
      $BIN/python -m bot retention --daily --log-dir "$PROD_DIR/log" >>"$PROD_DIR/log/purge.log" 2>&1 &
      ;;
  esac
  pids[$name]=$!
  echo "${pids[$name]}" >"$PROD_DIR/run/$name.pid"
}

stopping=0
stop() {
  local rc=${1:-0}
  trap - INT TERM HUP EXIT
  stopping=1
  echo; echo "Arrêt des serveurs…"
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for _ in $(seq 1 40); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.5
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -f "$PROD_DIR"/run/*.pid "$PROD_DIR/run/ready"
  echo "Tout est arrêté."
  exit "$rc"
}
trap 'stop 0' INT TERM HUP
trap 'stop $?' EXIT

for p in $ACTION_PORTS; do names+=("actions-$p"); done
for p in $RASA_PORTS; do names+=("rasa-$p"); done
names+=(nginx)
[ "$PROD_PURGE" = 1 ] && names+=(purge)
if [ "$PROD_WEB" = 1 ]; then
  $BIN/python -c "import bot.site" 2>/dev/null && names+=(site)
  $BIN/python -c "import bot.console" 2>/dev/null && names+=(console)
fi
for n in "${names[@]}"; do launch "$n"; done

echo "Démarrage de ${#names[@]} processus (modèle $MODEL ; chaque serveur Rasa met 30 à 90 s à le charger)…"
for p in $RASA_PORTS; do
  for _ in $(seq 1 400); do
    curl -sf "http://127.0.0.1:$p/" >/dev/null && break
    if ! kill -0 "${pids[rasa-$p]}" 2>/dev/null; then
      echo "Le serveur Rasa du port $p s'est arrêté au démarrage :" >&2
      tail -n 30 "$PROD_DIR/log/rasa-$p.log" >&2
      exit 1
    fi
    sleep 1
  done
done
curl -sf "http://127.0.0.1:$PROD_PORT/" >/dev/null || echo "Attention : nginx ne répond pas sur le port $PROD_PORT." >&2

cat <<MSG

  Production locale prête (PostgreSQL $DB_HOST:$DB_PORT/$DB_NAME, Redis $REDIS_HOST:$REDIS_PORT)
  Assistant (canal REST) : http://localhost:$PROD_PORT/webhooks/rest/webhook  (nginx → ${RASA_PORTS// /, })
  Assistant (socket.io)  : http://localhost:$PROD_PORT/socket.io  (affinité par cookie ou adresse)
  Serveurs d'actions     : http://127.0.0.1:$ACTIONS_LB_PORT/webhook  (nginx → ${ACTION_PORTS// /, })
MSG
if [ "$PROD_WEB" = 1 ]; then
  echo "  Page de démonstration  : http://localhost:$SITE_PORT/"
  echo "  Console du personnel   : http://localhost:$CONSOLE_PORT/"
fi
cat <<MSG
  Journaux               : $PROD_DIR/log/

  Exemple (le canal REST exige un jeton de conversation en production) :
    curl -s -XPOST http://localhost:$PROD_PORT/webhooks/rest/session
    curl -s -XPOST http://localhost:$PROD_PORT/webhooks/rest/webhook -d '{"sender":"<jeton>","message":"bonjour"}'
  Ctrl-C arrête tout.
MSG
echo ready >"$PROD_DIR/run/ready"

# Supervision: restart what dies (unless held), like a Kubernetes Deployment.
while [ $stopping = 0 ]; do
  sleep 1 & wait $!
  for n in "${names[@]}"; do
    if ! kill -0 "${pids[$n]}" 2>/dev/null; then
      wait "${pids[$n]}" 2>/dev/null
      if [ -f "$PROD_DIR/run/$n.hold" ] || [ "$PROD_SUPERVISE" != 1 ]; then
        if [ -f "$PROD_DIR/run/$n.pid" ]; then
          echo "$(date +%T) $n arrêté (non redémarré)." >&2
          rm -f "$PROD_DIR/run/$n.pid"
        fi
        continue
      fi
      restarts[$n]=$(( ${restarts[$n]:-0} + 1 ))
      if [ "${restarts[$n]}" -gt 20 ]; then
        [ -f "$PROD_DIR/run/$n.pid" ] && echo "$(date +%T) $n s'arrête sans cesse : abandon (voir $PROD_DIR/log/$n.log)." >&2
        rm -f "$PROD_DIR/run/$n.pid"
        continue
      fi
      echo "$(date +%T) $n s'est arrêté : redémarrage (voir $PROD_DIR/log/$n.log)." >&2
      launch "$n"
    fi
  done
done
