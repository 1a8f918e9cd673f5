"""The command line end to end against a demo tenant in another process, over real HTTPS."""

from __future__ import annotations

import json
import subprocess
import time

import pytest
from cli_helpers import ALICE, EXE, _base_env, run_cli

FULL = {"TagName": "DefaultFullAccessPolicy", "QuarantineTypes": "Spam",
        "SenderAddress": "news@fabrikam.example"}
LIMITED = {"TagName": "LimitedAccessWithNotificationPolicy", "QuarantineTypes": "Phish",
           "SenderAddress": "billing@contoso.example"}


def _status(listing: dict, ident: str) -> str | None:
    return next((m["status"] for m in listing["messages"] if m["id"] == ident), None)


def _wait_for_status(cli, ident: str, wanted: set[str], timeout: float = 10) -> str | None:
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        status = _status(cli("list", "--json").json(), ident)
        if status in wanted:
            return status
        time.sleep(0.5)
    return status


def test_sign_in_list_release_request_and_admin_approval(cli, demo_server):
    invoice = demo_server.add_message(Subject="Invoice 4471 for March", **FULL)
    limited = demo_server.add_message(Subject="Your parcel is waiting", **LIMITED)

    signed = cli("sign-in")
    assert signed.rc == 0, signed.err
    assert f"Signed in as {ALICE}" in signed.out

    listing = cli("list", "--json")
    assert listing.rc == 3  # messages held
    data = listing.json()
    assert data["schema_version"] == 1 and data["account"] == ALICE and data["count"] == 2
    assert _status(data, invoice) == "can_release"
    assert _status(data, limited) == "can_request"

    human = cli("list")
    assert human.rc == 3 and "Invoice 4471 for March" in human.out and invoice[:8] in human.out

    refused = cli("release", limited[:10])  # policy allows only asking IT
    assert refused.rc == 5, refused.err

    released = cli("release", invoice[:10], "--yes")  # the demo's sender is unconfirmed: see below
    assert released.rc == 0, released.err
    assert _wait_for_status(cli, invoice, {"releasing", "released"}) in {"releasing", "released", None}
    assert _status(cli("list", "--json").json(), invoice) != "can_release"

    asked = cli("request-release", limited, "--json")
    assert asked.rc == 0, asked.err
    assert asked.json()["results"] == [{"id": limited, "ok": True, "error": None}]
    assert _status(cli("list", "--json").json(), limited) == "waiting_for_it"

    demo_server.post("approve", {"identity": limited})  # IT approves in the admin portal
    assert _wait_for_status(cli, limited, {"releasing", "released"}) in {"releasing", "released"}


CONFIRMED_HEADER = (
    "Received: from mail.fabrikam.example (203.0.113.9) by AM0PR01MB0001.eurprd01.prod.outlook.com\r\n"
    "Authentication-Results: spf=pass (sender IP is 203.0.113.9) smtp.mailfrom=fabrikam.example;\r\n"
    " dkim=pass (signature was verified) header.d=fabrikam.example;dmarc=pass action=none\r\n"
    " header.from=fabrikam.example\r\n"
    "From: News <news@fabrikam.example>\r\nTo: alice@northwind.example\r\nSubject: Newsletter\r\n"
)


def test_release_of_mail_from_an_unconfirmed_sender_needs_yes_like_the_window(cli, demo_server):
    doubtful = demo_server.add_message(Subject="Invoice 4471 for March", **FULL)  # SPF softfail, DMARC fail
    confirmed = demo_server.add_message(Subject="Newsletter", Header=CONFIRMED_HEADER, **FULL)
    assert cli("sign-in").rc == 0

    for extra in ((), ("--report-not-junk",)):
        refused = cli("release", doubtful[:10], *extra)
        assert refused.rc == 2, refused.err
        # The window's words: what is wrong with the sender, the advice, and how to go ahead anyway.
        assert "Check the sender first" in refused.err
        assert "may not be from who it claims to be" in refused.err
        assert "DMARC failed" in refused.err and "--yes" in refused.err
        assert _status(cli("list", "--json").json(), doubtful) == "can_release"  # nothing was sent

    as_json = cli("release", doubtful[:10], "--json")
    assert as_json.rc == 2
    [result] = as_json.json()["results"]
    assert result["ok"] is False and result["error"]["code"] == "sender_not_confirmed"

    assert cli("release", confirmed[:10]).rc == 0  # a confirmed sender: no question, as in the window
    assert cli("release", doubtful[:10], "--yes").rc == 0
    assert _wait_for_status(cli, doubtful, {"releasing", "released"}) in {"releasing", "released"}


