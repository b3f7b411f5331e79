#!/usr/bin/env bash
# Idempotent set-up from a fresh clone: Python venv with the pinned CPU torch, the frontend build,
# the package installed with its prebuilt labextension, and (with --browser) Debian's Chromium plus
# the ui-tests dependencies. Safe to run again: steps that are done are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WITH_BROWSER=0
[ "${1:-}" = "--browser" ] && WITH_BROWSER=1

step() { printf '\n== %s\n' "$*"; }

if [ "$WITH_BROWSER" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  step "Installing Debian's Chromium (Playwright cannot download browsers here)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  step "Creating the Python venv (.venv)"
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
export PATH="$ROOT/.venv/bin:$PATH"

step "Installing the Python build tools (jupyter-builder drives the labextension build)"
pip install -q --disable-pip-version-check "jupyter-builder>=1.3,<2" "hatchling>=1.21" "hatch-jupyter-builder>=0.9" "hatch-nodejs-version>=0.3.2"

step "Installing npm dependencies and building the frontend"
# Not `npm ci`: the registry we reach lacks rspack's optional bindings for other platforms
# (darwin, win32, ...), so the lock cannot list them and `npm ci` refuses it as out of sync.
# `npm install` follows the lock for everything it does list.
npm install --no-audit --no-fund --loglevel=error
npm run --silent build:prod

step "Installing attnscope with its test and demo dependencies (torch pinned to the CPU build)"
# torch first and pinned: a bare requirement would pull a multi-GB CUDA build.
pip install -q --disable-pip-version-check "torch==2.13.0"
pip install -q --disable-pip-version-check ".[test]"
jupyter labextension list 2>&1 | grep -q "attnscope.*enabled.*OK" || {
  echo "attnscope's labextension is not enabled after install" >&2
  jupyter labextension list >&2
  exit 1
}

if [ "$WITH_BROWSER" = 1 ]; then
  step "Installing the ui-tests dependencies"
  (cd ui-tests && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "set-up done"
