"""What the emulated quarantine cmdlets do (spec §2, §4), independent of HTTP.

Errors use the real-world phrasings of spec §5.6 so that client error mapping is exercised:
"Cannot find an object with identity", "release request ... already", "already ... released",
"already ... denied", "has expired", "not authorized", "is not valid. Please input a valid message identity".
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import logging
import re
from collections.abc import Mapping
from typing import Any

from quarantine_checker.demo.directory import DemoUser
from quarantine_checker.demo.policies import (
    end_user_may_release,
    end_user_may_request,
    permissions_for,
)
from quarantine_checker.demo.policy_listing import PolicyNotFound, get_quarantine_policy
from quarantine_checker.demo.recipients import RecipientNotFound, get_recipient
from quarantine_checker.demo.store import DAY, RELEASED_STATES, QuarantineStore, Query, Rec, UnknownMessage
from quarantine_checker.demo.wire import annotate, parse_time

log = logging.getLogger("quarantine_checker.demo.exchange")

T_NOT_FOUND = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
T_OPERATION = "Microsoft.Exchange.Management.FfoQuarantine.QuarantineOperationException"
T_DENIED = "System.UnauthorizedAccessException"
T_BINDING = "System.Management.Automation.ParameterBindingException"
T_VALIDATION = "System.Management.Automation.ValidationMetadataException"
T_IDENTITY = "System.ArgumentException"
T_COMMAND_NOT_FOUND = "System.Management.Automation.CommandNotFoundException"

IDENTITY_RE = re.compile(
    r"^[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\\"
    r"[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$"
)

END_USER_CMDLETS = (
    "Get-QuarantineMessage",
    "Release-QuarantineMessage",
    "Preview-QuarantineMessage",
    "Get-QuarantineMessageHeader",
    "Delete-QuarantineMessage",
)
ADMIN_CMDLETS = (*END_USER_CMDLETS, "Export-QuarantineMessage", "Get-QuarantinePolicy", "Get-Recipient")

_GET_COMMON = ("EntityType", "RecipientAddress", "SenderAddress", "TeamsConversationTypes")
_GET_SUMMARY = (
    "Direction",
    "Domain",
    "StartReceivedDate",
    "EndReceivedDate",
    "StartExpiresDate",
    "EndExpiresDate",
    "IncludeMessagesFromBlockedSenderAddress",
    "MessageId",
    "MyItems",
    "Page",
    "PageSize",
    "PolicyName",
    "PolicyTypes",
    "QuarantineTypes",
    "RecipientTag",
    "ReleaseStatus",
    "Reported",
    "Subject",
    "Type",
)
PARAMETERS: dict[str, tuple[str, ...]] = {
    "Get-QuarantineMessage": ("Identity", *_GET_COMMON, *_GET_SUMMARY),
    "Release-QuarantineMessage": (
        "Identity",
        "Identities",
        "ActionType",
        "ReleaseToAll",
        "User",
        "AllowSender",
        "Force",
        "ReportFalsePositive",
        "Confirm",
        "WhatIf",
        "EntityType",
    ),
    "Preview-QuarantineMessage": ("Identity", "EntityType", "RecipientAddress"),
    "Get-QuarantineMessageHeader": ("Identity", "EntityType", "RecipientAddress"),
    "Delete-QuarantineMessage": (
        "Identity",
        "Identities",
        "EntityType",
        "HardDelete",
        "RecipientAddress",
        "Confirm",
        "WhatIf",
    ),
    "Export-QuarantineMessage": (
        "Identity",
        "Identities",
        "CompressOutput",
        "EntityType",
        "ForceConversionToMime",
        "Password",
        "PasswordV2",
        "ReasonForExport",
        "RecipientAddress",
    ),
    "Get-QuarantinePolicy": ("Identity", "QuarantinePolicyType", "DomainController"),
    "Get-Recipient": ("Identity", "ResultSize", "RecipientTypeDetails"),
}
CANONICAL_CMDLETS = {name.lower(): name for name in PARAMETERS}
RELEASE_STATUSES = (
    "APPROVED",
    "DENIED",
    "ERROR",
    "NOTRELEASED",
    "PREPARINGTORELEASE",
    "RELEASED",
    "REQUESTED",
)


class CmdletError(Exception):
    """A cmdlet failure: becomes the §5.6 JSON error envelope (HTTP 400)."""

    def __init__(self, message: str, type_name: str = T_OPERATION) -> None:
        super().__init__(message)
        self.message = message
        self.type_name = type_name


class CmdletForbidden(Exception):
    """The caller may not run this cmdlet at all: HTTP 403 with a non-JSON body, as live."""


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "..."


# --- parameter binding ------------------------------------------------------------------------------
def bind(cmdlet: str, params: Mapping[str, Any]) -> dict[str, Any]:
    allowed = {p.lower(): p for p in PARAMETERS[cmdlet]}
    bound: dict[str, Any] = {}
    for key, value in params.items():
        canonical = allowed.get(str(key).lower())
        if canonical is None:
            raise CmdletError(
                f"A parameter cannot be found that matches parameter name '{_shown(key)}'.", T_BINDING
            )
        bound[canonical] = value
    return bound


def _int(name: str, value: Any, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise CmdletError(
            f"Cannot process argument transformation on parameter '{name}'. Cannot convert value "
            f'"{_shown(value)}" to type "System.Int32".',
            T_BINDING,
        )
    try:
        return int(value)
    except ValueError:
        raise CmdletError(
            f"Cannot process argument transformation on parameter '{name}'. Cannot convert value "
            f'"{_shown(value)}" to type "System.Int32".',
            T_BINDING,
        ) from None


def _range(name: str, value: int, low: int, high: int) -> None:
    if value < low:
        raise CmdletError(
            f"Cannot validate argument on parameter '{name}'. The {value} argument is less than "
            f"the minimum allowed range of {low}. Supply an argument that is greater than or equal "
            f"to {low} and then try the command again.",
            T_VALIDATION,
        )
    if value > high:
        raise CmdletError(
            f"Cannot validate argument on parameter '{name}'. The {value} argument is greater than "
            f"the maximum allowed range of {high}. Supply an argument that is less than or equal to "
            f"{high} and then try the command again.",
            T_VALIDATION,
        )


def _date(name: str, value: Any) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return parse_time(value)
    except (TypeError, ValueError):
        raise CmdletError(
            f"Cannot process argument transformation on parameter '{name}'. Cannot convert value "
            f'"{_shown(value)}" to type "System.DateTime".',
            T_BINDING,
        ) from None


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


def _strings(name: str, value: Any) -> list[str] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise CmdletError(f"Cannot process argument transformation on parameter '{name}'.", T_BINDING)
    return items


def _switch(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


# --- the cmdlets ------------------------------------------------------------------------------------
class Cmdlets:
    def __init__(self, store: QuarantineStore) -> None:
        self.store = store

    def exported_for(self, caller: DemoUser) -> tuple[str, ...]:
        return ADMIN_CMDLETS if caller.is_admin else END_USER_CMDLETS

    def run(self, caller: DemoUser, cmdlet: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        name = CANONICAL_CMDLETS.get(cmdlet.lower())
        if name is None or (name not in self.exported_for(caller) and name != "Export-QuarantineMessage"):
            raise CmdletForbidden(cmdlet)
        bound = bind(name, params)
        handler = {
            "Get-QuarantineMessage": self.get,
            "Release-QuarantineMessage": self.release,
            "Preview-QuarantineMessage": self.preview,
            "Get-QuarantineMessageHeader": self.header,
            "Delete-QuarantineMessage": self.delete,
            "Export-QuarantineMessage": self.export,
            "Get-QuarantinePolicy": self.quarantine_policy,
            "Get-Recipient": self.recipient,
        }[name]
        return handler(caller, bound)

    # --- lookup -------------------------------------------------------------------------------------
    def find(self, caller: DemoUser, identity: Any, *, for_action: bool) -> Rec:
        if not isinstance(identity, str) or not identity.strip():
            raise CmdletError("Cannot bind argument to parameter 'Identity' because it is null.", T_BINDING)
        try:
            rec = self.store.get(identity)
        except UnknownMessage:
            if not IDENTITY_RE.match(identity):
                raise CmdletError(
                    f"The identity '{_shown(identity)}' is not valid. Please input a valid message identity.",
                    T_IDENTITY,
                ) from None
            raise CmdletError(
                f"Cannot find an object with identity '{_shown(identity)}'.", T_NOT_FOUND
            ) from None
        if not self.store.can_see(caller, rec) or self.store.not_yet_held(rec):
            raise CmdletError(f"Cannot find an object with identity '{_shown(identity)}'.", T_NOT_FOUND)
        if self.store.expired(rec):
            if for_action:
                raise CmdletError(
                    f"The message '{_shown(identity)}' has expired and is no longer in quarantine."
                )
            raise CmdletError(f"Cannot find an object with identity '{_shown(identity)}'.", T_NOT_FOUND)
        return rec

    # --- Get-QuarantineMessage -------------------------------------------------------------------------
    def get(self, caller: DemoUser, p: dict[str, Any]) -> list[dict[str, Any]]:
        if "Identity" in p:
            summary_only = sorted(set(p) & set(_GET_SUMMARY))
            if summary_only:
                raise CmdletError(
                    "Parameter set cannot be resolved using the specified named parameters.", T_BINDING
                )
            identity = p["Identity"]
            if identity is None or (isinstance(identity, str) and not identity.strip()):
                return self._get_everything(caller)
            rec = self.find(caller, identity, for_action=False)
            return [self.store.wire(rec, caller, details=True)]
        page = _int("Page", p.get("Page"), 1)
        size = _int("PageSize", p.get("PageSize"), 100)
        _range("Page", page, 1, 1000)
        _range("PageSize", size, 0, 1000)
        q = self._query(p)
        if size == 0:
            return []  # live: HTTP 200 with zero rows, not an error (spec §2.1)
        rows = self.store.query(caller, q)[(page - 1) * size : page * size]
        with self.store.lock:
            return [self.store.wire(r, caller) for r in rows]

    def _get_everything(self, caller: DemoUser) -> list[dict[str, Any]]:
        # The documented trap (spec §2.1): a null Identity returns every object the caller can see.
        log.warning(
            "Get-QuarantineMessage with a null Identity from %s (%s): returning EVERYTHING visible%s",
            caller.upn,
            caller.role,
            " - THE WHOLE TENANT" if caller.is_admin else "",
        )
        now = self.store.clock.timestamp()
        rows = self.store.query(caller, Query(start_ts=0.0, end_ts=now + 3650 * DAY))
        with self.store.lock:
            return [self.store.wire(r, caller) for r in rows]

    def _query(self, p: dict[str, Any]) -> Query:
        now = self.store.clock.now()
        start = _date("StartReceivedDate", p.get("StartReceivedDate")) or now - dt.timedelta(days=16)
        end = _date("EndReceivedDate", p.get("EndReceivedDate")) or now
        floor = now - dt.timedelta(days=30)
        start = max(start, floor)  # "older values are ignored and 30 days is used" (spec §2.1)
        statuses = _strings("ReleaseStatus", p.get("ReleaseStatus"))
        if statuses is not None:
            bad = [s for s in statuses if s.upper() not in RELEASE_STATUSES]
            if bad:
                raise CmdletError(
                    f"Cannot bind parameter 'ReleaseStatus'. Cannot convert value \"{_shown(bad[0])}\" "
                    'to type "ReleaseStatus". Specify one of the following enumerator names and '
                    "try again: Approved, Denied, Error, NotReleased, PreparingToRelease, Released, "
                    "Requested",
                    T_BINDING,
                )
        s_exp = _date("StartExpiresDate", p.get("StartExpiresDate"))
        e_exp = _date("EndExpiresDate", p.get("EndExpiresDate"))
        reported = p.get("Reported")

        def fs(name: str, upper: bool = False, lower: bool = False) -> frozenset[str] | None:
            values = _strings(name, p.get(name))
            if values is None:
                return None
            if upper:
                return frozenset(v.upper() for v in values)
            return frozenset(v.lower() for v in values) if lower else frozenset(values)

        recipients = fs("RecipientAddress", lower=True)
        if recipients is not None:
            recipients = frozenset(self.store.resolve_address(r) for r in recipients)
        single = {
            k: _first(_strings(k, p.get(k)))
            for k in ("Type", "Direction", "MessageId", "PolicyName", "Subject", "EntityType")
        }
        return Query(
            start_ts=start.timestamp(),
            end_ts=end.timestamp(),
            my_items=_switch(p.get("MyItems")),
            release_status=fs("ReleaseStatus", upper=True),
            quarantine_types=fs("QuarantineTypes"),
            senders=fs("SenderAddress", lower=True),
            recipients=recipients,
            type=single["Type"],
            reported=None if reported is None else _switch(reported),
            direction=single["Direction"],
            message_id=single["MessageId"],
            start_expires_ts=s_exp.timestamp() if s_exp else None,
            end_expires_ts=e_exp.timestamp() if e_exp else None,
            policy_name=single["PolicyName"],
            policy_types=fs("PolicyTypes"),
            subject=single["Subject"],
            recipient_tags=fs("RecipientTag"),
            entity_type=single["EntityType"],
        )

    # --- Release-QuarantineMessage ----------------------------------------------------------------------
    def release(self, caller: DemoUser, p: dict[str, Any]) -> list[dict[str, Any]]:
        admin = caller.is_admin
        if (_switch(p.get("ReleaseToAll")) or p.get("User") is not None) and not admin:
            raise CmdletError(
                "You are not authorized to release messages to other recipients. Access is denied.", T_DENIED
            )
        action = p.get("ActionType")
        if action is not None:
            if not isinstance(action, str) or action.lower() not in ("release", "request", "deny"):
                raise CmdletError(
                    f"Cannot bind parameter 'ActionType'. Cannot convert value \"{_shown(action)}\" "
                    'to type "ReleaseActionType". Specify one of the following enumerator names '
                    "and try again: Deny, Release, Request",
                    T_BINDING,
                )
            action = action.lower()
        # §9.3 is OPEN: accept Identities (+ any Identity), or Identity alone, with or without ActionType.
        identities = _strings("Identities", p.get("Identities"))
        ids = identities if identities else [p.get("Identity")]
        # One lock around check-and-change, so two concurrent clicks can't both release.
        with self.store.lock:
            for identity in ids:
                rec = self.find(caller, identity, for_action=True)
                self._release_one(caller, rec, action or "release", p)
        return []

    def _release_one(self, caller: DemoUser, rec: Rec, action: str, p: dict[str, Any]) -> None:
        admin = caller.is_admin
        status = rec.data["ReleaseStatus"]
        ident = _shown(rec.identity)
        force = _switch(p.get("Force"))
        if status == "DENIED" and not (admin and action == "release"):
            raise CmdletError(
                f"The release of message '{ident}' has already been denied by an administrator."
            )
        # A release goes to recipients (-User: those named, else all; an end user: their own copy).
        # It is refused as "already released" only when every one of them already has it: after an
        # app-only release to one recipient, the others' copies are still theirs to release.
        targets = self._release_targets(caller, rec, p) if action == "release" else None
        if (
            status in RELEASED_STATES
            and not (admin and force and status == "RELEASED" and action == "release")
            and (targets is None or set(targets) <= set(rec.released_to))
        ):
            raise CmdletError(f"The message '{ident}' has already been released.")
        if action == "deny":
            if not admin:
                raise CmdletError(
                    "You are not authorized to deny release requests. Access is denied.", T_DENIED
                )
            self.store.update(rec, ReleaseStatus="DENIED", ApprovalUPN=caller.upn)
            return
        if action == "request":
            if status == "REQUESTED":
                raise CmdletError(f"A release request for message '{ident}' has already been submitted.")
            if not admin and not end_user_may_request(rec.data):
                raise CmdletError(
                    f"You are not authorized to request the release of message '{ident}'.", T_DENIED
                )
            rec.requested_by = caller.upn
            self.store.update(rec, ReleaseStatus="REQUESTED")
        else:
            if admin:
                self.store.begin_release(
                    rec, targets or [], via_approval=status == "REQUESTED", approver=caller.upn
                )
            else:
                if status == "REQUESTED":
                    raise CmdletError(f"A release request for message '{ident}' has already been submitted.")
                if not end_user_may_release(rec.data):
                    raise CmdletError(
                        f"You are not authorized to release message '{ident}'. "
                        "You can request its release instead.",
                        T_DENIED,
                    )
                self.store.begin_release(rec, targets or [], via_approval=False)
        if _switch(p.get("ReportFalsePositive")):
            self.store.update(rec, Reported=True)
        if _switch(p.get("AllowSender")) and (
            admin or permissions_for(rec.data, admin=False)["PermissionToAllowSender"]
        ):
            with self.store.lock:
                self.store.allowed_senders.setdefault(caller.upn, set()).add(str(rec.data["SenderAddress"]))

    def _release_targets(self, caller: DemoUser, rec: Rec, p: dict[str, Any]) -> list[str]:
        if not caller.is_admin:
            return self.store.acting_addresses(caller, rec)
        users = _strings("User", p.get("User"))
        if users:
            if _switch(p.get("ReleaseToAll")):
                raise CmdletError(
                    "Parameter set cannot be resolved using the specified named parameters.", T_BINDING
                )
            # "recipients of the original message, or ... any other email addresses in the organization"
            known = self.store.known_addresses()
            targets = [self.store.resolve_address(u) for u in users]
            for given, addr in zip(users, targets, strict=True):
                if addr not in known and addr not in rec.recipients:
                    raise CmdletError(
                        f"The recipient '{_shown(given)}' couldn't be found in the organization.", T_NOT_FOUND
                    )
            return list(dict.fromkeys(targets))
        return rec.live_recipients()

    def approve(self, identity: str, approver: str) -> None:
        """IT approves a request: REQUESTED -> APPROVED -> PREPARINGTORELEASE -> RELEASED."""
        with self.store.lock:
            self._approve(identity, approver)

    def _approve(self, identity: str, approver: str) -> None:
        rec = self.store.get(identity)
        status = rec.data["ReleaseStatus"]
        if status != "REQUESTED":
            if status == "DENIED":
                raise CmdletError(
                    f"The release of message '{identity}' has already been denied by an administrator."
                )
            if status in RELEASED_STATES:
                raise CmdletError(f"The message '{identity}' has already been released.")
            raise CmdletError(f"There is no release request for message '{identity}'.")
        self.store.begin_release(rec, rec.live_recipients(), via_approval=True, approver=approver)

    def deny(self, identity: str, approver: str) -> None:
        with self.store.lock:
            self._deny(identity, approver)

    def _deny(self, identity: str, approver: str) -> None:
        rec = self.store.get(identity)
        status = rec.data["ReleaseStatus"]
        if status == "DENIED":
            raise CmdletError(
                f"The release of message '{identity}' has already been denied by an administrator."
            )
        if status in RELEASED_STATES:
            raise CmdletError(f"The message '{identity}' has already been released.")
        self.store.update(rec, ReleaseStatus="DENIED", ApprovalUPN=approver)

    # --- Preview / header / delete / export ------------------------------------------------------------
    def _single(self, caller: DemoUser, p: dict[str, Any]) -> Rec:
        rec = self.find(caller, p.get("Identity"), for_action=True)
        wanted = p.get("RecipientAddress")
        if wanted is not None and not caller.is_admin:
            addr = self.store.resolve_address(str(wanted))
            if addr not in self.store.acting_addresses(caller, rec):
                raise CmdletError(
                    f"Cannot find an object with identity '{_shown(rec.identity)}'.", T_NOT_FOUND
                )
        return rec

    def preview(self, caller: DemoUser, p: dict[str, Any]) -> list[dict[str, Any]]:
        rec = self._single(caller, p)
        if not permissions_for(rec.data, admin=caller.is_admin)["PermissionToPreview"]:
            raise CmdletError(
                f"You are not authorized to preview message '{_shown(rec.identity)}'.", T_DENIED
            )
        d = rec.data
        attachments = [
            a.get("name", "attachment") if isinstance(a, Mapping) else str(a)
            for a in d.get("_attachments") or []
        ]
        row = {
            "Identity": rec.identity,
            "ReceivedTime": d["ReceivedTime"],
            "SenderAddress": d["SenderAddress"],
            "RecipientAddress": list(rec.recipients),
            "Subject": d["Subject"],
            "Body": d.get("_body") if d.get("_body") is not None else default_body(d),
            "IsHtml": bool(d.get("_is_html", False)),
            "Cc": list(d.get("_cc") or []),
            "Attachment": attachments,
        }
        return [annotate(row)]

    def header(self, caller: DemoUser, p: dict[str, Any]) -> list[dict[str, Any]]:
        rec = self._single(caller, p)
        header = rec.data.get("_header") or default_header(rec.data)
        return [{"Identity": rec.identity, "Header": header}]

    def delete(self, caller: DemoUser, p: dict[str, Any]) -> list[dict[str, Any]]:
        admin = caller.is_admin
        identities = _strings("Identities", p.get("Identities"))
        ids = identities if identities else [p.get("Identity")]
        recipients = _strings("RecipientAddress", p.get("RecipientAddress"))
        with self.store.lock:
            for identity in ids:
                rec = self.find(caller, identity, for_action=True)
                if not permissions_for(rec.data, admin=admin)["PermissionToDelete"]:
                    raise CmdletError(
                        f"You are not authorized to delete message '{_shown(rec.identity)}'.", T_DENIED
                    )
                if admin:
                    targets = [self.store.resolve_address(r) for r in recipients] if recipients else None
                else:
                    targets = self.store.acting_addresses(caller, rec)
                    if recipients and {self.store.resolve_address(r) for r in recipients} - set(targets):
                        raise CmdletError(
                            f"Cannot find an object with identity '{_shown(rec.identity)}'.", T_NOT_FOUND
                        )
                self.store.delete_for(rec, targets)
        return []

    def export(self, caller: DemoUser, p: dict[str, Any]) -> list[dict[str, Any]]:
        if not caller.is_admin:
            raise CmdletError(
                "You are not authorized to export quarantined messages. End users can't download "
                "quarantined messages.",
                T_DENIED,
            )
        rec = self.find(caller, p.get("Identity"), for_action=True)
        eml = (
            (rec.data.get("_header") or default_header(rec.data))
            + "\r\n"
            + (rec.data.get("_body") or default_body(rec.data))
        )
        return [
            {
                "Identity": rec.identity,
                "Eml": base64.b64encode(eml.encode()).decode(),
                "BodyEncoding": "Base64",
            }
        ]

    # --- directory and policy reads (admin and app-only callers) ------------------------------------
    def quarantine_policy(self, caller: DemoUser, p: dict[str, Any]) -> list[dict[str, Any]]:
        kind = p.get("QuarantinePolicyType")
        if kind is not None and str(kind).lower() not in ("quarantinepolicy", "globalquarantinepolicy"):
            raise CmdletError(
                f"Cannot bind parameter 'QuarantinePolicyType'. Cannot convert value \"{_shown(kind)}\" "
                'to type "QuarantinePolicyType". Specify one of the following enumerator names and try '
                "again: QuarantinePolicy, GlobalQuarantinePolicy",
                T_BINDING,
            )
        try:
            return get_quarantine_policy(p)
        except PolicyNotFound as exc:
            raise CmdletError(exc.message, T_NOT_FOUND) from None

    def recipient(self, caller: DemoUser, p: dict[str, Any]) -> list[dict[str, Any]]:
        if "ResultSize" in p:
            size = p["ResultSize"]
            if not (isinstance(size, str) and size.lower() == "unlimited"):
                _range("ResultSize", _int("ResultSize", size, 1000), 1, 1_000_000)
        try:
            return [annotate(row) for row in get_recipient(self.store.directory, p)]
        except RecipientNotFound as exc:
            raise CmdletError(exc.message, T_NOT_FOUND) from None


def default_body(d: Mapping[str, Any]) -> str:
    return (
        "This is a demo message held in quarantine.\n\n"
        f'It was sent by {d.get("SenderAddress")} with the subject "{d.get("Subject")}".\n'
    )


def default_header(d: Mapping[str, Any]) -> str:
    received: dt.datetime = d["ReceivedTime"]
    sender = str(d.get("SenderAddress"))
    domain = sender.rpartition("@")[2] or "external.example"
    verdict = {"Spam": "SPM", "Bulk": "BLK", "Phish": "PHSH", "HighConfPhish": "HPHSH"}.get(
        str(d.get("QuarantineTypes")), "SKQ"
    )
    lines = [
        f"Received: from mail.{domain} (203.0.113.25) by AM0PR01MB0001.eurprd01.prod.outlook.com "
        f"(2603:10a6:208:1::1) with Microsoft SMTP Server; {email.utils.format_datetime(received)}",
        f"Authentication-Results: spf=softfail (sender IP is 203.0.113.25) smtp.mailfrom={domain};",
        "\tdkim=none (message not signed) header.d=none;dmarc=fail action=quarantine header.from=" + domain,
        f"From: {sender}",
        f"To: {', '.join(d.get('RecipientAddress') or [])}",
        f"Subject: {d.get('Subject')}",
        f"Date: {email.utils.format_datetime(received)}",
        f"Message-ID: {d.get('MessageId')}",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        f"X-Forefront-Antispam-Report: CIP:203.0.113.25;CTRY:ZZ;LANG:en;SCL:9;SRV:;IPV:NLI;SFV:{verdict};",
        "\tH:mail." + domain + ";PTR:;CAT:SPM;SFS:;DIR:INB;",
    ]
    return "\r\n".join(lines) + "\r\n"
