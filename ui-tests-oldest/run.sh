#!/usr/bin/env bash
# The oldest-JupyterLab browser run: copies the smoke, quickstart and saved-nokernel specs next to this folder's
# Galata (5.0.x) and runs them against .venv-oldest's JupyterLab. Extra arguments go to playwright.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
cd "$HERE"
rm -rf tests && mkdir -p tests
cp "$REPO/ui-tests/tests/smoke.spec.ts" "$REPO/ui-tests/tests/quickstart.spec.ts" \
  "$REPO/ui-tests/tests/saved-nokernel.spec.ts" "$REPO/ui-tests/tests/widget-state.ts" tests/
export ATTNSCOPE_JUPYTER="${ATTNSCOPE_JUPYTER:-$REPO/.venv-oldest/bin/jupyter}"
export PATH="$(dirname "$ATTNSCOPE_JUPYTER"):$PATH"
exec npx playwright test "$@"
