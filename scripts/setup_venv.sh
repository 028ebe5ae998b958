#!/usr/bin/env bash
# Creates the project-local Python environment <repo>/.venv from
# scripts/requirements.txt, with Debian's interpreter (/usr/bin/python3).
#
# Idempotent and non-interactive: after a successful install a copy of
# requirements.txt is kept as .venv/requirements.stamp; while it matches the
# current requirements.txt this script does nothing. Concurrent calls are
# serialized by a lock (.venv.lock).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
VENV="$ROOT/.venv"
REQ="$SCRIPT_DIR/requirements.txt"
STAMP="$VENV/requirements.stamp"
PY=/usr/bin/python3

up_to_date() { [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && cmp -s "$REQ" "$STAMP"; }
if up_to_date; then
  exit 0
fi
# Several tests may ask for the environment at once (CTest runs them in
# parallel): one installs it, the others wait for it.
exec 9>"$ROOT/.venv.lock"
flock 9
if up_to_date; then
  exit 0
fi

if [ ! -x "$PY" ]; then
  echo "setup_venv: $PY not found; install Debian's python3 (apt-get install python3 python3-venv)" >&2
  exit 1
fi
if ! "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "setup_venv: $PY has no working venv module; install Debian's python3-venv (apt-get install python3-venv)" >&2
  exit 1
fi

echo "setup_venv: installing $(basename "$REQ") into $VENV"
# A venv left without an interpreter (interrupted creation) is made anew.
if [ ! -x "$VENV/bin/python" ]; then
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi
rm -f "$STAMP"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
cp "$REQ" "$STAMP"
