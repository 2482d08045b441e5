"""What a fresh interpreter imports while doing something: the checks that a path stays light
(no torch for a procedural run, no server code in the panel, no Ray before its environment)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterable


def imported_after(code: str, watched: Iterable[str], *, env: dict[str, str] | None = None,
                   timeout: float = 300) -> list[str]:
    """Run ``code`` in a fresh interpreter; the modules it then holds among ``watched`` and
    their submodules, sorted."""
    probe = (
        textwrap.dedent(code)
        + "\nimport json as _json, sys as _sys\n"
        + f"_watched = {tuple(watched)!r}\n"
        + "print(_json.dumps(sorted(m for m in _sys.modules if any(m == w or m.startswith(w + '.') for w in _watched))))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
