"""ExoClient: the signed-in employee's own quarantine, through InvokeCommand.

The one class the rest of the app talks to (spec §8.1), so the transport can be swapped if
Microsoft changes the wire format. Own-mail-only is enforced in three layers (spec §8.3):
``MyItems: true`` on every list call (the guard refuses a list call without it), no foreign
RecipientAddress/User/ReleaseToAll ever (the guard again), and a client-side recipient filter.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from quarantine_checker.core.account import TokenProvider, UserIdentity
from quarantine_checker.core.conflicts import disagree, most_restrictive
from quarantine_checker.core.errors import ConfigurationError, MalformedResponseError, MessageNotFoundError
from quarantine_checker.core.model import EntityType, QuarantinedMessage, parse_message, parse_messages
from quarantine_checker.exchange import guard
from quarantine_checker.exchange.results import Attachment, ListResult, Preview
from quarantine_checker.exchange.retry import RetryPolicy
from quarantine_checker.exchange.transport import Timeouts, Transport

log = logging.getLogger(__name__)

WINDOW = timedelta(days=30)  # the service's maximum look-back; its default is only 16 days
CHANGES_OVERLAP = timedelta(minutes=10)
CLOCK_SLACK = timedelta(hours=1)  # end of a changes window past "now": our clock may lag the service's


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def iso_utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _values(payload: dict[str, Any], cmdlet: str) -> list[Any]:
    """The reply's ``value`` array. Missing, null or empty all mean "nothing", but only inside the
    service's own envelope (``@odata.context``, spec §5.4): any other body, or a ``value`` that is not an
    array (an object, a string), is unreadable. A false "nothing is held" is worse than a failed check."""
    if not isinstance(payload.get("@odata.context"), str):
        raise MalformedResponseError("Exchange Online sent a reply we cannot read",
                                     cmdlet=cmdlet, reason="no @odata.context envelope")
    value = payload.get("value")
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedResponseError("Exchange Online sent a reply we cannot read",
                                     cmdlet=cmdlet, reason=f"value is a {type(value).__name__}, not a list")
    return value


def is_mine(message: QuarantinedMessage, identity: UserIdentity) -> bool:
    return any(isinstance(addr, str) and identity.owns(addr) for addr in message.recipient_address)


def filter_own(
    messages: Iterable[QuarantinedMessage], identity: UserIdentity
) -> tuple[list[QuarantinedMessage], int]:
    """Keep only messages with one of ``identity``'s addresses among the recipients."""
    kept: list[QuarantinedMessage] = []
    dropped = 0
    for message in messages:
        if is_mine(message, identity):
            kept.append(message)
        else:
            dropped += 1
    return kept, dropped


