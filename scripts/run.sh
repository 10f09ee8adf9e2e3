#!/usr/bin/env bash
# Installs the project (first time), indexes the sample corpus (only what changed) and serves the web chat + API.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
export ASSISTANT_INDEX_DIR=${ASSISTANT_INDEX_DIR:-$PWD/.assistant/demo-index}
echo "[$(date +%H:%M:%S)] indexing examples/articles into $ASSISTANT_INDEX_DIR (unchanged articles are skipped)"
assistant ingest examples/articles
echo "[$(date +%H:%M:%S)] to ask this same index from another terminal (without --index, assistant ask reads the"
echo "    default index, not this one): .venv/bin/assistant ask \"How many people died in the Velmora flood?\" --index $ASSISTANT_INDEX_DIR"
echo "[$(date +%H:%M:%S)] starting the assistant (loads the embedding model first)"
assistant serve "$@"