def test_show_preview_and_headers_for_one_message(cli, demo_server):
    ident = demo_server.add_message(Subject="Quarterly report", Body="Hello Alice,\nsee attached.", **FULL)
    shown = cli("show", ident[:12], "--json")
    assert shown.rc == 0, shown.err
    assert shown.json()["message"]["subject"] == "Quarterly report"
    assert "release" in shown.json()["message"]["actions"]
    preview = cli("preview", ident[:12])
    assert preview.rc == 0 and "see attached." in preview.out
    assert cli("headers", ident[:12]).rc == 0


def test_hostile_subject_cannot_drive_the_terminal(cli, demo_server):
    demo_server.add_message(Subject="\x1b[2J\x1b]0;pwned\x07Invoice \u202eexe.pdf" + "A" * 100_000, **FULL)
    human = cli("list")
    assert human.rc == 3
    assert "\x1b" not in human.out and "\u202e" not in human.out and "\x07" not in human.out
    assert "\\u202e" in cli("list", "--json").out  # JSON keeps it, escaped, as data


def test_unknown_or_short_id_is_a_usage_error(cli, demo_server):
    demo_server.add_message(Subject="x", **FULL)
    assert cli("sign-in").rc == 0
    assert cli("show", "zzzzzzzz").rc == 2
    assert cli("release", "ab").rc == 2


def test_device_code_sign_in_from_the_command_line(cli_env, demo_server):
    proc = subprocess.Popen([str(EXE), "sign-in", "--device-code"], env=cli_env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "enter the code" in line
        uri = line.split("open ", 1)[1].split(" ", 1)[0]
        code = line.rsplit(" ", 1)[1].strip()
        approved = demo_server.control.get(uri, params={"user_code": code, "upn": ALICE}, timeout=10)
        assert approved.status_code == 200
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert f"Signed in as {ALICE}" in out


def test_outside_demo_mode_the_demo_servers_settings_are_a_setup_problem(cli_env):
    # The demo server is not Microsoft: outside demo mode, a real sign-in must not be sent there (this used
    # to go ahead and fail later as "not signed in"). See also test_cli_token_hosts.py.
    env = {k: v for k, v in cli_env.items() if k != "QC_DEMO"}
    result = run_cli(env, "list", "--json")
    assert result.rc == 7
    assert result.json()["error"]["kind"] == "ConfigurationError"
    assert "QC_CA_BUNDLE" in result.out


def test_unreachable_exchange_is_a_network_failure(cli_env):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(cli_env, QC_EXCHANGE_URL=f"https://127.0.0.1:{port}")
    result = run_cli(env, "list")
    assert result.rc == 6, result.err
    assert "Traceback" not in result.err


def test_demo_switch_lists_the_demo_employees_mail_in_one_go(tmp_path):
    result = run_cli(_base_env(tmp_path), "--demo", "list", "--json")
    data = json.loads(result.out)
    assert data["account"] == ALICE
    assert result.rc == (3 if data["count"] else 0)
    assert not (tmp_path / "data" / "token_cache.bin").exists()  # demo tokens stay in memory


def test_no_qt_on_the_command_line_path(tmp_path, python):
    code = ("import sys; from quarantine_checker.cli.main import main; rc = main(['--demo', 'list']); "
            "sys.exit(3 if any(m.startswith('PySide6') for m in sys.modules) else 0)")
    proc = subprocess.run([python, "-c", code], env=_base_env(tmp_path), capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.keyring
def test_sign_in_is_remembered_between_commands_until_sign_out(cli):
    from quarantine_checker.storage.keyring_facade import SecretStore

    if not SecretStore().self_test().available:
        pytest.skip("no Secret Service keyring here; run tests/run-suite.sh")
    assert cli("sign-in").rc == 0
    who = cli("whoami", "--json")
    assert who.rc == 0, who.err
    assert who.json()["account"]["upn"] == ALICE and who.json()["token_cache_persistent"] is True
    assert cli("sign-out").rc == 0
    assert cli("whoami").rc == 4


def test_a_reader_that_stops_early_gets_no_error_noise(cli, cli_env, demo_server):
    """`quarantine-checker list | head`: the pipe closes before the list is written. No traceback, no
    'Exception ignored', no internal-error exit code."""
    demo_server.add_message(Subject="Held while someone pipes the list")
    assert cli("sign-in").rc == 0
    proc = subprocess.Popen([str(EXE), "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=cli_env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before anything was written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert err == ""
