#!/usr/bin/env bash
# Creates .venv (if missing) and installs the project with its test tools; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
stamp=.venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  python -m pip install --quiet --upgrade pip
  # torch pinned to the CPU build that lies on these machines (an unpinned torch pulls a CUDA build)
  python -m pip install --quiet "torch==2.13.0"
  python -m pip install --quiet -e ".[test]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
