"""Turn QuarantinedMessage objects into ready-to-show rows. Runs on a worker thread, never touches widgets.

Doing the formatting here, in bulk and off the UI thread, is what lets a 10,000-message refresh land
in the table as one cheap model reset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from quarantine_checker.core import expiry, glance, reasons, vocabulary
from quarantine_checker.core.decision import status_of
from quarantine_checker.core.model import QuarantinedMessage, QuarantineType
from quarantine_checker.core.sender_checks import sender_warnings, shown_address
from quarantine_checker.ui.message_model import MessageRow
from quarantine_checker.ui.plain_text import visible

if TYPE_CHECKING:
    from quarantine_checker.core.mailbox_session import MailboxSession

ATTENTION_TYPES = frozenset(
    {
        QuarantineType.PHISH,
        QuarantineType.HIGH_CONF_PHISH,
        QuarantineType.MALWARE,
        QuarantineType.SPO_MALWARE,
        QuarantineType.FILE_TYPE_BLOCK,
    }
)

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
    """'Today 08:15', 'Yesterday 17:02', '12 May 08:15', '12 May 2025': core/expiry's, translated."""
    return expiry.received_text(moment, now, (cache or _Cache()).t)


def status_key(message: QuarantinedMessage, now: datetime | None = None) -> str:
    """The status filter group (vocabulary.STATUS_GROUP_OF) the row belongs to."""
    return vocabulary.STATUS_GROUP_OF[status_of(message, now or local_now())]


def status_text(message: QuarantinedMessage, cache: _Cache | None = None, now: datetime | None = None) -> str:
    """The one vocabulary's words for where the message stands, the same as the CLI's ``status_text``."""
    c = cache or _Cache()
    words = vocabulary.STATUS_WORDS[status_of(message, now or local_now())]
    return c.t(vocabulary.TRANSLATION_CONTEXT, words)


def reason_key(message: QuarantinedMessage) -> str:
    return reasons.reason_chip(message.quarantine_type)


CONFLICT_SUFFIX = "two versions received"


def build_row(
    message: QuarantinedMessage, now: datetime, cache: _Cache | None = None, sender_name: str = "",
    conflicting: bool = False, known_senders: frozenset[str] = frozenset(), confirmed: bool = False,
) -> MessageRow:
    """``known_senders``: core.glance.released_before over the listing; ``confirmed``: the sender checks
    confirmed this message's sender. Both only move the row up the suggested order."""
    c = cache if cache is not None else _Cache()
    reason = reasons.reason_for(message.quarantine_type)
    reason_title = c.t(reasons.TRANSLATION_CONTEXT, reason.title)
    chip = c.t(reasons.TRANSLATION_CONTEXT, reason.chip)
    shown_status = status_of(message, now)
    status = c.t(vocabulary.TRANSLATION_CONTEXT, vocabulary.STATUS_WORDS[shown_status])
    group = vocabulary.STATUS_GROUP_OF[shown_status]  # the status filter chip's words are searchable too
    if conflicting:
        # The service sent this message twice with different status or permissions; the row holds the
        # most restrictive reading (core/conflicts.py), and says so.
        status = f"⚠ {status} — {c.t('MessageTableModel', CONFLICT_SUFFIX)}"
    address = message.sender_address
    warned = sender_warnings(address)
    seen = glance.glance(message, now, known_senders=known_senders, confirmed=confirmed,
                         look_alike=bool(warned))
    urgent = seen.urgent
    if urgent:  # only where it matters: "deleted in 30 days" on every row would hide the two that count
        status = f"{status} — {c.t(glance.TRANSLATION_CONTEXT, urgent)}"
    received = received_text(message.received_time, now, c)
    expires = c.t(expiry.TRANSLATION_CONTEXT, expiry.expiry_text(message.expires, now))
    shown = shown_address(address)  # a punycode domain decoded, its encoded form beside it
    sender = f"{sender_name} <{shown}>" if sender_name else shown
    mark = "⚠ " if warned else ""
    cells = [
        mark + visible(sender),
        visible(message.subject) or c.t("MessageTableModel", "(no subject)"),
        chip,  # why, in a few words; the full sentence is the details pane's
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
            c.t(vocabulary.TRANSLATION_CONTEXT, vocabulary.STATUS_GROUP_WORDS[group]),
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
        status_key=group,
        received_sort=received_sort,
        expires_sort=expires_sort,
        attention=message.quarantine_type in ATTENTION_TYPES,
        sender_tooltip=(
            visible("\n".join((sender, *warned)), single_line=False, limit=1500) if warned
            else visible(sender, limit=500) if len(sender) > 300 or sender_name else ""
        ),
        # The list says who by name when the headers gave one; the address is in the tooltip and the pane.
        # A flagged address stays in the cell: the name alone would hide what the flag is about.
        sender_shown=visible(sender_name) if sender_name and not warned else "",
        group=seen.group,
        waiting=seen.waiting,
        urgent=bool(urgent),
    )


PACE_EVERY = 64  # rows between calls of ``pause`` (about half a millisecond of work)


def build_rows(
    messages: Iterable[QuarantinedMessage],
    now: datetime | None = None,
    sender_names: dict[str, str] | None = None,
    pause: Callable[[], None] | None = None,
    conflicting: frozenset[str] = frozenset(),
    confirmed: frozenset[str] = frozenset(),
) -> list[MessageRow]:
    """``pause`` (a ``TaskRunner.pacer()``) is called every few rows so the UI thread can paint meanwhile.
    ``confirmed``: identities whose sender checks confirmed the sender (MailboxSession.confirmed_senders)."""
    now = now or local_now()
    cache = _Cache()
    names = sender_names or {}
    messages = messages if isinstance(messages, list) else list(messages)
    known = glance.released_before(messages)
    rows: list[MessageRow] = []
    for i, m in enumerate(messages):
        if pause is not None and i % PACE_EVERY == 0:
            pause()
        ident = m.identity
        rows.append(build_row(m, now, cache, names.get(ident, ""), ident in conflicting,
                              known_senders=known, confirmed=ident in confirmed))
    return rows


def session_row(message: QuarantinedMessage, session: MailboxSession, now: datetime) -> MessageRow:
    """One re-read message's row, placed in the suggested order as the whole listing would place it."""
    ident = message.identity
    return build_row(message, now, sender_name=session.sender_names().get(ident, ""),
                     conflicting=ident in session.conflicting(),
                     known_senders=glance.released_before(session.messages()),
                     confirmed=ident in session.confirmed_senders())
