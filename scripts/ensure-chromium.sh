#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; install it when missing and we may (root with apt).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installation de Chromium (tests dans le navigateur)…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
else
  echo "Chromium absent et non installable ici : les tests navigateur seront ignorés." >&2
fi
