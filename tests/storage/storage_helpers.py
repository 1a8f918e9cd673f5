"""Helpers for storage tests that run code in child processes (other keyring/D-Bus situations)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path


def child_env(home: Path, **overrides: str | None) -> dict[str, str]:
    """Environment for a child Python: private HOME, no display (so no keyring prompt can appear)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_RUNTIME_DIR=str(home / "run"))
    (home / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_python(code: str, env: dict[str, str], *, wrap: list[str] | None = None, timeout: float = 60) -> str:
    """Run ``code`` in a fresh interpreter (optionally inside ``wrap`` argv) and return its stdout."""
    argv = [*(wrap or []), sys.executable, "-c", textwrap.dedent(code)]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, f"child failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr[-3000:]}"
    return proc.stdout
