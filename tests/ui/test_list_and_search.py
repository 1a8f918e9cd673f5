"""The list: empty state, newest first, instant search over every field, chips, disabled reasons."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit, QTableView
from ui_helpers import ALICE, add, release_calls, select, signed_in, status_of

from quarantine_checker.core.decision import Action


def test_empty_quarantine_reassures(qtbot: Any, window: Any) -> None:
    signed_in(qtbot, window)
    assert window.list.stack.currentWidget() is window.list.empty
    assert window.list.empty_title.text() == "Nothing is being held for you"


def test_newest_first_and_search_finds_any_field(qtbot: Any, window: Any, tenant: Any) -> None:
    now = dt.datetime.now(dt.UTC)
    old = add(
        tenant,
        "Garden party invitation",
        sender="events@tailspin.example",
        kind="Bulk",
        ReceivedTime=now - dt.timedelta(days=3),
    )
    new = add(
        tenant,
        "Invoice INV-2291",
        sender="billing@contoso-supplies.example",
        kind="Phish",
        ReceivedTime=now - dt.timedelta(hours=1),
    )
    mid = add(
        tenant,
        "Password expiry notice",
        sender="helpdesk@fabrikam.example",
        kind="HighConfPhish",
        ReceivedTime=now - dt.timedelta(days=1),
    )
    signed_in(qtbot, window)
    order = [window.list.proxy.source_row(i).identity for i in range(window.list.proxy.rowCount())]
    assert order == [new, mid, old]

    def search(text: str) -> list[str]:
        window.list.search.clear()
        qtbot.keyClicks(window.list.search, text)
        return [window.list.proxy.source_row(i).identity for i in range(window.list.proxy.rowCount())]

    assert search("tailspin") == [old]  # sender address
    assert search("inv-2291") == [new]  # subject, any case
    assert search("high-confidence") == [mid]  # plain-language reason
    assert search("bulk mail") == [old]  # reason chip words, two terms
    assert search("waiting for you") == [new, mid, old]  # status group (the chip's words)
    assert search("zzz-nothing") == []
    assert window.list.stack.currentWidget() is window.list.empty
    assert window.list.empty_title.text() == "No held message matches"
    window.list.search.clear()

    # Ctrl+F puts the cursor in the search box.
    window.list.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.list.search.hasFocus()

    # Chips filter by reason and by status.
    chip = window.list.reason_chip("Phishing")
    assert chip is not None
    chip.click()
    assert window.list.proxy.rowCount() == 1 and window.list.proxy.source_row(0).identity == new
    chip.click()
    window.list.status_chip("requested").click()
    assert window.list.proxy.rowCount() == 0
    window.list.status_chip("requested").click()
    assert window.list.proxy.rowCount() == 3


def test_every_disabled_action_shows_its_reason(qtbot: Any, window: Any, tenant: Any) -> None:
    idents = [
        add(tenant, "Spam, full access", kind="Spam"),
        add(tenant, "Phish, limited", kind="Phish", policy="LimitedAccessWithNotificationPolicy"),
        add(tenant, "HC phish", kind="HighConfPhish"),
        add(tenant, "Malware", kind="Malware"),
        add(tenant, "No access", kind="Spam", policy="NoAccessWithNotificationPolicy"),
        add(tenant, "Bulk", kind="Bulk"),
    ]
    signed_in(qtbot, window)
    requested = window.list.model.row_for(idents[2])
    window.action_runner.run(Action.REQUEST_RELEASE, [requested])
    qtbot.waitUntil(lambda: status_of(window, idents[2]) == "Waiting for IT", timeout=10_000)

    bar = window.details.action_bar
    disabled_seen = 0
    for ident in idents:
        select(qtbot, window, ident)
        for button in (bar.primary, bar.delete, bar.not_junk, bar.headers):
            if button.isVisibleTo(bar) and not button.isEnabled():
                disabled_seen += 1
                reason = bar.reason_for(button)
                assert reason, f"{button.text()} on {ident} is grey without a reason"
                assert button.accessibleDescription() == reason
    assert disabled_seen >= 4
    select(qtbot, window, idents[4])
    assert bar.primary.isVisibleTo(bar) and not bar.primary.isEnabled()


def test_every_control_has_an_accessible_name(qtbot: Any, window: Any, tenant: Any) -> None:
    ident = add(tenant, "Accessibility check", kind="Spam")
    signed_in(qtbot, window)
    select(qtbot, window, ident)
    controls = (
        window.findChildren(QAbstractButton)
        + window.findChildren(QLineEdit)
        + window.findChildren(QTableView)
        + window.findChildren(QPlainTextEdit)
    )
    unnamed = [
        c
        for c in controls
        if not c.accessibleName()
        and c.objectName() != "qt_scrollarea_viewport"
        and not c.metaObject().className().startswith("QLineEditIconButton")
    ]
    assert not [(c.metaObject().className(), getattr(c, "text", lambda: "")()) for c in unnamed]


def test_recipient_is_always_the_signed_in_user(qtbot: Any, window: Any, tenant: Any) -> None:
    add(tenant, "For Bob only", kind="Spam")  # Alice's; plus one for Bob that must never appear
    tenant.add_message(
        "bob@northwind.example",
        Subject="Bob's secret",
        SenderAddress="x@y.example",
        QuarantineTypes="Spam",
        TagName="DefaultFullAccessPolicy",
    )
    signed_in(qtbot, window)
    subjects = [r.message.subject for r in window.list.model.rows()]
    assert "Bob's secret" not in subjects
    assert all(ALICE in r.message.recipient_address for r in window.list.model.rows())


def _offered(window: Any) -> tuple[str, str]:
    """The details pane's title and its Release button as the user sees them ('' when not on screen)."""
    d = window.details
    subject = d.subject.text() if d.subject.isVisible() else ""
    primary = d.action_bar.primary
    return subject, primary.text() if primary.isVisible() and primary.isEnabled() else ""


