"""The text-safety module (any wire string, any edge) and the merge of disagreeing copies of a message."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from quarantine_checker.core.conflicts import disagree, most_restrictive
from quarantine_checker.core.decision import Action, decide
from quarantine_checker.core.model import parse_message
from quarantine_checker.core.text_safety import needs_json_scrub, scrub_json, terminal_text

NOW = datetime(2026, 8, 14, 12, 0, tzinfo=UTC)
ANY_WIRE_TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=40)


@given(ANY_WIRE_TEXT)
def test_every_string_json_can_carry_becomes_writable_everywhere(text):
    raw = json.dumps({"value": [{"Subject": text}]}).encode("ascii")  # \uXXXX escapes, lone surrogates too
    payload = json.loads(raw)
    if needs_json_scrub(raw):
        payload = scrub_json(payload)
    subject = payload["value"][0]["Subject"]
    subject.encode("utf-8")
    terminal_text(subject, keep_newlines=True).encode("utf-8")


def test_crlf_is_one_line_break_not_a_replacement_character():
    assert terminal_text("From: a\r\nTo: b\r\n", keep_newlines=True) == "From: a\nTo: b\n"
    assert terminal_text("a\r\nb") == "a b"
    assert terminal_text("\x1b[2Jx\u202e") == "\ufffd[2Jx\ufffd"


def _message(**fields):
    return parse_message({
        "Identity": "a\\b", "QuarantineTypes": "Spam", "ReleaseStatus": "NOTRELEASED",
        "PermissionToRelease": True,
        "PermissionToDelete": True, "PermissionToPreview": True, "Subject": "Invoice",
        "Expires": (NOW + timedelta(days=10)).isoformat(), **fields})


def test_the_merge_allows_only_what_both_copies_allow_in_either_order():
    open_copy = _message()
    cases = [
        _message(PermissionToRelease=False, PermissionToRequestRelease=True),
        _message(ReleaseStatus="REQUESTED"),
        _message(ReleaseStatus="RELEASED", Released=True),
        _message(QuarantineTypes="Malware"),
        _message(PermissionToPreview=False),
        _message(Expires=(NOW - timedelta(days=1)).isoformat()),
    ]
    for other in cases:
        assert disagree(open_copy, other)
        allowed_other = decide(other, NOW).available
        for merged in (most_restrictive(open_copy, other), most_restrictive(other, open_copy)):
            assert decide(merged, NOW).available <= allowed_other
            assert merged.subject == "Invoice"
    assert not disagree(open_copy, _message())


def test_a_released_reading_wins_over_a_releasable_one():
    merged = most_restrictive(_message(), _message(ReleaseStatus="RELEASED", Released=True))
    assert not decide(merged, NOW).is_available(Action.RELEASE)
