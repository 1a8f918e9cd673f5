"""What the command line prints: readable tables for people, stable JSON for scripts.

Everything that came from mail (subjects, senders, bodies, headers) is untrusted: before it reaches a
terminal, control characters are replaced, so a subject cannot move the cursor, rewrite the screen
or flip the text direction (U+202E).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from quarantine_checker.core import vocabulary
from quarantine_checker.core.decision import SenderDoubt, decide, sender_doubt
from quarantine_checker.core.expiry import expiry_text, format_date, received_text
from quarantine_checker.core.model import QuarantinedMessage
from quarantine_checker.core.reasons import held_by, reason_explanation, reason_title
from quarantine_checker.core.sender_checks import SenderReport, sender_warnings, shown_address
from quarantine_checker.core.text_safety import scrub_json, terminal_text

SCHEMA_VERSION = 1


def clean(text: Any, *, keep_newlines: bool = False, limit: int | None = None) -> str:
    """Terminal-safe text: no escape sequences, no bidi overrides; one line unless keep_newlines."""
    return terminal_text(text, keep_newlines=keep_newlines, limit=limit)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns (wide characters count two), ending in "…" when cut."""
    if _width(text) <= width:
        return text
    out: list[str] = []
    used = 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC to the second, as docs/cli.md documents (``2026-03-01T09:30:00Z``)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _local(moment: datetime | None, now: datetime) -> str:
    """The window's words for a time: 'Today 08:15', '12 May 08:15' (no seconds, no locale)."""
    return received_text(moment, now)


def action_words(actions: Any) -> str:
    return ", ".join(vocabulary.ACTION_WORDS[a] for a in sorted(actions)) or "nothing"


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
        "explanation": reason_explanation(message.quarantine_type),
        "held_by": held_by(message),
        "status": decision.status.value,
        "status_text": decision.status_text,
        "expires": _iso(message.expires),
        "expires_text": expiry_text(message.expires, now),
        "primary_action": decision.primary.value if decision.primary else None,
        "what_happens": vocabulary.WHAT_HAPPENS[decision.primary],
        "actions": sorted(a.value for a in decision.available),
        "unavailable": {a.value: why for a, why in sorted(decision.unavailable.items())},
    }


def sender_json(report: SenderReport | None, unavailable: str = "") -> dict[str, Any]:
    """``show``'s answer to "is the sender who they say?": the window's lines, and the verdict."""
    if report is None:
        return {"confirmed": False, "doubt": SenderDoubt.UNCONFIRMED.value,
                "lines": [unavailable or vocabulary.SENDER_NO_INFO]}
    return {"confirmed": sender_doubt(report) is SenderDoubt.CONFIRMED, "doubt": sender_doubt(report).value,
            "lines": report.check_lines() or [vocabulary.SENDER_NO_INFO]}