def can_use_quarantine(capabilities: set[str]) -> bool:
    """True if the user's session exports both cmdlets the app cannot work without (spec §8.9)."""
    lowered = {c.lower() for c in capabilities}
    return guard.GET.lower() in lowered and guard.RELEASE.lower() in lowered


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _addresses(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(a.strip() for a in value.replace(";", ",").split(",") if a.strip())
    if isinstance(value, list):
        return tuple(a for a in value if isinstance(a, str) and a)
    return ()


def _attachments(value: Any) -> tuple[Attachment, ...]:
    # The wire shape is not documented (spec §9.9): accept names or objects, drop the rest.
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out: list[Attachment] = []
    for item in items:
        if isinstance(item, str) and item:
            out.append(Attachment(name=item))
        elif isinstance(item, dict):
            name = _text(item.get("name") or item.get("Name") or item.get("FileName"))
            ctype = _text(item.get("content_type") or item.get("ContentType"))
            size = item.get("size", item.get("Size"))
            out.append(Attachment(name=name, content_type=ctype,
                                  size=size if type(size) is int and size >= 0 else None))
    return tuple(out)


class ExoClient:
    """Everything the app may do with the signed-in user's quarantine. Raises only typed errors."""

    def __init__(
        self,
        base_url: str,
        tenant_id: str,
        identity: UserIdentity,
        tokens: TokenProvider,
        *,
        session: requests.Session | None = None,
        ca_bundle: str | Path | None = None,
        page_size: int = 1000,
        max_pages: int = 50,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        total_timeout: float = 90.0,
        rate_limit_per_second: float | None = 1.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if type(page_size) is not int or not 1 <= page_size <= 1000:
            raise ConfigurationError("page_size must be from 1 to 1000", page_size=str(page_size))
        if type(max_pages) is not int or not 1 <= max_pages <= 1000:
            raise ConfigurationError("max_pages must be from 1 to 1000", max_pages=str(max_pages))
        self.identity = identity
        self.page_size = page_size
        self.max_pages = max_pages
        self.transport = Transport(
            base_url, tenant_id, identity.upn, tokens, session=session, ca_bundle=ca_bundle,
            timeouts=Timeouts(connect=connect_timeout, read=read_timeout, total=total_timeout),
            rate_limit_per_second=rate_limit_per_second, retry=retry, sleep=sleep,
        )

    # ------------------------------------------------------------------------------------ listing
    def list_messages(self, now: datetime | None = None, *, patient: bool = True) -> ListResult:
        """The last 30 days. ``patient=False``: a 429 is reported at once (ThrottledError with the
        server's Retry-After) instead of being waited out here; the caller paces itself."""
        now = _aware(now or datetime.now(UTC))
        return self._list(now - WINDOW, now, now, patient=patient)

    def list_changes(self, since: datetime, *, overlap: timedelta = CHANGES_OVERLAP,
                     now: datetime | None = None, patient: bool = True) -> ListResult:
        """Only what may have changed: messages received from ``since - overlap`` on.

        The background checker's cheap question (one request while fewer than ``page_size`` messages
        arrived). ``overlap`` covers mail that shows up in quarantine some time after its ReceivedTime.
        The end of the window is a little in the future, so a computer clock running behind the
        service's can't hide a new message. The same guard applies as for a full listing: MyItems,
        an explicit window, nothing else.
        """
        now = _aware(now or datetime.now(UTC))
        if overlap < timedelta(0):
            raise ConfigurationError("overlap must not be negative", overlap=str(overlap))
        start = max(_aware(since) - overlap, now - WINDOW)
        return self._list(min(start, now), now + CLOCK_SLACK, now, patient=patient)

    def _list(self, start_at: datetime, end_at: datetime, now: datetime, *,
              patient: bool = True) -> ListResult:
        start, end = iso_utc(start_at), iso_utc(end_at)
        seen: set[str] = set()
        kept: list[QuarantinedMessage] = []
        position: dict[str, int] = {}
        conflicting: set[str] = set()
        malformed = not_mine = other = duplicates = 0
        truncated = False
        pages = 0
        for page in range(1, self.max_pages + 1):
            payload = self.transport.invoke(guard.GET, {
                "MyItems": True, "StartReceivedDate": start, "EndReceivedDate": end,
                "PageSize": self.page_size, "Page": page,
            }, idempotent=True, throttle_attempts=None if patient else 1)
            pages = page
            values = _values(payload, guard.GET)
            if "@odata.nextLink" in payload:
                # The service cut this page short (spec §5.5). Paging on with Page=N+1 would skip
                # the rows in between, so stop here and say the list may be incomplete.
                log.warning("Get-QuarantineMessage page %d carried @odata.nextLink; marked truncated", page)
                truncated = True
            messages, bad = parse_messages(values)
            malformed += bad
            mine, foreign = filter_own(messages, self.identity)
            not_mine += foreign
            for message in mine:
                if message.identity in seen:  # rows shift between pages when new mail arrives
                    duplicates += 1
                    pos = position.get(message.identity)
                    if pos is not None and disagree(kept[pos], message):
                        # Two readings of one message: neither is known to be current, so act only
                        # on what both allow, and say so.
                        kept[pos] = most_restrictive(kept[pos], message)
                        conflicting.add(message.identity)
                    continue
                seen.add(message.identity)
                if message.entity_type is not EntityType.EMAIL or message.is_expired(now):
                    other += 1
                    continue
                position[message.identity] = len(kept)
                kept.append(message)
            if truncated or len(values) < self.page_size:
                break
        else:
            truncated = True  # every page was full up to the cap: there may be more
            log.warning("Get-QuarantineMessage stopped at the page cap (%d pages)", self.max_pages)
        minimum = datetime.min.replace(tzinfo=UTC)
        kept.sort(key=lambda m: m.received_time or minimum, reverse=True)
        log.info("listed %d own messages in %d page(s); dropped: %d not mine, %d malformed, "
                 "%d expired/other entity, %d duplicates (%d disagreeing); truncated=%s",
                 len(kept), pages, not_mine, malformed, other, duplicates, len(conflicting), truncated)
        return ListResult(messages=kept, pages=pages, truncated=truncated, dropped_not_mine=not_mine,
                          dropped_malformed=malformed, dropped_expired_or_other_entity=other,
                          dropped_duplicates=duplicates, conflicting=frozenset(conflicting))

    def get_message(self, identity: str) -> QuarantinedMessage:
        """Re-read one message (after an action, to show the new status)."""
        payload = self.transport.invoke(guard.GET, {"Identity": identity}, idempotent=True)
        # A non-existent Identity can make the service return *everything* (spec §2.1): only
        # an exact match that is ours counts. Several exact matches that disagree are merged into
        # the most restrictive reading, never the first one picked.
        found: QuarantinedMessage | None = None
        for record in _values(payload, guard.GET):
            if isinstance(record, dict) and _text(record.get("Identity")).lower() == identity.lower():
                message = self._parse_one(record)
                if message is None or not is_mine(message, self.identity):
                    continue
                if found is not None and disagree(found, message):
                    log.warning("Get-QuarantineMessage returned disagreeing copies of one message")
                    message = most_restrictive(found, message)
                elif found is not None:
                    continue
                found = message
        if found is not None:
            return found
        raise MessageNotFoundError("This message is no longer in your quarantine", cmdlet=guard.GET)

    @staticmethod
    def _parse_one(record: dict[str, Any]) -> QuarantinedMessage | None:
        try:
            return parse_message(record)
        except MalformedResponseError:
            log.info("Get-QuarantineMessage returned a record the model could not read")
            return None

    # ------------------------------------------------------------------------------------ actions
    def release(self, identity: str, *, report_false_positive: bool = False) -> None:
        """Release to myself (IdentityOnly set). Re-read with get_message to see the new status."""
        params: dict[str, Any] = {"Identity": identity}
        if report_false_positive:
            params["ReportFalsePositive"] = True
        self.transport.invoke(guard.RELEASE, params, idempotent=False)

    def request_release(self, identity: str) -> None:
        """Ask IT to release. Spec §9.3 is OPEN on the body; we send the Identities set with the
        real id in Identity too (not the "000" placeholder), which the docs' rule ("Identity is
        required, value ignored") accepts and which still works if a backend honours Identity."""
        self.transport.invoke(guard.RELEASE, {"Identities": [identity], "Identity": identity,
                                              "ActionType": "Request"}, idempotent=False)

    def delete(self, identity: str) -> None:
        """Soft delete (no HardDelete): the service keeps it recoverable."""
        self.transport.invoke(guard.DELETE, {"Identity": identity}, idempotent=False)

    def preview(self, identity: str) -> Preview:
        payload = self.transport.invoke(guard.PREVIEW, {"Identity": identity}, idempotent=True)
        record = self._first_record(payload, guard.PREVIEW, identity)
        return Preview(
            sender=_text(record.get("SenderAddress")),
            recipients=_addresses(record.get("RecipientAddress")),
            subject=_text(record.get("Subject")),
            body=_text(record.get("Body")),
            is_html=record.get("IsHtml") is True,
            cc=_addresses(record.get("Cc")),
            attachments=_attachments(record.get("Attachment", record.get("Attachments"))),
        )

    def headers(self, identity: str) -> str:
        payload = self.transport.invoke(guard.HEADER, {"Identity": identity}, idempotent=True)
        record = self._first_record(payload, guard.HEADER, identity)
        header = record.get("Header")
        if not isinstance(header, str):
            raise MalformedResponseError("Exchange Online sent headers we cannot read", cmdlet=guard.HEADER,
                                         reason="no Header text")
        return header

    @staticmethod
    def _first_record(payload: dict[str, Any], cmdlet: str, identity: str) -> dict[str, Any]:
        """The record for ``identity``. A record naming another Identity is never shown (a bad id can
        make these cmdlets return every object, spec §2.4)."""
        records = [r for r in _values(payload, cmdlet) if isinstance(r, dict)]
        for record in records:
            named = record.get("Identity")
            if isinstance(named, str) and named.lower() == identity.lower():
                return record
        if len(records) == 1 and records[0].get("Identity") in (None, ""):
            return records[0]
        if not records and _values(payload, cmdlet):
            raise MalformedResponseError("Exchange Online sent a reply we cannot read", cmdlet=cmdlet,
                                         reason="record is not an object")
        raise MessageNotFoundError("This message is no longer in your quarantine", cmdlet=cmdlet)

    # ----------------------------------------------------------------------------- capabilities
    def capabilities(self) -> set[str]:
        """Cmdlet names this user's session exports, from EXOModuleFile (spec §5.8)."""
        payload = self.transport.module_file()
        names: set[str] = set()
        for entry in _values(payload, "EXOModuleFile"):
            exported = entry.get("exportedCmdlets") if isinstance(entry, dict) else None
            if isinstance(exported, str):
                names.update(n.strip() for n in exported.split(",") if n.strip())
            elif isinstance(exported, list):
                names.update(n.strip() for n in exported if isinstance(n, str) and n.strip())
        log.info("EXOModuleFile lists %d cmdlets", len(names))
        return names
