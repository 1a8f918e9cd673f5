"""The service road as a ``core.mailbox.Mailbox``: the employee's token for the service's API, never Exchange.

The service serves each employee only their own mail from its store (org-service.md §2) and decides what
they may do; this adapter turns its items into the app's ``QuarantinedMessage`` so the same decision
table (core/decision.py) and the same window, tray and CLI work on both roads. Defence in depth: an
item whose recipient is not one of the account's addresses is dropped, whatever the service sent.

Listings come from the service's own store (Exchange is never asked). A full listing keeps a mirror of
the items and the service's changes cursor; a "changes" check (``list_changes``, the tray's regular
check) then asks only what changed since the cursor (nothing, when idle: a tiny answer), applies it to
the mirror, and answers from the mirror, so an idle check costs a few bytes instead of the whole list.
The fallback poll (``changes``) goes through the same cursor and mirror.
Details are one call (preview, headers, sender checks), kept a short while so the session's separate
``preview`` and ``headers`` questions cost one request.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from quarantine_checker.core import errors as e
from quarantine_checker.core.account import UserIdentity
from quarantine_checker.core.history import OUTCOME_WORDS, HistoryEntry
from quarantine_checker.core.mailbox import ListResult, Preview
from quarantine_checker.core.model import QuarantinedMessage, QuarantineType, ReleaseStatus
from quarantine_checker.orgservice.client import API, ServiceClient, message_path

log = logging.getLogger(__name__)

DETAILS_KEPT_SECONDS = 60.0
_EPOCH = datetime.min.replace(tzinfo=UTC)
# The service's per-employee status (core/decision.py's DisplayStatus values) as Exchange's release status.
_STATUS = {
    "released": ReleaseStatus.RELEASED,
    "releasing": ReleaseStatus.PREPARINGTORELEASE,
    "waiting_for_it": ReleaseStatus.REQUESTED,
    "declined": ReleaseStatus.DENIED,
    "failed": ReleaseStatus.ERROR,
}


@dataclass(frozen=True)
class Changes:
    """What the service's changes cursor returned: changed items, ids no longer listed, the next cursor."""

    messages: tuple[QuarantinedMessage, ...]
    removed: tuple[str, ...]
    cursor: str


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _text(value: Any, limit: int = 2000) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _reason(value: Any) -> QuarantineType:
    name = _text(value, 64).upper()
    return QuarantineType.__members__.get(name, QuarantineType.UNKNOWN)


def to_message(item: dict[str, Any], account: UserIdentity) -> QuarantinedMessage | None:
    """One service item as the app's message, or None if it is not readable or not the account's."""
    identity, recipient = item.get("id"), item.get("recipient")
    if not isinstance(identity, str) or not identity or not isinstance(recipient, str):
        return None
    if not account.owns(recipient):
        return None
    raw_rights = item.get("rights")
    rights = raw_rights if isinstance(raw_rights, dict) else {}
    status = _STATUS.get(_text(item.get("status"), 40), ReleaseStatus.NOTRELEASED)
    size = item.get("size")
    return QuarantinedMessage(
        identity=identity,
        received_time=_when(item.get("received")),
        expires=_when(item.get("expires")),
        sender_address=_text(item.get("sender"), 320),
        recipient_address=(recipient.lower(),),
        subject=_text(item.get("subject")),
        size=size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else 0,
        quarantine_type=_reason(item.get("reason")),
        permission_to_release=rights.get("release") is True,
        permission_to_request_release=rights.get("request_release") is True,
        permission_to_preview=rights.get("preview") is True,
        permission_to_delete=rights.get("delete") is True,
        permission_to_view_header=rights.get("view_headers") is True,
        released=status is ReleaseStatus.RELEASED,
        release_status=status,
        recipient_count=1,
    )


