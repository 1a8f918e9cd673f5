"""Helpers shared by the CLI tests (kept out of conftest.py: several test folders have a conftest
module, so importing one by name is ambiguous)."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
EXE = ROOT / ".venv" / "bin" / "quarantine-checker"
ALICE = "alice@northwind.example"


@dataclass
class Result:
    rc: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.out)


@dataclass
class DemoServer:
    info: dict[str, Any]
    control: requests.Session

    def post(self, op: str, body: dict[str, Any]) -> Any:
        resp = self.control.post(f"{self.info['control_url']}/{op}", json=body, timeout=10)
        resp.raise_for_status()
        return resp.json()

    def add_message(self, **fields: Any) -> str:
        return self.post("messages", {"recipient": ALICE, **fields})["identity"]


def _base_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QC_")}
    env.update(QC_DATA_DIR=str(tmp / "data"), QC_CONFIG_DIR=str(tmp / "config"), PYTHONUNBUFFERED="1")
    return env


def run_cli(env: dict[str, str], *args: str, timeout: float = 60) -> Result:
    proc = subprocess.run([str(EXE), *args], capture_output=True, text=True, env=env, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    return Result(proc.returncode, proc.stdout, proc.stderr)
