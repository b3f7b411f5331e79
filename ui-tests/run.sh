#!/usr/bin/env bash
# Browser tests of attnscope: installs ui-tests' npm deps, runs Playwright/Galata against a
# JupyterLab started from the repository venv, prints "UI: N passed, N failed, N skipped".
# Extra arguments go to `playwright test` (e.g. ./run.sh --update-snapshots, ./run.sh -g smoke).
# Exits non-zero when any test failed (or the run itself broke).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
cd "$HERE"

VENV_BIN="${ATTNSCOPE_VENV_BIN:-$REPO/.venv/bin}"
if [ ! -x "$VENV_BIN/jupyter" ]; then
  echo "run.sh: no jupyter in $VENV_BIN (set ATTNSCOPE_VENV_BIN)" >&2
  exit 2
fi
export PATH="$VENV_BIN:$PATH"
export ATTNSCOPE_JUPYTER="$VENV_BIN/jupyter"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  echo "run.sh: no Chromium at $CHROMIUM_PATH (apt-get install -y chromium, or set CHROMIUM_PATH)" >&2
  exit 2
fi

if [ -z "${ATTNSCOPE_UI_SKIP_NPM:-}" ]; then
  npm ci --no-audit --no-fund || { echo "run.sh: npm ci failed" >&2; exit 2; }
fi

JSON="$HERE/test-results/results.json"
export ATTNSCOPE_UI_JSON="$JSON"
rm -f "$JSON"
npx playwright test "$@"
rc=$?

if [ -f "$JSON" ]; then
  node -e '
    const s = require(process.argv[1]).stats || {};
    const failed = (s.unexpected || 0);
    console.log(`UI: ${(s.expected || 0) + (s.flaky || 0)} passed, ${failed} failed, ${s.skipped || 0} skipped` +
      (s.flaky ? ` (${s.flaky} flaky)` : "") + ` in ${((s.duration || 0) / 1000).toFixed(1)} s`);
  ' "$JSON"
else
  echo "UI: 0 passed, 0 failed, 0 skipped (no report: the run broke before any test, rc=$rc)"
  [ "$rc" -eq 0 ] && rc=1
fi
exit "$rc"
