"""Turn QuarantinedMessage objects into ready-to-show rows. Runs on a worker thread, never touches widgets.

Doing the formatting here, in bulk and off the UI thread, is what lets a 10,000-message refresh land
in the table as one cheap model reset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from PySide6.QtCore import QCoreApplication

from quarantine_checker.core import expiry, reasons
from quarantine_checker.core.model import QuarantinedMessage, QuarantineType, ReleaseStatus
from quarantine_checker.core.sender_checks import sender_warnings, shown_address
from quarantine_checker.ui.message_model import MessageRow
from quarantine_checker.ui.plain_text import visible

ATTENTION_TYPES = frozenset(
    {
        QuarantineType.PHISH,
        QuarantineType.HIGH_CONF_PHISH,
        QuarantineType.MALWARE,
        QuarantineType.SPO_MALWARE,
        QuarantineType.FILE_TYPE_BLOCK,
    }
)

# Filter chips for status: one key per label the user sees.
STATUS_KEYS: dict[ReleaseStatus, str] = {
    ReleaseStatus.NOTRELEASED: "needs_review",
    ReleaseStatus.UNKNOWN: "needs_review",
    ReleaseStatus.ERROR: "needs_review",
    ReleaseStatus.REQUESTED: "requested",
    ReleaseStatus.APPROVED: "released",
    ReleaseStatus.RELEASED: "released",
    ReleaseStatus.PREPARINGTORELEASE: "released",
    ReleaseStatus.DENIED: "declined",
}


def translate(context: str, text: str) -> str:
    # QCoreApplication.translate is thread-safe; core modules keep their English in tables for this.
    return QCoreApplication.translate(context, text)


class _Cache(dict[tuple[str, str], str]):
    def t(self, context: str, text: str) -> str:
        key = (context, text)
        hit = self.get(key)
        if hit is None:
            hit = self[key] = translate(context, text)
        return hit


def local_now() -> datetime:
    return datetime.now().astimezone()


def received_text(moment: datetime | None, now: datetime, cache: _Cache | None = None) -> str:
    """'Today 08:15', 'Yesterday 17:02', '12 May 08:15', '12 May 2025' (24-hour, no locale surprises)."""
    if moment is None:
        return ""
    c = cache or _Cache()
    local = moment.astimezone(now.tzinfo)
    hhmm = f"{local.hour:02d}:{local.minute:02d}"
    days = (now.date() - local.date()).days
    if days == 0:
        return c.t("received", "Today {0}").format(hhmm)
    if days == 1:
        return c.t("received", "Yesterday {0}").format(hhmm)
    month = c.t(expiry.TRANSLATION_CONTEXT, expiry.MONTHS[local.month - 1])[:3]
    if local.year == now.year:
        return f"{local.day} {month} {hhmm}"
    return f"{local.day} {month} {local.year}"


def status_key(message: QuarantinedMessage) -> str:
    if message.released and message.release_status not in (ReleaseStatus.DENIED,):
        return "released"
    return STATUS_KEYS.get(message.release_status, "needs_review")


def status_text(message: QuarantinedMessage, cache: _Cache | None = None) -> str:
    c = cache or _Cache()
    status = message.release_status
    if message.released and status in (ReleaseStatus.NOTRELEASED, ReleaseStatus.UNKNOWN):
        status = ReleaseStatus.RELEASED
    return c.t(reasons.TRANSLATION_CONTEXT, reasons.status_label(status))


def reason_key(message: QuarantinedMessage) -> str:
    return reasons.reason_chip(message.quarantine_type)


CONFLICT_SUFFIX = "two versions received"


def build_row(
    message: QuarantinedMessage, now: datetime, cache: _Cache | None = None, sender_name: str = "",
    conflicting: bool = False,
) -> MessageRow:
    c = cache if cache is not None else _Cache()
    reason = reasons.reason_for(message.quarantine_type)
    reason_title = c.t(reasons.TRANSLATION_CONTEXT, reason.title)
    chip = c.t(reasons.TRANSLATION_CONTEXT, reason.chip)
    status = status_text(message, c)
    if conflicting:
        # The service sent this message twice with different status or permissions; the row holds the
        # most restrictive reading (core/conflicts.py), and says so.
        status = f"⚠ {status} — {c.t('MessageTableModel', CONFLICT_SUFFIX)}"
    received = received_text(message.received_time, now, c)
    expires = c.t(expiry.TRANSLATION_CONTEXT, expiry.expiry_text(message.expires, now))
    address = message.sender_address
    shown = shown_address(address)  # a punycode domain decoded, its encoded form beside it
    sender = f"{sender_name} <{shown}>" if sender_name else shown
    warned = sender_warnings(address)
    cells = [
        ("⚠ " if warned else "") + visible(sender),
        visible(message.subject) or c.t("MessageTableModel", "(no subject)"),
        reason_title,
        received,
        expires,
        status,
    ]
    # Search sees the raw text too, so a search for a hidden character's neighbours still matches.
    haystack = "\x00".join(
        (
            sender_name,
            address,
            message.subject,
            reason_title,
            chip,
            status,
            received,
            expires,
            " ".join(message.recipient_address),
            message.policy_name,
            message.type_display,
        )
    ).casefold()
    received_sort = message.received_time.timestamp() if message.received_time else 0.0
    expires_sort = message.expires.timestamp() if message.expires else float("inf")
    return MessageRow(
        identity=message.identity,
        message=message,
        cells=cells,
        haystack=haystack,
        reason_key=chip,
        status_key=status_key(message),
        received_sort=received_sort,
        expires_sort=expires_sort,
        attention=message.quarantine_type in ATTENTION_TYPES,
        sender_tooltip=(
            visible("\n".join((sender, *warned)), single_line=False, limit=1500) if warned
            else visible(sender, limit=500) if len(sender) > 300 else ""
        ),
    )


PACE_EVERY = 64  # rows between calls of ``pause`` (about half a millisecond of work)


def build_rows(
    messages: Iterable[QuarantinedMessage],
    now: datetime | None = None,
    sender_names: dict[str, str] | None = None,
    pause: Callable[[], None] | None = None,
    conflicting: frozenset[str] = frozenset(),
) -> list[MessageRow]:
    """``pause`` (a ``TaskRunner.pacer()``) is called every few rows so the UI thread can paint meanwhile."""
    now = now or local_now()
    cache = _Cache()
    names = sender_names or {}
    if pause is None:
        return [build_row(m, now, cache, names.get(m.identity, ""), m.identity in conflicting)
                for m in messages]
    rows: list[MessageRow] = []
    for i, m in enumerate(messages):
        if i % PACE_EVERY == 0:
            pause()
        rows.append(build_row(m, now, cache, names.get(m.identity, ""), m.identity in conflicting))
    return rows