def test_a_message_hidden_by_search_leaves_the_details_and_the_actions(
    qtbot: Any, window: Any, tenant: Any, confirmations: Any
) -> None:
    alpha = add(tenant, "Alpha invoice", sender="billing@contoso-supplies.example")
    beta = add(tenant, "Beta newsletter", sender="news@tailspin.example")
    signed_in(qtbot, window)
    select(qtbot, window, alpha)
    assert _offered(window) == ("Alpha invoice", "Release")

    qtbot.keyClicks(window.list.search, "beta")
    assert [window.list.proxy.source_row(i).identity for i in range(window.list.proxy.rowCount())] == [beta]
    qtbot.waitUntil(lambda: _offered(window)[0] != "Alpha invoice", timeout=5_000)
    assert _offered(window) == ("", "")
    # Nothing the keyboard offers reaches the hidden message either.
    window.list.table.setFocus()
    qtbot.keyClick(window.list.table, Qt.Key.Key_Return)
    qtbot.keyClick(window.list.table, Qt.Key.Key_Delete)
    qtbot.wait(300)
    assert confirmations.asked == []
    acted = {"Release-QuarantineMessage", "Delete-QuarantineMessage"}
    assert [r for r in tenant.requests_log if r.cmdlet in acted] == []

    # The chips hide it just the same.
    window.list.search.clear()
    select(qtbot, window, alpha)
    window.list.status_chip("released").click()
    qtbot.waitUntil(lambda: _offered(window) == ("", ""), timeout=5_000)


def test_bulk_actions_count_and_act_on_only_the_selected_messages_still_shown(
    qtbot: Any, window: Any, tenant: Any, confirmations: Any
) -> None:
    shown = [add(tenant, f"Statement {i}", sender="statements@fabrikam-bank.example") for i in range(2)]
    hidden = add(tenant, "Statement archive", sender="archive@fabrikam-bank.example")
    signed_in(qtbot, window)
    assert window.list.select_identities([*shown, hidden]) == 3
    primary = window.details.action_bar.primary
    qtbot.waitUntil(lambda: primary.text() == "Release 3 messages", timeout=5_000)

    qtbot.keyClicks(window.list.search, "statements@")
    qtbot.waitUntil(lambda: primary.text() == "Release 2 messages", timeout=5_000)
    assert window.details.subject.text() == "2 messages selected"
    qtbot.mouseClick(primary, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(status_of(window, i) == "Released" for i in shown), timeout=20_000)
    assert confirmations.asked[0]["text"] == "Release these 2 messages to your Inbox?"
    assert tenant.message(hidden)["ReleaseStatus"] == "NOTRELEASED"
    assert release_calls(tenant, hidden) == 0
    assert all(release_calls(tenant, i) == 1 for i in shown)
