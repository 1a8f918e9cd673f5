"""describe() and the demo-server command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from quarantine_checker.demo.tenant import DemoTenant


def test_describe_is_json_and_points_at_live_servers(tenant):
    info = json.loads(json.dumps(tenant.describe()))
    assert set(info) >= {
        "tenant_id",
        "client_id",
        "authority",
        "exchange_url",
        "ca_file",
        "control_url",
        "accounts",
    }
    assert info["authority"] == tenant.idp.authority == f"{tenant.idp.base_url}/{tenant.tenant_id}"
    assert info["exchange_url"].startswith("https://127.0.0.1:") and not info["exchange_url"].endswith("/")
    assert Path(info["ca_file"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert {a["upn"] for a in info["accounts"]} == {
        "alice@northwind.example",
        "bob@northwind.example",
        "it-admin@northwind.example",
    }
    s = tenant.session()
    assert s.trust_env is False and s.verify == info["ca_file"]
    oidc = s.get(f"{info['authority']}/v2.0/.well-known/openid-configuration", timeout=10)
    assert oidc.status_code == 200
    assert s.get(f"{info['control_url']}/state", timeout=10).status_code == 200


def test_seeded_tenant_starts(tmp_path):
    with DemoTenant(seed=True, state_dir=tmp_path, end_user_cmdlets="allowed") as t:
        assert Path(t.ca_file).parent == tmp_path / "tls"
        assert t.describe()["tenant_id"] == t.tenant_id


def test_demo_server_prints_one_line_and_stops_on_sigterm(tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "quarantine_checker", "demo-server", "--no-seed"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline()
        info = json.loads(line)
        assert info["end_user_cmdlets"] == "denied"  # the world that probably exists is the default
        s = requests.Session()
        s.verify, s.trust_env = info["ca_file"], False
        assert s.get(f"{info['control_url']}/state", timeout=10).json()["messages"] == 0
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
