"""What the command line prints: readable tables for people, stable JSON for scripts.

Everything that came from mail (subjects, senders, bodies, headers) is untrusted: before it reaches a
terminal, control characters are replaced, so a subject cannot move the cursor, rewrite the screen
or flip the text direction (U+202E).
"""

from __future__ import annotations

import json
import shutil
import sys
import unicodedata
from datetime import UTC, datetime
from typing import Any, TextIO

from quarantine_checker.core.decision import decide
from quarantine_checker.core.expiry import expiry_text
from quarantine_checker.core.model import QuarantinedMessage
from quarantine_checker.core.reasons import reason_title
from quarantine_checker.core.sender_checks import sender_warnings, shown_address
from quarantine_checker.core.text_safety import scrub_json, terminal_text

SCHEMA_VERSION = 1


def clean(text: Any, *, keep_newlines: bool = False, limit: int | None = None) -> str:
    """Terminal-safe text: no escape sequences, no bidi overrides; one line unless keep_newlines."""
    return terminal_text(text, keep_newlines=keep_newlines, limit=limit)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def _local(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(now.tzinfo or None)
    return local.strftime("%d %b %H:%M") if local.year == now.year else local.strftime("%d %b %Y")


# --- JSON ----------------------------------------------------------------------------------------------
CONFLICT_NOTE = ("Microsoft 365 sent two different versions of this message's state; only what both "
                 "allow is offered. Check again in a few minutes.")
SENDER_MARK = "⚠ "


def message_json(message: QuarantinedMessage, now: datetime, *, conflicting: bool = False,
                 own_domains: tuple[str, ...] = ()) -> dict[str, Any]:
    decision = decide(message, now)
    return {
        "id": message.identity,
        "received": _iso(message.received_time),
        "sender": message.sender_address,
        "sender_shown": shown_address(message.sender_address),
        "sender_warnings": list(sender_warnings(message.sender_address, own_domains)),
        "conflicting": conflicting,
        "recipients": list(message.recipient_address),
        "subject": message.subject,
        "size": message.size,
        "reason": message.quarantine_type.name.lower(),
        "reason_text": reason_title(message.quarantine_type),
        "status": decision.status.value,
        "status_text": decision.status_text,
        "expires": _iso(message.expires),
        "expires_text": expiry_text(message.expires, now),
        "primary_action": decision.primary.value if decision.primary else None,
        "actions": sorted(a.value for a in decision.available),
        "unavailable": {a.value: why for a, why in sorted(decision.unavailable.items())},
    }


def dump(payload: dict[str, Any], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    # ensure_ascii keeps hostile characters escaped (\u202e) instead of raw in the terminal.
    # scrub_json: a lone surrogate (from any source) would be written as a "\ud800" escape strict JSON
    # readers reject; it becomes U+FFFD like everywhere else.
    document = scrub_json({"schema_version": SCHEMA_VERSION, **payload})
    out.write(json.dumps(document, ensure_ascii=True, indent=2) + "\n")


# --- tables --------------------------------------------------------------------------------------------
def table(rows: list[list[str]], headers: list[str], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    cells = [headers, *rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip()

    out.write(line(headers) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write(line(row) + "\n")


def list_table(messages: list[QuarantinedMessage], now: datetime, out: TextIO | None = None, *,
               conflicting: frozenset[str] = frozenset(), own_domains: tuple[str, ...] = ()) -> None:
    out = out or sys.stdout
    # Fit a terminal; piped into a file or a ticket, keep subjects readable instead.
    columns = shutil.get_terminal_size((200, 24)).columns if out.isatty() else 200
    subject_width = max(20, min(60, columns - 100))
    rows = []
    notes: list[str] = []
    for m in messages:
        decision = decide(m, now)
        warned = sender_warnings(m.sender_address, own_domains)
        for warning in warned[:2]:
            notes.append(f"{SENDER_MARK}{short_id(m.identity)}: {warning}")
        if m.identity in conflicting:
            notes.append(f"{SENDER_MARK}{short_id(m.identity)}: {CONFLICT_NOTE}")
        rows.append([
            clean(_local(m.received_time, now)),
            (SENDER_MARK if warned else "") + clean(shown_address(m.sender_address), limit=32),
            clean(m.subject or "(no subject)", limit=subject_width),
            clean(reason_title(m.quarantine_type), limit=24),
            clean(decision.status_text, limit=28),
            clean(expiry_text(m.expires, now), limit=22),
            clean(short_id(m.identity)),
        ])
    table(rows, ["Received", "From", "Subject", "Why held", "Status", "Deleted", "ID"], out)
    if notes:
        out.write("\n")
        for note in notes:
            out.write(clean(note, limit=400) + "\n")


def short_id(identity: str) -> str:
    """The first 8 characters; every command accepts a unique prefix like this one."""
    return identity[:8]


def show_message(message: QuarantinedMessage, now: datetime, out: TextIO | None = None, *,
                 own_domains: tuple[str, ...] = ()) -> None:
    out = out or sys.stdout
    d = message_json(message, now, own_domains=own_domains)
    fields = [
        ("Subject", d["subject"] or "(no subject)"),
        ("From", d["sender_shown"]),
        ("To", ", ".join(d["recipients"])),
        ("Received", _local(message.received_time, now)),
        ("Why held", d["reason_text"]),
        ("Status", d["status_text"]),
        ("Deleted", d["expires_text"]),
        ("You can", ", ".join(a.replace("_", " ") for a in d["actions"]) or "nothing"),
        ("ID", d["id"]),
    ]
    for label, value in fields:
        out.write(f"{label + ':':<10} {clean(value, limit=200)}\n")
    for warning in d["sender_warnings"]:
        out.write(f"{SENDER_MARK}{clean(warning, limit=400)}\n")
    for action, why in d["unavailable"].items():
        out.write(f"  {action.replace('_', ' ')}: {clean(why, limit=200)}\n")
