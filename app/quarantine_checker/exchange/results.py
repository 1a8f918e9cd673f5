"""Plain results the client hands back (no HTTP types leak out of exchange/)."""

from __future__ import annotations

from dataclasses import dataclass, field

from quarantine_checker.core.model import QuarantinedMessage


@dataclass(frozen=True)
class ListResult:
    """One listing of the signed-in user's quarantine, newest first.

    The counts say what was left out and why, so the UI can be honest ("some messages could not
    be read") without the log ever holding their content. ``truncated`` means there may be more
    than we fetched (page cap reached, or the service cut a page short with @odata.nextLink).
    """

    messages: list[QuarantinedMessage]
    pages: int
    truncated: bool = False
    dropped_not_mine: int = 0
    dropped_malformed: int = 0
    dropped_expired_or_other_entity: int = 0
    dropped_duplicates: int = 0
    # Identities the service sent more than once with different status, permissions, reason or expiry.
    # Their message holds the most restrictive reading (core/conflicts.py); say the state is uncertain.
    conflicting: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str = ""
    size: int | None = None


@dataclass(frozen=True)
class Preview:
    """What Preview-QuarantineMessage returned. ``body`` is untrusted: render as plain text or
    sanitised HTML with links and remote content disabled."""

    sender: str
    recipients: tuple[str, ...]
    subject: str
    body: str
    is_html: bool
    cc: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = field(default=())
