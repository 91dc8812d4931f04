#!/usr/bin/env bash
# Builds var/edsnlp-venv, the separate venv of the edsnlp comparison (bench/edsnlp/README.md).
# edsnlp 0.17.x declares spaCy 3.8.5-3.8.6 and the project pins 3.8.7: it never goes into .venv.
# Idempotent: does nothing when the venv already matches bench/edsnlp/requirements.lock.
#   bash bench/edsnlp/setup.sh          (EDSNLP_VENV=... to build it elsewhere)
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${EDSNLP_VENV:-var/edsnlp-venv}"
LOCK=bench/edsnlp/requirements.lock
UV=.venv/bin/uv
[ -x "$UV" ] || UV="$(command -v uv || true)"
if [ -z "$UV" ]; then echo "uv introuvable (.venv/bin/uv ou PATH) : lancer 'make setup' d'abord" >&2; exit 1; fi
# Only an installed Python 3.10: nothing is downloaded but PyPI packages.
export UV_PYTHON_DOWNLOADS=never
STAMP="$VENV/.synced"
if [ -f "$STAMP" ] && [ "$STAMP" -nt "$LOCK" ] && [ -x "$VENV/bin/python" ]; then exit 0; fi
[ -x "$VENV/bin/python" ] || "$UV" venv -q -p "$(command -v python3.10 || echo 3.10)" "$VENV"
"$UV" pip sync -q --python "$VENV/bin/python" "$LOCK"
"$VENV/bin/python" -c "import edsnlp, spacy; print('edsnlp', edsnlp.__version__, '/ spaCy', spacy.__version__, 'in $VENV')"
touch "$STAMP"
