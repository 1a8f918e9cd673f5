"""The service's calls to Exchange, app-only, over the shared transport (paging, redirects, retries and
error parsing are the desktop's, quarantine_checker/exchange/transport.py).

Every call goes through ``exchange_guard.check`` with the employee's addresses when it is made for one
employee, then through the transport's own last check (``check_shape``) before a byte is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from quarantine_checker.core.account import TokenProvider
from quarantine_checker.core.errors import MalformedResponseError, MessageNotFoundError
from quarantine_checker.exchange.guard import DELETE, GET, HEADER, PREVIEW, RELEASE
from quarantine_checker.exchange.transport import Timeouts, Transport
from quarantine_service import exchange_guard
from quarantine_service.config import ServiceConfig
from quarantine_service.permissions import PolicyInfo

log = logging.getLogger(__name__)


def values(payload: dict[str, Any], cmdlet: str) -> list[Any]:
    """``value`` may be missing, null or empty inside the service's own envelope (§5.4)."""
    value = payload.get("value")
    if value is None:
        if "@odata.context" not in payload and "value" not in payload:
            raise MalformedResponseError("Exchange Online sent a reply we cannot read", cmdlet=cmdlet,
                                         reason="no value and no envelope")
        return []
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise MalformedResponseError("Exchange Online sent a reply we cannot read", cmdlet=cmdlet,
                                     reason="value is not a list")
    return value


@dataclass(frozen=True)
class RecipientInfo:
    object_id: str
    display_name: str
    primary_address: str
    addresses: tuple[str, ...]  # lower case, primary first


def _smtp_addresses(record: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    primary = record.get("PrimarySmtpAddress")
    primary = primary.strip().lower() if isinstance(primary, str) else ""
    found: list[str] = [primary] if primary else []
    raw = record.get("EmailAddresses")
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, str):
            continue
        prefix, _, address = item.partition(":")
        if not address:
            continue
        if prefix.lower() != "smtp":  # X500:, SIP:, SPO: ... are not mail addresses
            continue
        if prefix == "SMTP" and not primary:
            primary = address.strip().lower()
        found.append(address.strip().lower())
    ordered = tuple(dict.fromkeys(a for a in found if "@" in a and len(a) <= 320))
    if primary and ordered and ordered[0] != primary:
        ordered = (primary, *[a for a in ordered if a != primary])
    return primary, ordered


