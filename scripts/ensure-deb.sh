#!/usr/bin/env bash
# Installs Debian packages when a program they provide is missing and we may (root with apt).
# Usage: ensure-deb.sh /path/to/program "what it is for" package...
set -euo pipefail
program=$1 purpose=$2; shift 2
if [ -x "$program" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installation de $* ($purpose)…"
  apt-get update -qq
  # No service start inside containers: the project runs its own instances.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq "$@" >/dev/null
else
  echo "$program absent et non installable ici ($purpose)." >&2
fi
