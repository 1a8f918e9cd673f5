"""CLI end-to-end fixtures: ``quarantine-checker demo-server`` in a subprocess, and the real
``quarantine-checker`` executable pointed at it with QC_* variables (one process per command, like a
helpdesk or a script would run it). The control API plays the IT admin."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cli_helpers import EXE, DemoServer, _base_env, run_cli


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[DemoServer]:
    proc = subprocess.Popen([str(EXE), "demo-server", "--no-seed", "--release-delay", "0.5",
                             "--end-user-cmdlets", "allowed"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=_base_env(tmp_path))
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        info = json.loads(line)
        control = requests.Session()
        control.verify = info["ca_file"]
        control.trust_env = False
        yield DemoServer(info, control)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def cli_env(demo_server: DemoServer, tmp_path: Path) -> dict[str, str]:
    info = demo_server.info
    env = _base_env(tmp_path)
    env.update(QC_TENANT_ID=info["tenant_id"], QC_CLIENT_ID=info["client_id"], QC_AUTHORITY=info["authority"],
               QC_EXCHANGE_URL=info["exchange_url"], QC_CA_BUNDLE=info["ca_file"], QC_DEMO="1")
    return env


@pytest.fixture
def cli(cli_env: dict[str, str]):
    return lambda *args, **kw: run_cli(cli_env, *args, **kw)


@pytest.fixture
def python() -> str:
    return sys.executable
