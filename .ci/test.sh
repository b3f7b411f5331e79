#!/usr/bin/env bash
# README's second command (`npm test`): set up from a fresh clone, run every test layer and end with
# one combined line:
#   N passed, N failed, N skipped
# Layers: pytest; jest; lint (ruff on the Python, ESLint on the TypeScript: one check each); the
# ui-tests in Debian's Chromium against the newest JupyterLab 4; the smoke, quickstart and saved-nokernel ui-tests
# against the oldest supported JupyterLab (.venv-oldest). Every layer runs even if an earlier one
# failed; the exit status is non-zero if any layer failed or if no test ran at all.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
REPORTS="$ROOT/.scratch/reports"
rm -rf "$REPORTS" && mkdir -p "$REPORTS"

bash .ci/setup.sh --browser || { echo "set-up failed"; echo "0 passed, 1 failed"; exit 1; }
export PATH="$ROOT/.venv/bin:$PATH" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

printf '\n== pytest\n'
python -m pytest -q -p no:cacheprovider --junitxml="$REPORTS/pytest.xml" tests
PYTEST_RC=$?

printf '\n== jest\n'
npx jest --ci --json --outputFile="$REPORTS/jest.json"
JEST_RC=$?

printf '\n== lint (ruff, ESLint)\n'
python .ci/lint.py "$REPORTS/lint.json"
LINT_RC=$?

printf '\n== ui-tests (Galata, Debian Chromium, newest JupyterLab 4)\n'
(cd ui-tests && PLAYWRIGHT_JSON_OUTPUT_NAME="$REPORTS/ui-tests.json" npx playwright test --reporter=list,json)
UI_RC=$?

printf '\n== ui-tests against the oldest supported JupyterLab (smoke, quickstart, saved-nokernel)\n'
ATTNSCOPE_UI_JSON="$REPORTS/ui-tests-oldest.json" bash ui-tests-oldest/run.sh
UI_OLD_RC=$?

printf '\n== summary\n'
python .ci/summarize.py "$REPORTS" "pytest=$PYTEST_RC" "jest=$JEST_RC" "lint=$LINT_RC" \
  "ui-tests=$UI_RC" "ui-tests-oldest=$UI_OLD_RC"
