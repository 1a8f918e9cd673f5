"""The one boundary between the app and a quarantine: what the window, the tray and the CLI may ask.

There are two roads to the same mailbox (org-service.md §1): **direct** (the employee's own token on
Exchange's InvokeCommand, exchange/direct_mailbox.py) and **service** (the organisation service IT
deploys). Both implement ``Mailbox``; nothing above it knows which road it is on. ``MailboxSession``
(core/mailbox_session.py) sits on top: one per signed-in account, owning the listing, the caches and
what happens after an action.

The results here are plain data (no HTTP types): a listing, a preview, the raw headers. Sender checks
are worked out from the headers in ``core.sender_checks``, the same way for both roads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from quarantine_checker.core.model import QuarantinedMessage

if TYPE_CHECKING:
    from quarantine_checker.core.account import UserIdentity
    from quarantine_checker.core.decision import Action
    from quarantine_checker.core.sender_checks import SenderReport


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
    """What the mailbox returned as the message's content. ``body`` is untrusted: render as plain text
    or sanitised HTML with links and remote content disabled."""

    sender: str
    recipients: tuple[str, ...]
    subject: str
    body: str
    is_html: bool
    cc: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = field(default=())


@dataclass(frozen=True)
class SenderCheck:
    """A message's raw headers (for IT) and what the sender checks made of them."""

    headers: str
    report: SenderReport


class Mailbox(Protocol):
    """One signed-in person's quarantine on one road. Blocking calls: run them off the UI thread.

    Every method raises only ``core.errors`` types. ``patient=False`` asks a listing not to wait out
    throttling inside the call (the caller paces itself, honouring ``ThrottledError.retry_after``).
    """

    @property
    def account(self) -> UserIdentity: ...

    def require_open(self) -> None:
        """The capability probe, asked once after sign-in: raise ``NoDirectAccessError`` if this road
        is closed for the account; let any other error through (nothing is concluded from it)."""
        ...

    def list_messages(self, now: datetime | None = None, *, patient: bool = True) -> ListResult:
        """Everything held for the account (the last 30 days)."""
        ...

    def list_changes(self, since: datetime, *, overlap: timedelta, now: datetime | None = None,
                     patient: bool = True) -> ListResult:
        """Only what may have changed since the cursor ``since`` (minus ``overlap`` for late arrivals)."""
        ...

    def get_message(self, identity: str) -> QuarantinedMessage: ...

    def preview(self, identity: str) -> Preview: ...

    def headers(self, identity: str) -> str: ...

    def release(self, identity: str, *, report_false_positive: bool = False) -> None: ...

    def request_release(self, identity: str, *, note: str = "") -> None:
        """Ask IT to release. ``note`` is for IT; a road that cannot carry it drops it (and says so
        in ``carries_notes``)."""
        ...

    def delete(self, identity: str) -> None: ...

    @property
    def carries_notes(self) -> bool: ...


class ChangeKind(StrEnum):
    LISTED = "listed"            # a full listing replaced the session's listing
    UPDATED = "updated"          # these messages have a new version (a check, or a re-read after an action)
    REMOVED = "removed"          # these messages are gone (deleted here, or no longer listed)
    SENT = "sent"                # the app sent this action for these messages (release, request, delete)
    DETAILS = "details"          # a preview or sender check arrived for one message
    FAILED = "failed"            # a listing failed (``error`` says why)


@dataclass(frozen=True)
class Change:
    """What a ``MailboxSession`` tells its observers. Observers are called on the thread that made the
    change (usually a worker): a UI hands it over to its own thread (ui/session_bridge.py)."""

    kind: ChangeKind
    messages: tuple[QuarantinedMessage, ...] = ()
    identities: tuple[str, ...] = ()
    action: Action | None = None
    listing: ListResult | None = None
    error: BaseException | None = None
    full: bool = False           # UPDATED from a listing that covered everything (a full listing)
    at: datetime | None = None   # when the listing or re-read was taken
