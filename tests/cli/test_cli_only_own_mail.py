"""A message ID typed on the command line only ever reaches Exchange if it is the user's own mail."""

from __future__ import annotations

import pytest

FULL = {"TagName": "DefaultFullAccessPolicy", "QuarantineTypes": "Spam",
        "SenderAddress": "news@fabrikam.example"}
BOB = "bob@northwind.example"


@pytest.mark.parametrize("command", ["release", "preview", "headers", "show", "delete"])
def test_someone_elses_full_id_is_refused_before_anything_is_sent(cli, demo_server, command):
    demo_server.add_message(Subject="Alice's own", **FULL)
    bobs = demo_server.post("messages", {"recipient": BOB, "Subject": "Bob's payslip", **FULL})["identity"]
    assert cli("sign-in").rc == 0
    demo_server.post("log/clear", {})

    args = [command, bobs] + (["--yes"] if command == "delete" else [])
    result = cli(*args)

    assert result.rc == 2, result.err  # usage: not one of your held messages
    assert "matches no held message" in result.err
    assert "payslip" not in result.out + result.err
    sent = demo_server.control.get(f"{demo_server.info['control_url']}/log", timeout=10).json()
    about_bob = [r for r in sent if bobs in str(r.get("parameters"))]
    assert about_bob == []
