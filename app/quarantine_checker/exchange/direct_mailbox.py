"""The direct road as a ``Mailbox``: the employee's own token on Exchange's InvokeCommand.

A thin adapter over the one ``ExoClient`` of the signed-in account: everything it does is the client's
(own mail only, the command guard, typed errors). What the direct road cannot do is said here: Exchange
has no field for a note with a release request, so a note is dropped (``carries_notes`` is False and
the UI does not offer one).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from quarantine_checker.core.account import UserIdentity
from quarantine_checker.core.mailbox import ListResult, Preview
from quarantine_checker.core.model import QuarantinedMessage
from quarantine_checker.exchange.client import ExoClient
from quarantine_checker.exchange.direct_road import require_direct_road

log = logging.getLogger(__name__)


class DirectMailbox:
    """``core.mailbox.Mailbox`` on the direct road."""

    def __init__(self, client: ExoClient) -> None:
        self.client = client

    @property
    def account(self) -> UserIdentity:
        return self.client.identity

    @property
    def carries_notes(self) -> bool:
        return False

    def require_open(self) -> None:
        """Raise ``NoDirectAccessError`` unless this account may run the quarantine cmdlets (asked once
        after sign-in, exchange/direct_road.py)."""
        require_direct_road(self.client)

    def list_messages(self, now: datetime | None = None, *, patient: bool = True) -> ListResult:
        return self.client.list_messages(now, patient=patient)

    def list_changes(self, since: datetime, *, overlap: timedelta, now: datetime | None = None,
                     patient: bool = True) -> ListResult:
        return self.client.list_changes(since, overlap=overlap, now=now, patient=patient)

    def get_message(self, identity: str) -> QuarantinedMessage:
        return self.client.get_message(identity)

    def preview(self, identity: str) -> Preview:
        return self.client.preview(identity)

    def headers(self, identity: str) -> str:
        return self.client.headers(identity)

    def release(self, identity: str, *, report_false_positive: bool = False) -> None:
        self.client.release(identity, report_false_positive=report_false_positive)

    def request_release(self, identity: str, *, note: str = "") -> None:
        if note:
            log.info("request release: the direct road has no field for a note; not sent")
        self.client.request_release(identity)

    def delete(self, identity: str) -> None:
        self.client.delete(identity)
