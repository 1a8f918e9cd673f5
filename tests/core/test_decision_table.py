"""Spec §8.5 row by row: which button a person sees, and a plain sentence for every one they don't."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from quarantine_checker.core.decision import (
    Action,
    DisplayStatus,
    SenderDoubt,
    decide,
    delivers_to_inbox,
    needs_sender_warning,
    sender_doubt,
)
from quarantine_checker.core.sender_checks import analyse_headers

A = Action
RELEASABLE = {A.RELEASE, A.PREVIEW, A.VIEW_HEADERS, A.DELETE}
REQUESTABLE = {A.REQUEST_RELEASE, A.PREVIEW, A.VIEW_HEADERS, A.DELETE}
NOW = datetime(2026, 8, 14, 12, 0, tzinfo=UTC)
FULL = {"PermissionToRelease": True, "PermissionToRequestRelease": False, "PermissionToDelete": True,
        "PermissionToPreview": True}
LIMITED = {"PermissionToRelease": False, "PermissionToRequestRelease": True, "PermissionToDelete": True,
           "PermissionToPreview": True}
NO_ACCESS = {"PermissionToRelease": False, "PermissionToRequestRelease": False, "PermissionToDelete": False,
             "PermissionToPreview": False, "PermissionToViewHeader": False}

# (case id, wire overrides, expected status, expected primary, actions expected available)
ROWS = [
    ("released-status", {**FULL, "ReleaseStatus": "RELEASED", "Released": True},
     DisplayStatus.RELEASED, None, {A.PREVIEW, A.VIEW_HEADERS}),
    ("approved-status-lowercase", {**FULL, "ReleaseStatus": "approved"},
     DisplayStatus.RELEASED, None, {A.PREVIEW, A.VIEW_HEADERS}),
    ("released-flag-wins-over-status", {**FULL, "ReleaseStatus": "NOTRELEASED", "Released": True},
     DisplayStatus.RELEASED, None, {A.PREVIEW, A.VIEW_HEADERS}),
    ("preparing-to-release", {**FULL, "ReleaseStatus": "PREPARINGTORELEASE"},
     DisplayStatus.RELEASING, None, {A.PREVIEW, A.VIEW_HEADERS}),
    ("requested-waits-for-it", {**LIMITED, "ReleaseStatus": "REQUESTED"},
     DisplayStatus.WAITING_FOR_IT, None, {A.PREVIEW, A.VIEW_HEADERS, A.DELETE}),
    ("denied-offers-delete", {**LIMITED, "ReleaseStatus": "DENIED"},
     DisplayStatus.DECLINED, None, {A.PREVIEW, A.VIEW_HEADERS, A.DELETE}),
    ("denied-without-delete-permission", {**NO_ACCESS, "ReleaseStatus": "Denied"},
     DisplayStatus.DECLINED, None, {A.VIEW_HEADERS}),
    ("error-retries-release", {**FULL, "ReleaseStatus": "ERROR"},
     DisplayStatus.FAILED, A.RELEASE, {*RELEASABLE, A.REPORT_NOT_JUNK}),
    ("error-retries-request", {**LIMITED, "ReleaseStatus": "ERROR"},
     DisplayStatus.FAILED, A.REQUEST_RELEASE, {A.REQUEST_RELEASE, A.PREVIEW, A.VIEW_HEADERS, A.DELETE}),
    ("error-without-permissions", {**NO_ACCESS, "ReleaseStatus": "ERROR"},
     DisplayStatus.FAILED, None, {A.VIEW_HEADERS}),
    ("spam-full-access-releases", {**FULL, "QuarantineTypes": "Spam"},
     DisplayStatus.CAN_RELEASE, A.RELEASE, {*RELEASABLE, A.REPORT_NOT_JUNK}),
    ("bulk-full-access-releases-without-not-junk", {**FULL, "QuarantineTypes": "Bulk"},
     DisplayStatus.CAN_RELEASE, A.RELEASE, {A.RELEASE, A.PREVIEW, A.VIEW_HEADERS, A.DELETE}),
    ("phish-full-access-releases", {**FULL, "QuarantineTypes": "Phish"},
     DisplayStatus.CAN_RELEASE, A.RELEASE, {A.RELEASE, A.PREVIEW, A.VIEW_HEADERS, A.DELETE}),
    ("unknown-status-treated-as-not-released", {**FULL, "ReleaseStatus": "SOMETHINGNEW"},
     DisplayStatus.CAN_RELEASE, A.RELEASE, {*RELEASABLE, A.REPORT_NOT_JUNK}),
    ("both-flags-release-wins", {**FULL, "PermissionToRequestRelease": True},
     DisplayStatus.CAN_RELEASE, A.RELEASE, {*RELEASABLE, A.REPORT_NOT_JUNK}),
    ("high-conf-phish-full-access-only-requests", {**FULL, "QuarantineTypes": "HighConfPhish"},
     DisplayStatus.CAN_REQUEST, A.REQUEST_RELEASE, {A.REQUEST_RELEASE, A.PREVIEW, A.VIEW_HEADERS, A.DELETE}),
    ("malware-full-access-only-requests", {**FULL, "QuarantineTypes": "Malware"},
     DisplayStatus.CAN_REQUEST, A.REQUEST_RELEASE, {A.REQUEST_RELEASE, A.PREVIEW, A.VIEW_HEADERS, A.DELETE}),
    ("file-type-block-full-access-only-requests", {**FULL, "QuarantineTypes": "FileTypeBlock"},
     DisplayStatus.CAN_REQUEST, A.REQUEST_RELEASE, {A.REQUEST_RELEASE, A.PREVIEW, A.VIEW_HEADERS, A.DELETE}),
    ("spo-malware-full-access-only-requests", {**FULL, "QuarantineTypes": "SPOMalware"},
     DisplayStatus.CAN_REQUEST, A.REQUEST_RELEASE, {A.REQUEST_RELEASE, A.PREVIEW, A.VIEW_HEADERS, A.DELETE}),
    ("spam-limited-access-requests", {**LIMITED, "QuarantineTypes": "Spam"},
     DisplayStatus.CAN_REQUEST, A.REQUEST_RELEASE, {A.REQUEST_RELEASE, A.PREVIEW, A.VIEW_HEADERS, A.DELETE}),
    ("no-access-only-headers", {**NO_ACCESS, "QuarantineTypes": "Spam"},
     DisplayStatus.IT_ONLY, None, {A.VIEW_HEADERS}),
    ("transport-rule-no-access", {**NO_ACCESS, "QuarantineTypes": "TransportRule"},
     DisplayStatus.IT_ONLY, None, {A.VIEW_HEADERS}),
    ("high-conf-phish-no-access", {**NO_ACCESS, "QuarantineTypes": "HighConfPhish"},
     DisplayStatus.IT_ONLY, None, {A.VIEW_HEADERS}),
    ("expired-request-is-gone", {**LIMITED, "ReleaseStatus": "REQUESTED", "Expires": "2026-08-01T00:00:00Z"},
     DisplayStatus.EXPIRED, None, set()),
    ("expired-releasable-is-gone", {**FULL, "Expires": "2026-08-14T11:59:59Z"},
     DisplayStatus.EXPIRED, None, set()),
    ("released-then-expired-stays-released", {**FULL, "ReleaseStatus": "RELEASED",
                                              "Expires": "2026-08-01T00:00Z"},
     DisplayStatus.RELEASED, None, {A.PREVIEW, A.VIEW_HEADERS}),
]


@pytest.mark.parametrize(("overrides", "status", "primary", "available"),
                         [pytest.param(*row[1:], id=row[0]) for row in ROWS])
def test_row(make_message, overrides, status, primary, available):
    decision = decide(make_message(**overrides), NOW)
    assert decision.status is status
    assert decision.primary is primary
    assert decision.available == frozenset(available)
    # Every action is either offered or explained, never both, never neither.
    assert set(decision.unavailable) == set(Action) - set(available)
    assert all(why.strip() for why in decision.unavailable.values())
    if primary is not None:
        assert primary in decision.available
    assert decision.status_text.strip()


def test_release_and_request_never_both_offered(make_message):
    for row in ROWS:
        decision = decide(make_message(**row[1]), NOW)
        assert not {A.RELEASE, A.REQUEST_RELEASE} <= decision.available, row[0]


def test_preparing_to_release_asks_for_a_refresh(make_message):
    assert decide(make_message(ReleaseStatus="PREPARINGTORELEASE"), NOW).needs_refresh
    assert not decide(make_message(), NOW).needs_refresh


def test_high_conf_phish_explains_who_can_release(make_message):
    decision = decide(make_message(**FULL, QuarantineTypes="HighConfPhish"), NOW)
    assert decision.reason(A.RELEASE) == (
        "Only your IT team can release messages held as high-confidence phishing — you can ask them to."
    )


def test_requested_explains_the_wait(make_message):
    decision = decide(make_message(**LIMITED, ReleaseStatus="REQUESTED"), NOW)
    assert decision.reason(A.REQUEST_RELEASE) == (
        "You already asked IT to release this message; they haven't answered yet."
    )
    assert decision.reason(A.RELEASE) == decision.reason(A.REQUEST_RELEASE)


def test_expired_names_the_date_in_the_callers_time_zone(make_message):
    from datetime import timedelta, timezone

    message = make_message(Expires="2026-08-01T23:30:00Z")
    utc = decide(message, NOW).reason(A.VIEW_HEADERS)
    tokyo = decide(message, NOW.astimezone(timezone(timedelta(hours=9)))).reason(A.VIEW_HEADERS)
    assert utc == (
        "This message was deleted from quarantine on 1 August 2026, so nothing more can be done with it."
    )
    assert "2 August 2026" in tokyo


def test_view_header_permission_bit_is_not_honoured(make_message):
    # Spec §4.1: headers are always available while the message is visible.
    assert decide(make_message(PermissionToViewHeader=False), NOW).is_available(A.VIEW_HEADERS)


def test_naive_now_is_utc(make_message):
    assert decide(make_message(), datetime(2026, 8, 14, 12, 0)).status is DisplayStatus.CAN_RELEASE


def _headers(spf: str, dkim: str, dmarc: str) -> str:
    return (
        "Authentication-Results: "
        f"spf={spf} smtp.mailfrom=partner.example; dkim={dkim} header.d=partner.example; "
        f"dmarc={dmarc} header.from=partner.example\r\n"
        "From: Billing <billing@partner.example>\r\nTo: alice@northwind.example\r\n"
    )


@pytest.mark.parametrize(
    ("headers", "doubt"),
    [
        (_headers("pass", "pass", "pass"), SenderDoubt.CONFIRMED),
        (_headers("none", "none", "pass"), SenderDoubt.CONFIRMED),
        (_headers("pass", "pass", "none"), SenderDoubt.CONFIRMED),
        (_headers("pass", "none", "none"), SenderDoubt.UNCONFIRMED),
        (_headers("none", "none", "none"), SenderDoubt.UNCONFIRMED),
        ("From: billing@partner.example\r\n", SenderDoubt.UNCONFIRMED),  # no verdict recorded at all
        (_headers("fail", "none", "fail"), SenderDoubt.FAILED),
    ],
)
def test_only_a_confirmed_sender_is_delivered_without_a_warning(headers: str, doubt: SenderDoubt) -> None:
    report = analyse_headers(headers, "billing@partner.example")
    assert sender_doubt(report) is doubt
    warn = doubt is not SenderDoubt.CONFIRMED
    # Every action that puts the message into the Inbox follows the same rule; the others never warn.
    expected = {A.RELEASE, A.REPORT_NOT_JUNK} if warn else set()
    assert {a for a in A if needs_sender_warning(a, report)} == expected
    assert {a for a in A if delivers_to_inbox(a)} == {A.RELEASE, A.REPORT_NOT_JUNK}


def test_headers_never_read_are_not_a_confirmed_sender() -> None:
    assert sender_doubt(None) is SenderDoubt.UNCONFIRMED
