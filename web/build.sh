#!/usr/bin/env bash
# Builds the chat widget into web/dist/widget.js (called by `make run` and `make test`).
# Installs the npm packages only when package.json / package-lock.json changed, and rebuilds only
# when the sources changed; otherwise it returns at once.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v npm >/dev/null 2>&1; then
  echo "web/build.sh : Node.js 18+ et npm sont nécessaires pour construire le widget." >&2
  exit 1
fi

# Two make targets may build at the same time: one at a time.
if command -v flock >/dev/null 2>&1; then
  exec 9>.build.lock
  flock 9
fi

fingerprint() { find "$@" -type f -print0 2>/dev/null | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1; }

deps=$(fingerprint package.json package-lock.json)
if [[ ! -f node_modules/.deps-fingerprint || "$(cat node_modules/.deps-fingerprint)" != "$deps" ]]; then
  if [[ -f package-lock.json ]]; then
    npm ci --no-audit --no-fund
  else
    npm install --no-audit --no-fund
  fi
  fingerprint package.json package-lock.json > node_modules/.deps-fingerprint
fi

sources=$(fingerprint src build.mjs package-lock.json ../config/centre.yml)
if [[ -f dist/widget.js && -f dist/.sources-fingerprint && "$(cat dist/.sources-fingerprint)" == "$sources" ]]; then
  echo "web/build.sh : widget à jour (web/dist/widget.js)."
  exit 0
fi
node build.mjs
echo "$sources" > dist/.sources-fingerprint
echo "web/build.sh : widget construit (web/dist/widget.js)."
