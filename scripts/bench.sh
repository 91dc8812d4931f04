#!/usr/bin/env bash
# Benchmarks: figures printed and written to var/bench/*.json (never asserted: see the tests for that).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
PY=.venv/bin/python
mkdir -p var/bench
echo "== Lisibilité des réponses (mots, LIX) =="; $PY -m bench.readability
echo; echo "== Détecteur de signaux d'alerte =="; $PY -m bench.redflags
# Optional (BENCH_EDSNLP=1): edsnlp's qualifiers against the detector's filters, in their own venv
# var/edsnlp-venv (built once by bench/edsnlp/setup.sh; edsnlp 0.17 needs another spaCy than ours).
if [ "${BENCH_EDSNLP:-}" = 1 ]; then
  echo; echo "== Qualificateurs d'edsnlp contre les filtres du détecteur (var/bench/edsnlp.json) =="
  bash bench/edsnlp/setup.sh
  $PY -m bench.edsnlp.export
  "${EDSNLP_VENV:-var/edsnlp-venv}/bin/python" -m bench.edsnlp.compare
fi
echo; echo "== NLU sur le jeu de test =="; $PY -m bench.nlu
echo; echo "== Conversations entières : jeu aveugle, jeu de test, jeu réservé (var/bench/conversations.json) =="
$PY -m bench.conversations
echo; echo "== Pipelines (projet / recette par défaut de Rasa), validation croisée =="
$PY -m bench.pipelines --folds "${BENCH_FOLDS:-3}" --cv "${BENCH_CV-projet}"
echo; echo "== Démarrage à froid et mémoire par serveur : rasa run (avant) contre python -m bot.serve (après) =="
$PY -m bench.startup --prod-env
echo; echo "== Latence, débit, mémoire (PostgreSQL, Redis, deux serveurs Rasa derrière nginx) =="
$PY -m bench.prod_bench ${BENCH_QUICK:+--quick}
if [ -f bench/summary.py ]; then $PY -m bench.summary; fi
