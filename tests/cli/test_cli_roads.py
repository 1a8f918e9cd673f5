"""The command line in the tenant world that probably exists: users without an admin role may not run the
quarantine cmdlets (org-service.md §1.1). A setup problem for IT, exit 7, in plain words; never "sign in
again"."""

from __future__ import annotations

from cli_helpers import ALICE

ADMIN = "it-admin@northwind.example"
FULL = {"TagName": "DefaultFullAccessPolicy", "QuarantineTypes": "Spam"}


def test_denied_world_list_exits_7_with_what_it_can_do(cli, demo_server):
    demo_server.add_message(Subject="Invoice 4471", **FULL)
    demo_server.post("end-user-cmdlets", {"world": "denied"})

    signed = cli("sign-in")  # the probe after sign-in already knows the road is closed
    assert signed.rc == 7, signed.err
    assert "hasn't opened quarantine to this app" in signed.err

    listed = cli("list")
    assert listed.rc == 7, listed.err
    assert listed.out == "" and "Traceback" not in listed.err
    assert "You're signed in, but your organisation doesn't let your account check quarantine" in listed.err
    assert "organisation service" in listed.err and "docs/it/direct-access.md" in listed.err
    assert "https://security.microsoft.com/quarantine?viewid=Email" in listed.err
    assert "Run 'quarantine-checker sign-in'" not in listed.err

    as_json = cli("list", "--json")
    assert as_json.rc == 7
    error = as_json.json()["error"]
    assert error["kind"] == "NoDirectAccessError" and error["exit_code"] == 7 and error["retryable"] is False


def test_denied_world_admin_still_lists_only_his_own_mail(cli, demo_server):
    own = demo_server.post("messages", {"recipient": ADMIN, "Subject": "Admin's own", **FULL})["identity"]
    demo_server.add_message(Subject="Alice's", **FULL)
    demo_server.post("end-user-cmdlets", {"world": "denied"})

    assert cli("sign-in", "--user", ADMIN).rc == 0
    listed = cli("list", "--json")
    assert listed.rc == 3, listed.err
    data = listed.json()
    assert data["account"] == ADMIN
    assert [m["id"] for m in data["messages"]] == [own]
    log = demo_server.control.get(f"{demo_server.info['control_url']}/log", timeout=10).json()
    # The organisation service beside the demo tenant sweeps app-only ("app:<id>"); the desktop is a person.
    lists = [r for r in log if r["cmdlet"] == "Get-QuarantineMessage" and "Identity" not in r["parameters"]
             and not str(r["caller"]).startswith("app:")]
    assert lists and all(r["parameters"].get("MyItems") is True for r in lists)
    assert all(r["caller"] == ADMIN for r in lists)
    assert ALICE not in listed.out
