"""Every string a person reads from the core is plain language: no wire words, nothing empty."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from quarantine_checker.core import decision, expiry, messages, reasons, vocabulary
from quarantine_checker.core.decision import Action, decide, status_of
from quarantine_checker.core.model import QuarantineType, parse_message

# Enum spellings and field names from the wire that must never reach a person.
WIRE_WORDS = re.compile(
    r"HighConfPhish|SPOMalware|FileTypeBlock|DataLossPrevention|TransportRule|AdminTriggered|"
    r"NOTRELEASED|NotReleased|PREPARINGTORELEASE|PreparingToRelease|PermissionTo|QuarantineTypes|"
    r"ReleaseStatus|Traceback|Exception|Error\b|None\b|\bPPI\b|\bUNKNOWN\b"
)


def all_user_strings() -> list[str]:
    texts: list[str] = []
    for r in reasons.REASONS.values():
        texts += [r.title, r.explanation, r.chip]
    texts += vocabulary.STATUS_WORDS.values()
    texts += vocabulary.STATUS_GROUP_WORDS.values()
    texts += vocabulary.ACTION_WORDS.values()
    texts += vocabulary.ACTION_DONE.values()
    texts += [t for t in vocabulary.WHAT_HAPPENS.values()]
    texts += vocabulary.LINK_PLACES.values()
    texts += [vocabulary.HELD_BY_CUSTOM, vocabulary.HELD_BY_FILTER, vocabulary.HELD_BY_UNKNOWN,
              vocabulary.SENDER_WARNING_FAILED, vocabulary.SENDER_WARNING_UNCONFIRMED,
              vocabulary.SENDER_WARNING_ADVICE, vocabulary.SENDER_CHECKS_TITLE, vocabulary.SENDER_NO_INFO]
    texts += decision.REASONS.values()
    texts += decision.KIND_PHRASES.values()
    texts += expiry.TEXTS.values()
    texts += messages.ACTION_TITLES.values()
    for entry in [*messages.ERROR_TEXTS.values(), messages.UNKNOWN_ERROR]:
        texts += [entry.title, entry.text]
    for entry in getattr(messages, "CODE_TEXTS", {}).values():
        texts += [entry.title, entry.text]
    texts.append(messages.THROTTLED_LONG_TEXT)
    return texts


@pytest.mark.parametrize("text", all_user_strings())
def test_no_wire_words_or_empty_strings(text):
    assert text.strip()
    assert not WIRE_WORDS.search(text), text


@pytest.mark.parametrize("qtype", list(QuarantineType))
def test_every_type_has_a_reason(qtype):
    reason = reasons.reason_for(qtype)
    assert reason.title.startswith("Held")
    assert 1 <= reason.explanation.count(". ") + 1 <= 3  # one or two sentences
    assert len(reason.chip) <= 25


@pytest.mark.parametrize(
    ("qtype", "title"),
    [
        (QuarantineType.PHISH, "Held as possible phishing"),
        (QuarantineType.HIGH_CONF_PHISH, "Held as high-confidence phishing"),
        (QuarantineType.MALWARE, "Held because it contains malware"),
        (QuarantineType.FILE_TYPE_BLOCK, "Held because a file type is blocked"),
        (QuarantineType.SPAM, "Held as spam"),
        (QuarantineType.BULK, "Held as bulk mail"),
        (QuarantineType.UNKNOWN, "Held by your organisation's mail filter"),
    ],
)
def test_reason_titles(qtype, title):
    assert reasons.reason_title(qtype) == title


def test_distinct_chips_for_distinct_reasons():
    # Chips filter the list, so two different explanations must not share a chip (except malware kinds).
    by_chip: dict[str, set[str]] = {}
    for qtype in QuarantineType:
        by_chip.setdefault(reasons.reason_chip(qtype), set()).add(reasons.reason_title(qtype))
    assert all(len(titles) == 1 for titles in by_chip.values())


def test_one_word_per_status_and_every_status_has_one():
    # The window, the tray and the CLI all read these; no two statuses may share words.
    assert set(vocabulary.STATUS_WORDS) == set(vocabulary.DisplayStatus)
    assert len(set(vocabulary.STATUS_WORDS.values())) == len(vocabulary.STATUS_WORDS)
    assert decision.STATUS_TEXTS is vocabulary.STATUS_WORDS
    assert set(vocabulary.STATUS_GROUP_OF) == set(vocabulary.DisplayStatus)
    assert set(vocabulary.STATUS_GROUP_OF.values()) == set(vocabulary.STATUS_GROUP_WORDS)
    assert set(vocabulary.ACTION_WORDS) == set(Action)


STATUSES = ["NOTRELEASED", "REQUESTED", "APPROVED", "DENIED", "PREPARINGTORELEASE", "RELEASED", "ERROR", "?"]


@pytest.mark.parametrize("qtype", [q.value for q in QuarantineType])
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("perms", range(8))
def test_every_decision_explains_every_missing_action_plainly(qtype, status, perms):
    message = parse_message({
        "Identity": "a\\b", "QuarantineTypes": qtype, "ReleaseStatus": status,
        "PermissionToRelease": bool(perms & 4), "PermissionToRequestRelease": bool(perms & 2),
        "PermissionToDelete": bool(perms & 1), "PermissionToPreview": bool(perms & 1),
        "Expires": "2026-09-01T00:00:00Z",
    })
    for now in (datetime(2026, 8, 14, tzinfo=UTC), datetime(2026, 9, 2, tzinfo=UTC)):
        d = decide(message, now)
        assert set(d.available) | set(d.unavailable) == set(Action)
        assert not set(d.available) & set(d.unavailable)
        for text in [d.status_text, *d.unavailable.values()]:
            assert text.strip() and not WIRE_WORDS.search(text), text
        # The list's quick status (every row of a big listing) is the decision's, always.
        assert status_of(message, now) is d.status
        assert d.status_text == vocabulary.STATUS_WORDS[d.status]
