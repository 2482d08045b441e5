"""The cluster tests (tests/server/cluster) pass when run in a Python of their own; why they are
not run in the suite's process is in their conftest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLUSTER_TESTS = Path(__file__).resolve().parent / "cluster"
# A safety net for a run of Ray's start and seven tests on a loaded machine, never a timing.
SAFETY_S = 1800


def test_the_cluster_tests_pass_in_a_python_of_their_own() -> None:
    env = {**os.environ, "FOLEYLINE_CLUSTER_TESTS": "1"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(CLUSTER_TESTS)],
                         cwd=CLUSTER_TESTS, env=env, capture_output=True, text=True, timeout=SAFETY_S)
    # Each error's own lines first: with a module fixture failing, pytest repeats it per test and
    # the tail alone would show only the last, cut to a line.
    said = list(dict.fromkeys(line for line in run.stdout.splitlines() if line.startswith("E ")))
    assert run.returncode == 0, "\n".join(said[:40]) + "\n" + run.stdout[-3000:] + run.stderr[-3000:]
    assert " passed" in run.stdout and "skipped" not in run.stdout.splitlines()[-1], run.stdout[-2000:]