class ServiceMailbox:
    """``core.mailbox.Mailbox`` on the service road."""

    def __init__(self, client: ServiceClient, account: UserIdentity,
                 clock: Any = time.monotonic) -> None:
        self.client = client
        self._account = account
        self._clock = clock
        self._lock = threading.Lock()
        self._details: dict[str, tuple[float, dict[str, Any]]] = {}
        self.cursor: str | None = None
        self._mirror: dict[str, QuarantinedMessage] | None = None  # the last full listing, kept current
        self.me: dict[str, Any] | None = None

    @property
    def account(self) -> UserIdentity:
        return self._account

    @property
    def carries_notes(self) -> bool:
        return True

    # --- reading ----------------------------------------------------------------------------------------
    def require_open(self) -> None:
        """Ask the service who we are: proves it is there, speaks /v1/, and accepts our token. The
        addresses it resolved (org-service.md §2.2) become the account's for the ownership check."""
        me = self.client.call("GET", f"{API}/me")
        if not isinstance(me, dict) or not isinstance(me.get("addresses"), list):
            raise e.MalformedResponseError("The organisation service's /v1/me was not understood.")
        addresses = frozenset(a.lower() for a in me["addresses"] if isinstance(a, str))
        with self._lock:
            self.me = me
            self._account = replace(self._account, addresses=self._account.addresses | addresses)

    def _listing(self, cursor: str | None) -> tuple[list[QuarantinedMessage], tuple[str, ...], str, int, int]:
        params = {"cursor": cursor} if cursor is not None else None
        body = self.client.call("GET", f"{API}/messages", params=params)
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise e.MalformedResponseError("The organisation service's listing was not understood.")
        messages, not_mine, malformed = [], 0, 0
        for item in body["items"]:
            message = to_message(item, self._account) if isinstance(item, dict) else None
            if message is not None:
                messages.append(message)
            elif isinstance(item, dict) and isinstance(item.get("recipient"), str):
                not_mine += 1
            else:
                malformed += 1
        if not_mine:
            log.warning("service listing: %d item(s) not for this account dropped", not_mine)
        removed = tuple(r for r in body.get("removed") or () if isinstance(r, str))
        next_cursor = body.get("cursor")
        return messages, removed, str(next_cursor) if next_cursor is not None else "", not_mine, malformed

    def list_messages(self, now: datetime | None = None, *, patient: bool = True) -> ListResult:
        messages, _removed, cursor, not_mine, malformed = self._listing(None)
        messages.sort(key=lambda m: m.received_time or _EPOCH, reverse=True)
        with self._lock:
            self.cursor = cursor or None
            self._mirror = {m.identity: m for m in messages}
        return ListResult(messages, pages=1, dropped_not_mine=not_mine, dropped_malformed=malformed)

    def list_changes(self, since: datetime, *, overlap: timedelta, now: datetime | None = None,
                     patient: bool = True) -> ListResult:
        """Everything received since ``since - overlap``, from the mirror after the cursor's changes."""
        if self.cursor is None or self._mirror is None:
            return self.list_messages(now, patient=patient)
        self.changes()
        start = since - overlap
        start = start if start.tzinfo else start.replace(tzinfo=UTC)
        with self._lock:
            mirror = dict(self._mirror or {})
        recent = [m for m in mirror.values() if m.received_time is None or m.received_time >= start]
        recent.sort(key=lambda m: m.received_time or _EPOCH, reverse=True)
        return ListResult(recent, pages=1)

    def changes(self) -> Changes:
        """Only what changed since the service's cursor (the tray's check and the fallback poll), applied
        to the mirror; the cursor moves on."""
        cursor = self.cursor
        if cursor is None:
            self.list_messages()
            with self._lock:
                return Changes(tuple((self._mirror or {}).values()), (), self.cursor or "")
        messages, removed, next_cursor, _n, _m = self._listing(cursor)
        with self._lock:
            if self._mirror is not None:
                for message in messages:
                    self._mirror[message.identity] = message
                for identity in removed:
                    self._mirror.pop(identity, None)
            self.cursor = next_cursor or cursor
        return Changes(tuple(messages), removed, next_cursor or cursor)

    def get_message(self, identity: str) -> QuarantinedMessage:
        item = self.client.call("GET", message_path(identity))
        message = to_message(item, self._account) if isinstance(item, dict) else None
        if message is None:
            raise e.MessageNotFoundError("Not in this account's quarantine.")
        return message

    def details(self, identity: str) -> dict[str, Any]:
        """Preview, headers and sender checks in one call, kept ``DETAILS_KEPT_SECONDS``."""
        with self._lock:
            hit = self._details.get(identity)
        if hit is not None and self._clock() - hit[0] < DETAILS_KEPT_SECONDS:
            return hit[1]
        body = self.client.call("GET", f"{message_path(identity)}/details")
        if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
            raise e.MalformedResponseError("The organisation service's details were not understood.")
        if not self._account.owns(_text(body["message"].get("recipient"), 320)):
            raise e.MessageNotFoundError("Not in this account's quarantine.")
        with self._lock:
            self._details[identity] = (self._clock(), body)
        return body

    def preview(self, identity: str) -> Preview:
        body = self.details(identity)
        preview = body.get("preview")
        if not isinstance(preview, dict):
            raise _unavailable(body, "preview")
        item = body["message"]
        return Preview(sender=_text(item.get("sender"), 320), recipients=(_text(item.get("recipient"), 320),),
                       subject=_text(item.get("subject")), body=_text(preview.get("body"), 200_000),
                       is_html=preview.get("is_html") is True)

    def headers(self, identity: str) -> str:
        body = self.details(identity)
        headers = body.get("headers")
        if not isinstance(headers, str):
            raise _unavailable(body, "headers")
        return headers

    def history(self) -> list[HistoryEntry]:
        body = self.client.call("GET", f"{API}/history")
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise e.MalformedResponseError("The organisation service's history was not understood.")
        out = []
        for item in body["items"]:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            if not self._account.owns(_text(item.get("recipient"), 320)):
                continue
            out.append(HistoryEntry(item["id"], _when(item.get("received")), _text(item.get("sender"), 320),
                                    _text(item.get("subject")), _reason(item.get("reason")),
                                    _outcome(item.get("outcome")), _when(item.get("outcome_at"))))
        return out

    # --- acting ------------------------------------------------------------------------------------------
    def _forget(self, identity: str) -> None:
        with self._lock:
            self._details.pop(identity, None)

    def release(self, identity: str, *, report_false_positive: bool = False) -> None:
        self._forget(identity)
        self.client.call("POST", f"{message_path(identity)}/release",
                         json={"report_not_junk": report_false_positive}, idempotent=False)

    def request_release(self, identity: str, *, note: str = "") -> None:
        self._forget(identity)
        self.client.call("POST", f"{message_path(identity)}/request-release", json={"note": note[:1000]},
                         idempotent=False)

    def delete(self, identity: str) -> None:
        self._forget(identity)
        self.client.call("DELETE", message_path(identity), idempotent=False)


def _outcome(value: Any) -> str:
    return value if isinstance(value, str) and value in OUTCOME_WORDS else "held"


def _unavailable(body: dict[str, Any], part: str) -> e.QuarantineCheckerError:
    raw_unavailable = body.get("unavailable")
    unavailable = raw_unavailable if isinstance(raw_unavailable, dict) else {}
    code = unavailable.get(part)
    if code == "not_permitted":
        return e.ForbiddenActionError(f"The {part} is not available for this message.", service_code=code)
    if code == "exchange_busy":
        return e.ThrottledError("Microsoft 365 is busy.", service_code=code)
    return e.OrgServiceError(f"The service could not get the {part}.", service_code=_text(code, 64) or None)
