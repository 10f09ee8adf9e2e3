"""scripts/run.sh serves .assistant/demo-index while `assistant ask` without --index reads the user data dir
(issue 25): the script prints the ask command for the index it serves. The lines are run by bash as written."""

from __future__ import annotations

import subprocess

from .conftest import REPO


def test_run_sh_prints_the_ask_command_for_the_index_it_serves(tmp_path):
    script = (REPO / "scripts" / "run.sh").read_text()
    lines = [line for line in script.splitlines() if line.startswith(("export ASSISTANT_INDEX_DIR", "echo"))
             and "assistant ingest" not in line and "starting" not in line and "indexing" not in line]
    out = subprocess.run(["bash", "-c", "\n".join(lines)], cwd=tmp_path, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin"}, check=True).stdout
    assert f"--index {tmp_path}/.assistant/demo-index" in out and "assistant ask" in out
