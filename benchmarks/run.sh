#!/usr/bin/env bash
# attnscope benchmarks (issue 4): one command. Options go to bench.ts (see README.md), e.g.
#   benchmarks/run.sh --runs 1 --sizes S
# Installs benchmarks/node_modules (npm ci) when missing, checks the venv has bertviz 1.4.1,
# and enforces a hard overall limit (--max-minutes, default 90, + 10 min grace) with `timeout`.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
VENV_BIN="${ATTNSCOPE_VENV_BIN:-$REPO/.venv/bin}"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
export HF_HUB_OFFLINE=1
# --kinds scores: attnscope.head_scores in one Python process (bench_scores.py), no JupyterLab or browser
for a in "$@"; do
  case "$a" in
    scores|--kinds=scores) exec "$VENV_BIN/python" "$HERE/bench_scores.py" "$@" ;;
  esac
done
[ -x "$VENV_BIN/jupyter" ] || { echo "run.sh: no jupyter in $VENV_BIN (set ATTNSCOPE_VENV_BIN)" >&2; exit 2; }
[ -x "$CHROMIUM_PATH" ] || { echo "run.sh: no Chromium at $CHROMIUM_PATH (apt-get install -y chromium)" >&2; exit 2; }
if ! "$VENV_BIN/python" -c "import bertviz, attnscope, psutil, torch" 2>/dev/null; then
  echo "run.sh: the venv needs attnscope, torch, psutil and bertviz:" >&2
  echo "  $VENV_BIN/pip install bertviz==1.4.1 --no-deps   (its head/model views need only torch and IPython)" >&2
  exit 2
fi
cd "$HERE"
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund || { echo "run.sh: npm ci failed" >&2; exit 2; }
fi
MAX=90
prev=""
for a in "$@"; do
  case "$a" in --max-minutes=*) MAX="${a#*=}" ;; esac
  [ "$prev" = "--max-minutes" ] && MAX="$a"
  prev="$a"
done
exec timeout -k 30 "$(( (MAX + 10) * 60 ))" ./node_modules/.bin/tsx bench.ts "$@"
