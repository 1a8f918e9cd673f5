"""``quarantine-checker-service check`` passes on the demo tenant and fails in plain words when the
certificate, the role or the database is wrong; ``setup-guide`` prints this tenant's values. The
commands run as IT runs them: the console script in a subprocess, with the config file demo.prepare
writes, against the demo tenant over HTTPS."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from service_api import ALICE

from quarantine_checker.demo.tenant import DemoTenant
from quarantine_service import demo as service_demo

EXE = Path(sys.executable).parent / "quarantine-checker-service"  # the console script pip installed


@pytest.fixture
def config_file(tenant: DemoTenant, tmp_path: Path) -> Path:
    service_demo.prepare(tenant.service_app_config(), tmp_path / "svc")
    return tmp_path / "svc" / "service.toml"


def _check(config: Path) -> tuple[int, dict[str, dict[str, Any]], str]:
    result = subprocess.run([str(EXE), "--config", str(config), "check", "--json"], capture_output=True,
                            text=True, timeout=120)
    assert "Traceback" not in result.stderr
    return result.returncode, {r["name"]: r for r in json.loads(result.stdout)}, result.stderr


def _with(config: Path, **changes: str) -> Path:
    text = config.read_text()
    for key, value in changes.items():
        lines = [line for line in text.splitlines() if not line.startswith(f"{key} =")]
        text = "\n".join([*lines, f'{key} = "{value}"']) + "\n"
    changed = config.with_name("changed.toml")
    changed.write_text(text)
    return changed


def test_check_passes_on_the_demo_tenant(config_file: Path) -> None:
    code, results, _ = _check(config_file)
    assert code == 0, results
    assert set(results) == {"certificate", "signing_keys", "app_token", "exchange_role", "policies",
                            "unknown_policies", "database"}
    assert all(r["ok"] for r in results.values())


def test_check_names_a_wrong_certificate(config_file: Path, tmp_path: Path) -> None:
    code, results, _ = _check(_with(config_file, certificate=str(tmp_path / "missing.pem")))
    assert code == 1
    assert not results["certificate"]["ok"]
    words = results["certificate"]["words"]
    assert "cannot be read" in words and "missing.pem" in words


def test_check_names_an_unregistered_certificate(config_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    from quarantine_checker.demo.service_app import make_client_certificate
    from quarantine_checker.demo.signing_keys import new_rsa_key

    cert = make_client_certificate(other, new_rsa_key())
    code, results, _ = _check(_with(config_file, certificate=str(cert.cert_file),
                                    certificate_key=str(cert.key_file)))
    assert code == 1 and results["certificate"]["ok"]
    assert not results["app_token"]["ok"]
    assert "refused the service's sign-in" in results["app_token"]["words"]
    assert "uploaded to the app registration" in results["app_token"]["words"]


def test_check_names_a_missing_exchange_role(tenant: DemoTenant, config_file: Path) -> None:
    tenant.set_service_directory_role(None)
    code, results, _ = _check(config_file)
    assert code == 1 and results["app_token"]["ok"]
    assert not results["exchange_role"]["ok"]
    assert "role that includes the quarantine cmdlets" in results["exchange_role"]["words"]


def test_check_names_an_unusable_database(config_file: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "never-migrated.db"
    code, results, _ = _check(_with(config_file, database_url=f"sqlite:///{fresh}"))
    assert code == 1
    assert not results["database"]["ok"]
    assert "quarantine-checker-service migrate" in results["database"]["words"]


def test_setup_guide_prints_this_tenants_values(tenant: DemoTenant, config_file: Path) -> None:
    out = subprocess.run([str(EXE), "--config", str(config_file), "setup-guide"], capture_output=True,
                         text=True, timeout=60, check=True).stdout
    app = tenant.service_app_config()
    assert f"api://{app['client_id']}" in out and app["tenant_id"] in out
    assert "Exchange.ManageAsApp" in out and "Quarantine.Reviewer" in out and "Quarantine.Self" in out


def test_serve_runs_the_api_from_the_config_file_until_stopped(tenant: DemoTenant, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tls = tenant.tls
    assert tls is not None
    service_demo.prepare(tenant.service_app_config(), tmp_path / "svc", port=port,
                         tls_certificate=tls.cert_file, tls_key=tls.key_file)
    proc = subprocess.Popen([str(EXE), "--config", str(tmp_path / "svc" / "service.toml"), "serve"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        session = tenant.session()
        deadline = time.monotonic() + 30
        while True:
            try:
                if session.get(f"https://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and proc.poll() is None, "serve did not come up"
                time.sleep(0.1)
        while session.get(f"https://127.0.0.1:{port}/readyz", timeout=5).status_code != 200:
            assert time.monotonic() < deadline, "serve's first sweep did not succeed"
            time.sleep(0.1)
        headers = {"Authorization": f"Bearer {tenant.user_api_token(ALICE)}"}
        me = session.get(f"https://127.0.0.1:{port}/v1/me", headers=headers, timeout=30)
        assert me.status_code == 200 and me.json()["primary_address"] == ALICE
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(timeout=20) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")


def test_check_names_a_policy_it_cannot_read(start_service) -> None:
    svc = start_service()
    svc.tenant.add_message(ALICE, TagName="HoldEverythingPolicy")  # a policy Exchange does not list
    svc.sweep()
    code, results, _ = _check(svc.server.config_file)
    assert code == 1 and results["policies"]["ok"]
    assert not results["unknown_policies"]["ok"]
    assert "HoldEverythingPolicy" in results["unknown_policies"]["words"]
    item = svc.api.ok("GET", "/v1/messages", svc.token(ALICE))["items"][0]
    assert item["actions"] == ["view_headers"] and item["rights"]["basis"] == "policy_unknown"
