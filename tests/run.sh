#!/usr/bin/env bash
# The README's test command: set up everything the tests need, then run them.
# VENV names the virtual environment to use (default .venv); .ci/run passes a fresh one.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian chromium for the browser tests" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[test,ner]'
export PATH="$(cd "$VENV/bin" && pwd):$PATH"
exec "$VENV/bin/python" -m pytest "$@"