def dump(payload: dict[str, Any], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    # ensure_ascii keeps hostile characters escaped (\u202e) instead of raw in the terminal.
    # scrub_json: a lone surrogate (from any source) would be written as a "\ud800" escape strict JSON
    # readers reject; it becomes U+FFFD like everywhere else.
    document = scrub_json({"schema_version": SCHEMA_VERSION, **payload})
    out.write(json.dumps(document, ensure_ascii=True, indent=2) + "\n")


# --- tables --------------------------------------------------------------------------------------------
GAP = "  "
FALLBACK_COLUMNS = 160  # output that goes to a file or a pipe, with no COLUMNS set: a readable ticket


def terminal_columns(out: TextIO) -> int:
    """How wide the table may be: COLUMNS, else the terminal's width, else (a file, a pipe) 160."""
    if out.isatty() or os.environ.get("COLUMNS"):
        return max(20, shutil.get_terminal_size((FALLBACK_COLUMNS, 24)).columns)
    return FALLBACK_COLUMNS


@dataclass(frozen=True)
class Column:
    header: str
    least: int          # never narrower than this; below it the table is printed as blocks instead
    most: int           # never wider than this, even with room to spare
    give: int = 1       # who gives up width first when the terminal is narrow (higher first)


def _widths(rows: list[list[str]], columns: list[Column], room: int) -> list[int] | None:
    """Column widths that fit ``room``, or None when even the narrowest layout doesn't."""
    widths = [
        min(c.most, max([_width(c.header), *(_width(r[i]) for r in rows)]))
        for i, c in enumerate(columns)
    ]
    floors = [min(w, max(c.least, _width(c.header))) for w, c in zip(widths, columns, strict=True)]
    over = sum(widths) + len(GAP) * (len(columns) - 1) - room
    for give in sorted({c.give for c in columns}, reverse=True):
        for i, c in enumerate(columns):
            if over <= 0:
                return widths
            if c.give == give:
                cut = min(over, widths[i] - floors[i])
                widths[i] -= cut
                over -= cut
    return widths if over <= 0 else None


def table(rows: list[list[str]], headers: list[str] | list[Column], out: TextIO | None = None,
          *, room: int | None = None) -> None:
    """Columns that fit the terminal, cells elided with "…"; too narrow for columns, one block per row."""
    out = out or sys.stdout
    columns = [h if isinstance(h, Column) else Column(h, 4, 10_000) for h in headers]
    room = room if room is not None else terminal_columns(out)
    widths = _widths(rows, columns, room)
    if widths is None:
        _blocks(rows, columns, room, out)
        return

    def line(row: list[str]) -> str:
        cells = [fit(c, w) for c, w in zip(row, widths, strict=True)]
        return GAP.join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    out.write(line([c.header for c in columns]) + "\n")
    out.write(GAP.join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write(line(row) + "\n")


def _blocks(rows: list[list[str]], columns: list[Column], room: int, out: TextIO) -> None:
    """A narrow terminal: each row as "Header: value" lines, the value wrapped to the width."""
    label = max(_width(c.header) for c in columns) + 2
    for n, row in enumerate(rows):
        if n:
            out.write("\n")
        for c, value in zip(columns, row, strict=True):
            if not value:
                continue
            lines = textwrap.wrap(value, max(10, room - label)) or [""]
            out.write(f"{c.header + ':':<{label}}{lines[0]}\n")
            for more in lines[1:]:
                out.write(" " * label + more + "\n")


LIST_COLUMNS = [
    # The narrowest layout (about 73 columns) still fits an 80-column terminal.
    Column("Received", 6, 14, give=1),
    Column("From", 10, 40, give=3),
    Column("Subject", 12, 70, give=4),
    Column("Why held", 8, 36, give=3),
    Column("Status", 8, 30, give=2),
    Column("Deleted", 7, 26, give=2),
    Column("ID", 8, 8, give=0),
]


def list_table(messages: list[QuarantinedMessage], now: datetime, out: TextIO | None = None, *,
               conflicting: frozenset[str] = frozenset(), own_domains: tuple[str, ...] = ()) -> None:
    out = out or sys.stdout
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
            (SENDER_MARK if warned else "") + clean(shown_address(m.sender_address), limit=200),
            clean(m.subject or "(no subject)", limit=300),
            clean(reason_title(m.quarantine_type)),
            clean(decision.status_text),
            clean(expiry_text(m.expires, now)),
            clean(short_id(m.identity)),
        ])
    table(rows, LIST_COLUMNS, out)
    if notes:
        out.write("\n")
        for note in notes:
            for line in textwrap.wrap(clean(note, limit=400), max(30, terminal_columns(out))):
                out.write(line + "\n")


def short_id(identity: str) -> str:
    """The first 8 characters; every command accepts a unique prefix like this one."""
    return identity[:8]


def _wrapped(text: str, out: TextIO, indent: str = "  ") -> None:
    width = max(30, min(terminal_columns(out), 100) - len(indent))
    for paragraph in clean(text, keep_newlines=True, limit=4000).split("\n"):
        for line in textwrap.wrap(paragraph, width) or [""]:
            out.write(f"{indent}{line}\n")


def show_message(message: QuarantinedMessage, now: datetime, out: TextIO | None = None, *,
                 own_domains: tuple[str, ...] = (), sender: dict[str, Any] | None = None) -> None:
    """What the window's details pane says, in the same words and order: what this is, why it was held,
    whether the sender is who they say, and what happens if you release it."""
    out = out or sys.stdout
    d = message_json(message, now, own_domains=own_domains)
    expires = d["expires_text"]
    if message.expires is not None and expires:
        expires = f"{expires} ({format_date(message.expires, now)})"
    out.write(clean(d["subject"] or "(no subject)", limit=300) + "\n\n")
    for label, value in (
        ("From", d["sender_shown"]),
        ("To", ", ".join(d["recipients"]) or "(not given)"),
        ("Received", _local(message.received_time, now)),
        ("Deleted", expires or "(unknown)"),
        ("Status", d["status_text"]),
        ("Held by", d["held_by"]),
    ):
        out.write(f"{label + ':':<10} {clean(value, limit=300)}\n")
    for warning in d["sender_warnings"]:
        out.write(f"{SENDER_MARK}{clean(warning, limit=400)}\n")
    out.write(f"\n{d['reason_text']}\n")
    _wrapped(d["explanation"], out)
    if sender is not None:
        out.write(f"\n{vocabulary.SENDER_CHECKS_TITLE}\n")
        for line in sender["lines"]:
            _wrapped(line, out)
    out.write("\nWhat happens if you release it\n")
    _wrapped(d["what_happens"], out)
    out.write(f"\nYou can:  {action_words(decision_actions(d))}\n")
    for action, why in d["unavailable"].items():
        words = vocabulary.ACTION_WORDS[vocabulary.Action(action)]
        _wrapped(f"{words}: {why}", out)
    # The short ID, as in ``list``: every command takes it; the full one is in --json.
    out.write(f"\nID:       {clean(short_id(d['id']))}\n")


def decision_actions(d: dict[str, Any]) -> list[vocabulary.Action]:
    return [vocabulary.Action(a) for a in d["actions"]]