class ServiceExchange:
    def __init__(self, config: ServiceConfig, tokens: TokenProvider, session: requests.Session, *,
                 rate_limit_per_second: float | None = None, sleep: Any = None) -> None:
        kwargs: dict[str, Any] = {}
        if sleep is not None:
            kwargs["sleep"] = sleep
        self.transport = Transport(
            config.exchange_url, config.tenant_id, "", tokens, session=session,
            timeouts=Timeouts(connect=10, read=60), check=exchange_guard.check_shape,
            anchor_mailbox=config.anchor_mailbox,
            rate_limit_per_second=rate_limit_per_second if rate_limit_per_second is not None
            else config.exchange_rate_limit_per_second,
            **kwargs,
        )

    def _invoke(self, cmdlet: str, params: dict[str, Any], *, idempotent: bool,
                acting_for: Collection[str] | None = None) -> dict[str, Any]:
        exchange_guard.check(cmdlet, params, acting_for)
        return self.transport.invoke(cmdlet, params, idempotent=idempotent)

    # ------------------------------------------------------------------------------- the sweep
    def list_page(self, start: str, end: str, page: int, page_size: int) -> tuple[list[Any], bool]:
        """One page of the tenant's quarantine: (records, truncated-by-the-server)."""
        payload = self._invoke(GET, {"StartReceivedDate": start, "EndReceivedDate": end,
                                     "PageSize": page_size, "Page": page}, idempotent=True)
        return values(payload, GET), "@odata.nextLink" in payload

    def get(self, identity: str) -> dict[str, Any]:
        payload = self._invoke(GET, {"Identity": identity}, idempotent=True)
        # A non-existent Identity can return *everything* (§2.1): only an exact match counts.
        for record in values(payload, GET):
            if isinstance(record, dict) and str(record.get("Identity", "")).lower() == identity.lower():
                return record
        raise MessageNotFoundError("The message is no longer in quarantine", cmdlet=GET)

    def policies(self) -> dict[str, PolicyInfo]:
        payload = self._invoke(exchange_guard.GET_POLICY, {}, idempotent=True)
        found: dict[str, PolicyInfo] = {}
        for record in values(payload, exchange_guard.GET_POLICY):
            if not isinstance(record, dict):
                continue
            name, bits = record.get("Name"), record.get("EndUserQuarantinePermissionsValue")
            if not isinstance(name, str) or not name or type(bits) is not int or not 0 <= bits <= 255:
                continue  # an unreadable policy stays unknown: messages under it fail closed
            found[name] = PolicyInfo(name, bits, record.get("ESNEnabled") is True)
        return found

    def recipient(self, object_id: str) -> RecipientInfo | None:
        """The person with this Entra object id, and every SMTP address that is theirs."""
        try:
            payload = self._invoke(exchange_guard.GET_RECIPIENT, {"Identity": object_id}, idempotent=True)
        except MessageNotFoundError:
            return None
        for record in values(payload, exchange_guard.GET_RECIPIENT):
            if not isinstance(record, dict):
                continue
            # Only the record that really is this object id: never the first of a broader answer.
            if str(record.get("ExternalDirectoryObjectId", "")).lower() != object_id:
                continue
            primary, addresses = _smtp_addresses(record)
            if not addresses:
                return None
            name = record.get("DisplayName")
            return RecipientInfo(object_id, name if isinstance(name, str) else "", primary or addresses[0],
                                 addresses)
        return None

    # ------------------------------------------------------------------------- for one employee
    def release(self, identity: str, address: str, acting_for: Collection[str], *,
                report_false_positive: bool = False) -> None:
        params: dict[str, Any] = {"Identity": identity, "User": [address]}
        if report_false_positive:
            params["ReportFalsePositive"] = True
        self._invoke(RELEASE, params, idempotent=False, acting_for=acting_for)

    def request_release(self, identity: str, address: str, acting_for: Collection[str]) -> None:
        self._invoke(RELEASE, {"Identities": [identity], "Identity": identity, "ActionType": "Request",
                               "User": [address]}, idempotent=False, acting_for=acting_for)

    def deny(self, identity: str, address: str) -> None:
        self._invoke(RELEASE, {"Identities": [identity], "Identity": identity, "ActionType": "Deny"},
                     idempotent=False, acting_for=[address])

    def delete(self, identity: str, address: str, acting_for: Collection[str]) -> None:
        self._invoke(DELETE, {"Identity": identity, "RecipientAddress": [address]}, idempotent=False,
                     acting_for=acting_for)

    def preview(self, identity: str) -> dict[str, Any]:
        return self._one(PREVIEW, identity)

    def header(self, identity: str) -> str:
        record = self._one(HEADER, identity)
        header = record.get("Header")
        if not isinstance(header, str):
            raise MalformedResponseError("Exchange Online sent headers we cannot read", cmdlet=HEADER)
        return header

    def _one(self, cmdlet: str, identity: str) -> dict[str, Any]:
        payload = self._invoke(cmdlet, {"Identity": identity}, idempotent=True)
        records = [r for r in values(payload, cmdlet) if isinstance(r, dict)]
        for record in records:
            if str(record.get("Identity", "")).lower() == identity.lower():
                return record
        if len(records) == 1 and records[0].get("Identity") in (None, ""):
            return records[0]
        raise MessageNotFoundError("The message is no longer in quarantine", cmdlet=cmdlet)
