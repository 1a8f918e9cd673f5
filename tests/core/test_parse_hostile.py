"""Hostile records: whatever the wire sends, the parser returns a message or raises MalformedResponseError,
and text comes back exactly as it was sent (it is data; escaping is the display's job)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quarantine_checker.core.errors import MalformedResponseError
from quarantine_checker.core.model import parse_message, parse_messages

WIRE_KEYS = list(json.loads((Path(__file__).parent / "data" / "live_record.json").read_text()))

STRING_FIELDS = {
    "Organization": "organization", "MessageId": "message_id", "SenderAddress": "sender_address",
    "Subject": "subject", "Type": "type_display", "PolicyType": "policy_type", "PolicyName": "policy_name",
    "TagName": "tag_name", "SourceId": "source_id", "TeamsConversationType": "teams_conversation_type",
    "ApprovalUPN": "approval_upn", "ApprovalId": "approval_id", "OverrideReason": "override_reason",
    "MoveToQuarantineAdminActionTakenBy": "move_to_quarantine_admin_action_taken_by",
    "MoveToQuarantineApprovalId": "move_to_quarantine_approval_id",
}

NASTY = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\u202egpj.exe", "a\x00b", "\r\n\t",
    "\ud7ff\ufeff\u200b", "𝕳𝖊𝖑𝖑𝖔 👋🏽", "' OR 1=1 --", "%s%n{0}", "\\\\server\\share", "=cmd|' /C calc'!A0",
]

IDENTITIES = [n for n in NASTY if n.strip()] + ["x\\y"]

# Megabyte strings built cheaply from a short seed, so hypothesis doesn't have to generate them.
huge = st.builds(lambda seed, n: seed * n, st.text(min_size=1, max_size=4), st.integers(200_000, 400_000))
hostile_text = st.one_of(st.text(), st.sampled_from(NASTY), huge)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), hostile_text)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
records = st.dictionaries(
    st.one_of(
        st.sampled_from(WIRE_KEYS),
        st.sampled_from(WIRE_KEYS).map(str.lower),
        st.sampled_from(WIRE_KEYS).map(lambda k: k + "@odata.type"),
        st.text(max_size=12),
    ),
    json_values,
    max_size=30,
)

SLOW_OK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                             HealthCheck.data_too_large])


@SLOW_OK
@given(records)
def test_random_records_never_crash(record):
    try:
        message = parse_message(record)
    except MalformedResponseError as exc:
        assert exc.details.get("field") == "Identity"
        return
    assert isinstance(message.identity, str) and message.identity.strip()
    hash(message)


@SLOW_OK
@given(st.sampled_from(sorted(STRING_FIELDS)), hostile_text, st.sampled_from(IDENTITIES))
def test_strings_round_trip_exactly(key, value, identity):
    record = {"Identity": identity, key: value, key + "@odata.type": "#Collection(Evil)"}
    message = parse_message(record)
    assert getattr(message, STRING_FIELDS[key]) == value
    assert message.identity == identity


@SLOW_OK
@given(st.lists(hostile_text, max_size=5))
def test_address_lists_round_trip_exactly(addresses):
    message = parse_message({"Identity": "a\\b", "RecipientAddress": addresses, "ReleasedBy": addresses})
    assert message.recipient_address == tuple(addresses) == message.released_by


@SLOW_OK
@given(st.lists(st.one_of(records, json_values), max_size=6))
def test_lists_of_anything(values):
    good, rejected = parse_messages(values)
    assert len(good) + rejected == len(values)


def test_megabyte_subject_and_deep_custom_data():
    subject = "\u202e" + "<b>" * 400_000
    deep: object = {}
    for _ in range(5000):
        deep = {"d": deep}
    record = {"Identity": "a\\b", "Subject": subject, "CustomData": deep, "QuarantineTypes": subject}
    message = parse_message(record)
    assert message.subject == subject
    assert message.quarantine_type_raw == subject
