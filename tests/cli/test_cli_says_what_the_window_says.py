"""`show` gives what the window's details pane gives (what it is, why it was held, is the sender who
they say, what happens if you release it), `list` fits the terminal, and times are as docs/cli.md says."""

from __future__ import annotations

import re

from cli_helpers import run_cli
from test_cli_end_to_end import CONFIRMED_HEADER, FULL, LIMITED

from quarantine_checker.core import vocabulary

ISO_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_show_explains_checks_the_sender_and_says_what_release_does(cli, demo_server):
    doubtful = demo_server.add_message(Subject="Your parcel is waiting", **LIMITED)
    confirmed = demo_server.add_message(Subject="Newsletter", Header=CONFIRMED_HEADER, **FULL)
    assert cli("sign-in").rc == 0

    shown = cli("show", doubtful[:10])
    assert shown.rc == 0, shown.err
    out = shown.out
    flat = " ".join(out.split())  # the explanation is wrapped to the terminal
    assert "Held as possible phishing" in out and "might be trying to trick you" in flat  # the pane's words
    assert "Is the sender who they say they are?" in out
    assert "✗ The message claims to come from contoso.example" in flat and "(DMARC failed)" in flat
    assert vocabulary.WHAT_HAPPENS[vocabulary.Action.REQUEST_RELEASE] in flat
    assert "Status:    You can ask IT to release it" in out  # the window's words for the status
    assert "Held by:   Microsoft 365's mail filter" in out
    assert f"ID:       {doubtful[:8]}" in out

    data = cli("show", confirmed[:10], "--json").json()["message"]
    assert data["sender_checks"]["confirmed"] is True
    assert all(line.startswith("✓") for line in data["sender_checks"]["lines"])
    assert data["explanation"].startswith("Microsoft's filter thought this was unwanted junk mail")
    assert data["what_happens"] == vocabulary.WHAT_HAPPENS[vocabulary.Action.RELEASE]


def test_list_fits_the_terminal_and_times_have_no_microseconds(cli_env, cli, demo_server):
    for n in range(3):
        long = "for the long-running quarterly account review " * 3
        demo_server.add_message(Subject=f"Invoice {n} {long}", **FULL)
    assert cli("sign-in").rc == 0

    for columns in (80, 120, 200):
        listed = run_cli({**cli_env, "COLUMNS": str(columns)}, "list")
        assert listed.rc == 3, listed.err
        table = listed.out.split("\n\n", 1)[1].splitlines()
        assert table[0].startswith("Received") and "Status" in table[0]
        assert max(len(line) for line in table) <= columns, (columns, table)
        assert "…" in listed.out  # long subjects elided, not wrapped into the next column

    narrow = run_cli({**cli_env, "COLUMNS": "50"}, "list")
    assert narrow.rc == 3
    assert max(len(line) for line in narrow.out.splitlines()) <= 50, narrow.out
    assert "Subject:" in narrow.out  # too narrow for columns: one block per message, wrapped

    data = cli("list", "--json").json()
    for m in data["messages"]:
        assert ISO_SECONDS.match(m["received"]), m["received"]
        assert ISO_SECONDS.match(m["expires"]), m["expires"]
    human = cli("list").out
    assert not re.search(r"\d\d:\d\d:\d\d", human)  # minutes, as in the window
