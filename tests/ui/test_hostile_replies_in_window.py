"""Hostile replies and messages as the window shows them (real widgets, a real demo tenant over HTTPS):
look-alike senders flagged with both senders in the details, text that is not valid Unicode shown with
its neighbours, disagreeing copies marked, and an unreadable reply never emptying the list."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from ui_helpers import ALICE, auth_headers, select, signed_in

from quarantine_checker.ui.message_model import COL_SENDER, COL_SUBJECT

OMICRON_SENDER = "it@micr\u03bfsoft.com"  # a Greek omicron where the second "o" should be


def _cell(window: Any, ident: str, col: int, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    proxy = window.list.proxy
    return proxy.index(proxy.proxy_row_of(ident), col).data(role)


def test_a_look_alike_envelope_sender_is_flagged_and_kept_beside_the_header_from(
    qtbot: Any, window: Any, tenant: Any
) -> None:
    disguised = tenant.add_message(
        ALICE, Subject="Password expiry", SenderAddress=OMICRON_SENDER, QuarantineTypes="Phish",
        TagName="DefaultFullAccessPolicy", Header=auth_headers("helpdesk@contoso.example", name="IT Desk"),
    )
    punycode = tenant.add_message(
        ALICE, Subject="Payment held", SenderAddress="service@xn--pypal-4ve.example", QuarantineTypes="Phish",
        TagName="DefaultFullAccessPolicy", Header=auth_headers("service@xn--pypal-4ve.example"),
    )
    plain = tenant.add_message(
        ALICE, Subject="Newsletter", SenderAddress="news@fabrikam.example", QuarantineTypes="Spam",
        TagName="DefaultFullAccessPolicy", Header=auth_headers("news@fabrikam.example"),
    )
    signed_in(qtbot, window)

    assert _cell(window, disguised, COL_SENDER).startswith("⚠")
    assert "imitate ordinary letters" in _cell(window, disguised, COL_SENDER, Qt.ItemDataRole.ToolTipRole)
    shown = _cell(window, punycode, COL_SENDER)
    assert shown.startswith("⚠") and "p\u0430ypal.example" in shown  # decoded, as a person would see it
    assert not _cell(window, plain, COL_SENDER).startswith("⚠")

    select(qtbot, window, disguised)
    qtbot.waitUntil(lambda: "Checking" not in window.details.checks.text(), timeout=10_000)
    sender = window.details.sender_label.text()
    assert "helpdesk@contoso.example" in sender and OMICRON_SENDER in sender  # neither hides the other
    assert "imitate ordinary letters" in window.details.checks.text()


def test_a_subject_that_is_not_valid_unicode_is_shown_with_its_neighbours(
    qtbot: Any, window: Any, tenant: Any
) -> None:
    broken = tenant.add_message(ALICE, Subject="Broken \ud800 subject", SenderAddress="a@contoso.example",
                                QuarantineTypes="Spam", TagName="DefaultFullAccessPolicy")
    after = tenant.add_message(ALICE, Subject="The next one", SenderAddress="b@contoso.example",
                               QuarantineTypes="Spam", TagName="DefaultFullAccessPolicy")
    signed_in(qtbot, window)
    assert _cell(window, broken, COL_SUBJECT) == "Broken \ufffd subject"
    assert _cell(window, after, COL_SUBJECT) == "The next one"
    select(qtbot, window, broken)
    assert window.details.subject.text() == "Broken \ufffd subject"


def test_a_message_sent_twice_with_different_readings_is_flagged_and_held_to_the_stricter(
    qtbot: Any, window: Any, tenant: Any
) -> None:
    from datetime import UTC, datetime, timedelta

    from quarantine_checker.ui.message_model import COL_STATUS

    now = datetime.now(UTC)
    ident = "0b0b0b0b-1111-2222-3333-444444444444\\55555555-6666-7777-8888-999999999999"
    record = {"Identity": ident, "RecipientAddress": [ALICE], "Subject": "Twice", "QuarantineTypes": "Spam",
              "EntityType": "Email", "ReleaseStatus": "NOTRELEASED", "PermissionToRelease": True,
              "ReceivedTime": (now - timedelta(hours=1)).isoformat(),
              "Expires": (now + timedelta(days=9)).isoformat()}
    tenant.inject_fault("reply", cmdlet="Get-QuarantineMessage",
                        value=[record, dict(record, ReleaseStatus="REQUESTED", PermissionToRelease=False)])
    signed_in(qtbot, window)
    status = _cell(window, ident, COL_STATUS)
    assert status.startswith("⚠") and "two versions" in status and "Waiting for IT" in status


def test_an_unreadable_reply_keeps_the_last_listing_and_says_the_check_failed(
    qtbot: Any, window: Any, tenant: Any
) -> None:
    held = tenant.add_message(ALICE, Subject="Still here", SenderAddress="a@contoso.example",
                              QuarantineTypes="Spam", TagName="DefaultFullAccessPolicy")
    signed_in(qtbot, window)
    assert window.list.model.row_for(held) is not None
    tenant.inject_fault("reply", cmdlet="Get-QuarantineMessage", body={"value": None})
    with qtbot.waitSignal(window.refreshed, timeout=20_000):
        window.refresh()
    assert window.list.model.row_for(held) is not None  # never a false "nothing is held"
    banner = window.banners.banner("service")
    assert banner is not None and "Couldn't check your quarantine" in banner.title.text()
