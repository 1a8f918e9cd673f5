"""Sign in through the real AuthSession and demo IdP, list, select, act, and see the new status."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from ui_helpers import add, release_calls, select, signed_in, status_of


def test_sign_in_list_select_release_shows_released(qtbot: Any, window: Any, tenant: Any) -> None:
    ident = add(tenant, "Invoice 4471 for May", kind="Spam")
    signed_in(qtbot, window)
    assert "alice@northwind.example" in window.account_label.text()
    assert "Last checked just now" in window.last_checked_label.text()
    select(qtbot, window, ident)
    primary = window.details.action_bar.primary
    assert primary.text() == "Release" and primary.isEnabled()

    # A double click on the button must not send two requests.
    qtbot.mouseClick(primary, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(primary, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(window, ident) == "Released", timeout=15_000)

    assert release_calls(tenant, ident) == 1
    assert tenant.message(ident)["ReleaseStatus"] == "RELEASED"
    note = window.details.note_shown()
    assert note.startswith("Released — it is in your Inbox; originally received")
    assert window.details.action_bar.primary.isEnabled() is False
    assert "already been released" in window.details.action_bar.reason_for(window.details.action_bar.primary)


def test_request_release_then_it_approves(qtbot: Any, window: Any, tenant: Any) -> None:
    ident = add(tenant, "Contract renewal — signature needed", kind="HighConfPhish")
    signed_in(qtbot, window)
    select(qtbot, window, ident)
    primary = window.details.action_bar.primary
    assert primary.text() == "Request release"
    qtbot.mouseClick(primary, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(window, ident) == "Waiting for IT", timeout=15_000)
    assert "IT has been asked" in window.details.note_shown()

    tenant.approve(ident)  # what the demo admin does
    with qtbot.waitSignal(window.refreshed, timeout=15_000):
        qtbot.mouseClick(window.check_now, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(window, ident) == "Released", timeout=15_000)


def test_failed_action_keeps_row_says_why_and_retries(qtbot: Any, window: Any, tenant: Any) -> None:
    ident = add(tenant, "Payment confirmation", kind="Spam")
    signed_in(qtbot, window)
    select(qtbot, window, ident)
    tenant.inject_fault("forbidden_nul", count=1, cmdlet="Release-QuarantineMessage")
    qtbot.mouseClick(window.details.action_bar.primary, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(window, ident) == "Release failed", timeout=15_000)

    assert tenant.message(ident)["ReleaseStatus"] == "NOTRELEASED"
    note = window.details.note_shown()
    assert note and "Traceback" not in note and "403" not in note
    assert window.details.retry_button.isVisibleTo(window.details)
    assert window.details.copy_button.isVisibleTo(window.details)

    qtbot.mouseClick(window.details.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(window, ident) == "Released", timeout=15_000)


def test_failed_sender_checks_ask_before_release(
    qtbot: Any, window: Any, tenant: Any, confirmations: Any
) -> None:
    ident = add(tenant, "Your mailbox is full", sender="it-support@n0rthwind.example", checks="fail")
    signed_in(qtbot, window)
    select(qtbot, window, ident)
    confirmations.answer = False
    qtbot.mouseClick(window.details.action_bar.primary, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(confirmations.asked), timeout=10_000)

    asked = confirmations.asked[-1]
    assert asked["warning"] and asked["yes"] == "Release anyway"
    assert "may not be from who it claims" in asked["text"]
    qtbot.wait(300)
    assert release_calls(tenant, ident) == 0
    assert status_of(window, ident) == "You can release it"


def test_everything_from_this_sender_with_count_and_confirmation(
    qtbot: Any, window: Any, tenant: Any, confirmations: Any
) -> None:
    same = [add(tenant, f"Statement {i}", sender="statements@fabrikam-bank.example") for i in range(3)]
    other = add(tenant, "Unrelated", sender="news@elsewhere.example")
    signed_in(qtbot, window)
    select(qtbot, window, same[0])
    assert window.details.same_sender.text() == "Select all 3 messages from this sender"
    qtbot.mouseClick(window.details.same_sender, Qt.MouseButton.LeftButton)
    assert sorted(r.identity for r in window.list.selected_rows()) == sorted(same)
    assert window.details.action_bar.primary.text() == "Release 3 messages"

    qtbot.mouseClick(window.details.action_bar.primary, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(status_of(window, i) == "Released" for i in same), timeout=20_000)
    bulk = [a for a in confirmations.asked if not a["warning"]]
    assert bulk and bulk[0]["text"] == "Release these 3 messages to your Inbox?"
    assert bulk[0]["yes"] == "Release 3 messages"
    assert status_of(window, other) == "You can release it"


def test_delete_key_asks_then_removes(qtbot: Any, window: Any, tenant: Any, confirmations: Any) -> None:
    ident = add(tenant, "Weekly deals", kind="Bulk")
    signed_in(qtbot, window)
    select(qtbot, window, ident)
    window.list.table.setFocus()
    qtbot.keyClick(window.list.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.list.model.row_for(ident) is None, timeout=15_000)
    assert confirmations.asked[-1]["text"] == "Delete this message from your quarantine?"
    assert confirmations.asked[-1]["yes"] == "Delete"


def test_enter_is_the_primary_action(qtbot: Any, window: Any, tenant: Any) -> None:
    ident = add(tenant, "Quarterly report", kind="Spam")
    signed_in(qtbot, window)
    select(qtbot, window, ident)
    window.list.table.setFocus()
    qtbot.keyClick(window.list.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: status_of(window, ident) == "Released", timeout=15_000)


def _release_params(tenant: Any, identity: str) -> list[dict[str, Any]]:
    return [
        r.parameters
        for r in tenant.requests_log
        if r.cmdlet == "Release-QuarantineMessage" and r.parameters.get("Identity") == identity
    ]


# "unknown": the headers carry no verdict our parser knows; "none": the domain publishes no SPF, DKIM or
# DMARC (the usual spam); "fail": the checks failed. Only a confirmed sender skips the warning.
@pytest.mark.parametrize("checks", ["unknown", "none", "fail"])
@pytest.mark.parametrize("button", ["primary", "not_junk"])
def test_every_action_that_delivers_to_the_inbox_warns_about_an_unconfirmed_sender(
    qtbot: Any, window: Any, tenant: Any, confirmations: Any, button: str, checks: str
) -> None:
    ident = add(tenant, "You have WON a prize", sender="prize@winner-claims.example", checks=checks)
    signed_in(qtbot, window)
    select(qtbot, window, ident)
    bar = window.details.action_bar
    clicked = getattr(bar, button)
    assert clicked.isVisibleTo(bar) and clicked.isEnabled()
    # Both buttons put the message in the Inbox, and both say so.
    assert clicked.text().startswith("Release")

    confirmations.answer = False
    qtbot.mouseClick(clicked, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(confirmations.asked), timeout=10_000)
    asked = confirmations.asked[-1]
    assert asked["warning"] and asked["yes"] == "Release anyway"
    assert asked["title"] == "Check the sender first"
    qtbot.wait(300)
    assert _release_params(tenant, ident) == []
    assert status_of(window, ident) == "You can release it"


def test_report_not_junk_from_a_confirmed_sender_releases_and_reports(
    qtbot: Any, window: Any, tenant: Any, confirmations: Any
) -> None:
    ident = add(tenant, "Team lunch on Friday", sender="events@contoso-supplies.example", checks="pass")
    signed_in(qtbot, window)
    select(qtbot, window, ident)
    not_junk = window.details.action_bar.not_junk
    assert not_junk.text() == "Release and report as not junk"
    qtbot.mouseClick(not_junk, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(window, ident) == "Released", timeout=15_000)
    assert not confirmations.asked  # a confirmed sender and one message: no question, as for Release
    assert _release_params(tenant, ident) == [{"Identity": ident, "ReportFalsePositive": True}]


def test_answering_the_sender_warning_yes_reports_not_junk(
    qtbot: Any, window: Any, tenant: Any, confirmations: Any
) -> None:
    ident = add(tenant, "Lunch menu", sender="canteen@tailspin.example", checks="none")
    signed_in(qtbot, window)
    select(qtbot, window, ident)
    qtbot.mouseClick(window.details.action_bar.not_junk, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status_of(window, ident) == "Released", timeout=15_000)
    assert [a["yes"] for a in confirmations.asked] == ["Release anyway"]
    assert "couldn't confirm who sent" in confirmations.asked[0]["text"]
    assert len(_release_params(tenant, ident)) == 1
