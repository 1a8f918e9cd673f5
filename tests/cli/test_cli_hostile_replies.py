"""The command line against replies and messages that try to mislead it: the real executable, a demo
tenant in another process, hostile replies served through its control API (fault kinds)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from cli_helpers import ALICE

GET = "Get-QuarantineMessage"
FULL = {"TagName": "DefaultFullAccessPolicy", "QuarantineTypes": "Spam",
        "SenderAddress": "news@fabrikam.example"}


def _cmdlets_sent(demo_server) -> list[str]:
    return [r["cmdlet"] for r in demo_server.control.get(f"{demo_server.info['control_url']}/log",
                                                         timeout=10).json() if r["cmdlet"]]


def test_an_unreadable_reply_is_a_failed_check_never_nothing_held(cli, demo_server):
    assert cli("sign-in").rc == 0
    demo_server.post("faults", {"kind": "reply", "cmdlet": GET, "body": {"value": None}})
    human = cli("list")
    assert human.rc == 6, (human.out, human.err)
    assert "Nothing" not in human.out and "Couldn't check your quarantine" in human.err

    demo_server.add_message(Subject="Held", **FULL)
    one = {"@odata.context": "x", "value": {"Identity": "a\\b", "RecipientAddress": [ALICE],
                                            "Subject": "Fake single", "EntityType": "Email"}}
    demo_server.post("faults", {"kind": "reply", "cmdlet": GET, "body": one})
    machine = cli("list", "--json")
    assert machine.rc == 6
    assert "messages" not in machine.json() and machine.json()["error"]["kind"] == "MalformedResponseError"


def test_a_subject_that_is_not_valid_unicode_does_not_stop_list_or_show(cli, demo_server):
    now = datetime.now(UTC)
    bad = demo_server.add_message(Subject="Broken \ud800 subject",
                                  ReceivedTime=(now - timedelta(hours=1)).isoformat(), **FULL)
    demo_server.add_message(Subject="The row after it", ReceivedTime=(now - timedelta(hours=2)).isoformat(),
                            **FULL)
    assert cli("sign-in").rc == 0
    human = cli("list")
    assert human.rc == 3, human.err
    assert "Broken \ufffd subject" in human.out and "The row after it" in human.out
    assert "Traceback" not in human.err
    shown = cli("show", bad[:12])
    assert shown.rc == 0, shown.err
    assert "Broken \ufffd subject" in shown.out
    machine = cli("list", "--json")
    assert machine.rc == 3
    assert {m["subject"] for m in machine.json()["messages"]} == {"Broken \ufffd subject", "The row after it"}


def test_actions_the_decision_rules_out_are_refused_here_with_its_reason(cli, demo_server):
    phish = demo_server.add_message(Subject="Urgent", TagName="DefaultFullAccessPolicy",
                                    QuarantineTypes="HighConfPhish", SenderAddress="a@contoso.example")
    spam = demo_server.add_message(Subject="Newsletter", **FULL)
    sealed = demo_server.add_message(Subject="Sealed", TagName="NoAccessWithNotificationPolicy",
                                     QuarantineTypes="Phish", SenderAddress="b@contoso.example")
    assert cli("sign-in").rc == 0
    demo_server.post("log/clear", {})

    released = cli("release", phish[:12])
    assert released.rc == 5
    assert "Only your IT team can release messages held as high-confidence phishing" in released.err
    asked = cli("request-release", spam[:12])
    assert asked.rc == 5
    assert "You can release this message yourself" in asked.err
    previewed = cli("preview", sealed[:12])
    assert previewed.rc == 5
    assert "doesn't allow previewing" in previewed.err
    for result in (released, asked, previewed):
        assert "try again" not in result.err.lower()

    sent = _cmdlets_sent(demo_server)
    assert "Release-QuarantineMessage" not in sent and "Preview-QuarantineMessage" not in sent


def test_a_permission_refusal_from_the_service_is_plain_and_final(cli, demo_server):
    spam = demo_server.add_message(Subject="Newsletter", **FULL)
    assert cli("sign-in").rc == 0
    demo_server.post("faults", {"kind": "cmdlet_error", "cmdlet": "Release-QuarantineMessage",
                                "message": "You don't have permission to perform this operation.",
                                "type_name": "System.UnauthorizedAccessException"})
    result = cli("release", spam[:12], "--yes", "--json")  # --yes: past the sender question, to the service
    assert result.rc == 5
    (outcome,) = result.json()["results"]
    assert outcome["error"]["retryable"] is False
    assert "try again" not in outcome["error"]["text"].lower()


def test_headers_read_as_lines_and_busy_does_not_promise_a_retry(cli, demo_server):
    ident = demo_server.add_message(Subject="Quarterly report", **FULL)
    assert cli("sign-in").rc == 0
    headers = cli("headers", ident[:12])
    assert headers.rc == 0
    assert "\ufffd" not in headers.out
    assert any(line.startswith("From:") for line in headers.out.splitlines())

    demo_server.post("faults", {"kind": "throttle", "cmdlet": GET, "count": 10, "retry_after": 0})
    busy = cli("list")
    assert busy.rc == 6
    assert "We'll try again" not in busy.err  # the command line does not; it must not say it will
    assert "Try again in a minute" in busy.err


def test_look_alike_senders_are_flagged_in_list_and_show(cli, demo_server):
    omicron = demo_server.add_message(Subject="Password expiry", TagName="DefaultFullAccessPolicy",
                                      QuarantineTypes="Phish", SenderAddress="it@micr\u03bfsoft.com")
    demo_server.add_message(Subject="Payment held", TagName="DefaultFullAccessPolicy",
                            QuarantineTypes="Phish", SenderAddress="service@xn--pypal-4ve.example")
    demo_server.add_message(Subject="Ordinary", **FULL)
    assert cli("sign-in").rc == 0
    human = cli("list")
    assert human.rc == 3
    flagged = [line for line in human.out.splitlines() if "⚠" in line]
    assert any("micr\u03bfsoft.com" in line and "imitate ordinary letters" in line for line in flagged)
    assert "p\u0430ypal.example" in human.out  # the punycode domain as a person would see it, flagged too
    assert any("international form" in line for line in flagged)
    assert not any("fabrikam" in line for line in flagged)

    shown = cli("show", omicron[:12])
    assert "imitate ordinary letters" in shown.out
    data = json.loads(cli("show", omicron[:12], "--json").out)["message"]
    assert data["sender_warnings"] and data["sender"] == "it@micr\u03bfsoft.com"


def test_two_different_readings_of_one_message_are_flagged(cli, demo_server):
    assert cli("sign-in").rc == 0
    now = datetime.now(UTC)
    record = {"Identity": "0b0b0b0b-1111-2222-3333-444444444444\\55555555-6666-7777-8888-999999999999",
              "RecipientAddress": [ALICE], "Subject": "Twice", "QuarantineTypes": "Spam",
              "EntityType": "Email",
              "ReleaseStatus": "NOTRELEASED", "PermissionToRelease": True,
              "ReceivedTime": (now - timedelta(hours=1)).isoformat(),
              "Expires": (now + timedelta(days=9)).isoformat()}
    other = dict(record, ReleaseStatus="RELEASED", Released=True)
    demo_server.post("faults", {"kind": "reply", "cmdlet": GET, "value": [record, other]})
    machine = cli("list", "--json")
    assert machine.rc == 3
    (message,) = machine.json()["messages"]
    assert message["conflicting"] is True and message["status"] == "released"
    assert "release" not in message["actions"]

    demo_server.post("faults", {"kind": "reply", "cmdlet": GET, "value": [other, record]})
    human = cli("list")
    assert "two different versions" in human.out


def test_a_terminal_that_cannot_show_a_character_still_gets_every_row(cli, cli_env, demo_server):
    """A Windows pipe is cp1252: no "⚠", no Greek omicron. The rows still come, with "?" for those."""
    import subprocess

    from cli_helpers import EXE

    demo_server.add_message(Subject="Password expiry", TagName="DefaultFullAccessPolicy",
                            QuarantineTypes="Phish", SenderAddress="it@micr\u03bfsoft.com")
    demo_server.add_message(Subject="Ordinary newsletter", **FULL)
    assert cli("sign-in").rc == 0
    proc = subprocess.run([str(EXE), "list"], capture_output=True, timeout=60, stdin=subprocess.DEVNULL,
                          env=dict(cli_env, PYTHONIOENCODING="cp1252"))
    out = proc.stdout.decode("cp1252")
    assert proc.returncode == 3, proc.stderr.decode("cp1252", "replace")
    assert "Password expiry" in out and "Ordinary newsletter" in out and "imitate ordinary letters" in out
