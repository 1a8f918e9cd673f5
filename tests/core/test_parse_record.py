"""The parser against the live record from the spec (§3.2) and the wire quirks it documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from quarantine_checker.core.errors import MalformedResponseError
from quarantine_checker.core.model import (
    Direction,
    EntityType,
    QuarantineType,
    ReleaseStatus,
    parse_message,
    parse_messages,
    parse_timestamp,
)


def test_live_record_fields(live_record):
    m = parse_message(live_record)
    assert m.identity == "86bab6ca-b175-4b84-d76c-08dee7cf55a8\\3423484b-11a9-58cc-cf4e-784af1dcf73c"
    assert m.network_message_id == "86bab6ca-b175-4b84-d76c-08dee7cf55a8"
    assert m.received_time == datetime(2026, 7, 22, 8, 58, 1, 456420, tzinfo=UTC)
    assert m.expires == datetime(2026, 8, 21, 8, 58, 1, 456420, tzinfo=UTC)
    assert m.organization == "4b8c18bd-2f9f-4227-af55-9f1061cf9c32"
    assert m.message_id == "<7d08ba65-02de-4233-8220-e3be296ab368@az.centralus.microsoft.com>"
    assert m.sender_address == "microsoft-noreply@microsoft.com"
    assert m.recipient_address == ("rob@m7kni.io",)
    assert m.subject == "Passkeys by default and retirement of …"
    assert m.size == 170641
    assert m.type_display == "Spam"
    assert m.quarantine_type is QuarantineType.SPAM
    assert m.policy_type == "HostedContentFilterPolicy"
    assert m.policy_name == "Standard Preset Security Policy1784144691483"
    assert m.tag_name == "DefaultFullAccessWithNotificationPolicy"
    assert (m.permission_to_block_sender, m.permission_to_delete) == (False, True)
    assert m.permission_to_preview is True
    assert (m.permission_to_release, m.permission_to_request_release) == (True, False)
    assert (m.permission_to_view_header, m.permission_to_download, m.permission_to_allow_sender) == (
        False, True, True)
    assert m.released is False and m.system_released is False and m.reported is False
    assert m.release_status is ReleaseStatus.NOTRELEASED
    assert m.recipient_count == 1 and m.released_count == 0
    assert m.recipient_tag == ("Priority Account",)
    assert m.deleted_for_recipients == m.quarantined_user == m.released_user == m.released_by == ()
    assert m.direction is Direction.INBOUND
    assert m.entity_type is EntityType.EMAIL
    assert m.custom_data is None
    assert m.override_reason == "None" and m.override_reason_int_value == 0
    assert m.source_id == m.approval_upn == m.move_to_quarantine_approval_id == ""


def test_repr_keeps_mail_content_out_of_logs(live_record):
    text = repr(parse_message(live_record))
    assert "Passkeys" not in text and "microsoft-noreply" not in text and "rob@" not in text


def test_annotation_keys_are_ignored_even_when_they_shadow_fields(live_record):
    live_record["Subject@odata.type"] = "#String"
    live_record["Identity@data.type"] = 42
    live_record["@odata.context"] = {"junk": True}
    m = parse_message(live_record)
    assert m.subject == "Passkeys by default and retirement of …"


@pytest.mark.parametrize(
    ("bad", "problem"), [(None, "missing"), ("", "empty"), ("   ", "empty"), (42, "not a string"),
                         (["a"], "not a string")],
)
def test_identity_is_required_and_the_error_names_the_field_not_the_value(live_record, bad, problem):
    if bad is None:
        del live_record["Identity"]
    else:
        live_record["Identity"] = bad
    with pytest.raises(MalformedResponseError) as info:
        parse_message(live_record)
    assert info.value.details == {"field": "Identity", "problem": problem}


def test_identity_only_record_gets_safe_defaults():
    m = parse_message({"Identity": "a\\b"})
    assert m.subject == "" and m.recipient_address == () and m.size == 0
    assert m.quarantine_type is QuarantineType.UNKNOWN and m.release_status is ReleaseStatus.UNKNOWN
    assert not any((m.permission_to_release, m.permission_to_request_release, m.permission_to_delete))
    assert m.expires is None and m.received_time is None and not m.is_expired(datetime.now(UTC))


def test_wrong_types_fall_back_to_safe_defaults(live_record):
    live_record.update(
        Subject=123, Size="big", PermissionToRelease="yes please", RecipientAddress=[1, "me@x.example", None],
        Expires=1700000000, ReceivedTime="not a date", Released=1, CustomData="text", RecipientCount=-5,
        QuarantineTypes=["Spam"],
    )
    m = parse_message(live_record)
    assert m.subject == "" and m.size == 0 and m.permission_to_release is False
    assert m.recipient_address == ("me@x.example",)
    assert m.expires is None and m.received_time is None
    assert m.released is False and m.custom_data is None and m.recipient_count == 0
    assert m.quarantine_type is QuarantineType.SPAM  # falls back to the display form in Type


def test_single_string_recipient_becomes_a_tuple(live_record):
    live_record["RecipientAddress"] = "only@x.example"
    assert parse_message(live_record).recipient_address == ("only@x.example",)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("NOTRELEASED", ReleaseStatus.NOTRELEASED), ("NotReleased", ReleaseStatus.NOTRELEASED),
        ("requested", ReleaseStatus.REQUESTED), ("Approved", ReleaseStatus.APPROVED),
        ("DENIED", ReleaseStatus.DENIED), ("PreparingToRelease", ReleaseStatus.PREPARINGTORELEASE),
        ("released", ReleaseStatus.RELEASED), ("Error", ReleaseStatus.ERROR),
        ("PARTIALLYRELEASED", ReleaseStatus.UNKNOWN), ("", ReleaseStatus.UNKNOWN),
    ],
)
def test_release_status_is_case_insensitive_and_unknown_is_kept(live_record, wire, expected):
    live_record["ReleaseStatus"] = wire
    m = parse_message(live_record)
    assert m.release_status is expected
    assert m.release_status_raw == wire


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("HighConfPhish", QuarantineType.HIGH_CONF_PHISH), ("highconfphish", QuarantineType.HIGH_CONF_PHISH),
        ("SPOMalware", QuarantineType.SPO_MALWARE), ("spomalware", QuarantineType.SPO_MALWARE),
        ("FileTypeBlock", QuarantineType.FILE_TYPE_BLOCK), ("TransportRule", QuarantineType.TRANSPORT_RULE),
        ("DataLossPrevention", QuarantineType.DATA_LOSS_PREVENTION), ("PPI", QuarantineType.PPI),
        ("AdminTriggered", QuarantineType.ADMIN_TRIGGERED), ("BULK", QuarantineType.BULK),
        ("QuantumPhish", QuarantineType.UNKNOWN),
    ],
)
def test_quarantine_types(live_record, wire, expected):
    live_record["QuarantineTypes"] = wire
    m = parse_message(live_record)
    assert m.quarantine_type is expected
    assert m.quarantine_type_raw == wire


def test_display_type_used_only_when_quarantine_types_is_absent(live_record):
    del live_record["QuarantineTypes"]
    live_record["Type"] = "High Confidence Phish"
    assert parse_message(live_record).quarantine_type is QuarantineType.HIGH_CONF_PHISH
    live_record["QuarantineTypes"] = "Nonsense"  # an explicit unknown value is not second-guessed
    assert parse_message(live_record).quarantine_type is QuarantineType.UNKNOWN


def test_unknown_direction_and_entity_keep_raw_text(live_record):
    live_record.update(Direction="Sideways", EntityType="teams")
    m = parse_message(live_record)
    assert m.direction is Direction.UNKNOWN and m.direction_raw == "Sideways"
    assert m.entity_type is EntityType.TEAMS


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("2026-07-22T08:58:01.4564204+00:00", datetime(2026, 7, 22, 8, 58, 1, 456420, tzinfo=UTC)),
        ("2026-07-22T08:58:01Z", datetime(2026, 7, 22, 8, 58, 1, tzinfo=UTC)),
        ("2026-07-22T08:58:01", datetime(2026, 7, 22, 8, 58, 1, tzinfo=UTC)),  # naive means UTC
        ("2026-07-22T10:58:01.123456789+02:00", datetime(2026, 7, 22, 8, 58, 1, 123456, tzinfo=UTC)),
        ("/Date(1784710681000)/", datetime(2026, 7, 22, 8, 58, 1, tzinfo=UTC)),
    ],
)
def test_timestamps(wire, expected):
    parsed = parse_timestamp(wire)
    assert parsed == expected
    assert parsed.tzinfo is not None


@pytest.mark.parametrize("wire", ["", "yesterday", "2026-13-40T00:00:00", "9" * 100, None, 3.5,
                                  "/Date(999999999999999)/", "0000-01-01T00:00:00"])
def test_bad_timestamps_are_none(wire):
    assert parse_timestamp(wire) is None


def test_offset_is_preserved_as_the_same_instant():
    parsed = parse_timestamp("2026-07-22T23:30:00-05:00")
    assert parsed == datetime(2026, 7, 22, 23, 30, tzinfo=timezone(timedelta(hours=-5)))


def test_custom_data_is_read_only_and_without_annotations(live_record):
    live_record["CustomData"] = {
        "FileName": "a.docx", "x@odata.type": "#S", "Nested": {"k@data.type": 1, "v": [1]},
    }
    m = parse_message(live_record)
    assert dict(m.custom_data) == {"FileName": "a.docx", "Nested": {"v": [1]}}
    with pytest.raises(TypeError):
        m.custom_data["FileName"] = "evil"  # type: ignore[index]
    hash(m)  # still usable as a dict key / in sets


def test_parse_messages_counts_rejects(live_record):
    other = dict(live_record, Identity="x\\y")
    good, rejected = parse_messages([live_record, {"Subject": "no id"}, "text", None, 7, other])
    assert [m.identity for m in good] == [live_record["Identity"], "x\\y"]
    assert rejected == 4


def test_parse_messages_single_object_and_nothing(live_record):
    # The service always sends an array; a lone object is an unreadable reply, not one message.
    with pytest.raises(MalformedResponseError):
        parse_messages(live_record)
    assert parse_messages(None) == ([], 0)
    assert parse_messages([]) == ([], 0)
    with pytest.raises(MalformedResponseError):
        parse_messages("not a list")
    with pytest.raises(MalformedResponseError):
        parse_messages(42)


def test_is_expired(make_message):
    m = make_message()
    assert not m.is_expired(datetime(2026, 8, 21, 8, 58, tzinfo=UTC))
    assert m.is_expired(datetime(2026, 8, 21, 8, 59, tzinfo=UTC))
    assert m.is_expired(datetime(2026, 8, 22))  # naive now is read as UTC, not a TypeError


def test_every_wire_field_lands_in_its_own_message_field() -> None:
    # parse_message fills the slots positionally for speed; this probes each wire field on its own.
    from quarantine_checker.core import model

    model._check_layout()
