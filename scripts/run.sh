#!/usr/bin/env bash
# Installs the project (first time), indexes the sample corpus (only what changed) and serves the web chat + API.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
export ASSISTANT_INDEX_DIR=${ASSISTANT_INDEX_DIR:-$PWD/.assistant/demo-index}
assistant ingest examples/articles
assistant serve "$@"
