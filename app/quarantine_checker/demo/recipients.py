"""``Get-Recipient`` for admin and app-only callers: who a directory object is, by its addresses.

The organisation service resolves an employee's addresses from the token's object id, never from
name or e-mail claims (org-service.md §2.2, §3): ``Get-Recipient -Identity <object id>`` answers
with ``PrimarySmtpAddress``, ``EmailAddresses`` (proxy addresses, ``SMTP:`` = primary, ``smtp:`` =
others) and ``ExternalDirectoryObjectId`` (the Entra object id). ``Identity`` may also be a UPN, any
proxy address or the alias, as in Exchange. ``PrimarySmtpAddress`` is what ``RecipientAddress``
shows on quarantined mail (it "always resolves to the primary email address", spec §3.1).
"""

from __future__ import annotations

import uuid
from typing import Any

from quarantine_checker.demo.directory import DemoUser, Directory

SERVER = "AM0PR01A001DC01.EURPRD01.PROD.OUTLOOK.COM"
_TYPES = {
    "employee": ("UserMailbox", "UserMailbox"),
    "admin": ("UserMailbox", "UserMailbox"),
    "shared": ("UserMailbox", "SharedMailbox"),
    "guest": ("MailUser", "GuestMailUser"),
}


def not_found_message(identity: str) -> str:
    """Exchange's ManagementObjectNotFoundException text for a configuration object."""
    shown = identity if len(identity) <= 200 else identity[:200] + "..."
    return f"The operation couldn't be performed because object '{shown}' couldn't be found on '{SERVER}'."


class RecipientNotFound(Exception):
    def __init__(self, identity: str) -> None:
        super().__init__(not_found_message(identity))
        self.message = str(self)


def recipient_row(user: DemoUser) -> dict[str, Any]:
    alias = user.upn.split("@", 1)[0]
    rtype, details = _TYPES.get(user.role, ("UserMailbox", "UserMailbox"))
    addresses = [f"SMTP:{user.primary_smtp}", *(f"smtp:{a.lower()}" for a in user.aliases)]
    return {
        "Identity": alias,
        "Name": alias,
        "Alias": alias,
        "DisplayName": user.display_name,
        "PrimarySmtpAddress": user.primary_smtp,
        "WindowsLiveID": user.upn,
        "EmailAddresses": addresses,
        "ExternalDirectoryObjectId": user.object_id,
        "RecipientType": rtype,
        "RecipientTypeDetails": details,
        "Guid": str(uuid.uuid5(uuid.NAMESPACE_OID, user.object_id)),
    }


def _matches(user: DemoUser, wanted: str) -> bool:
    names = {
        user.object_id.lower(),
        user.upn.lower(),
        user.primary_smtp,
        user.upn.split("@", 1)[0].lower(),
        *(a.lower() for a in user.aliases),
    }
    return wanted.strip().lower() in names


def get_recipient(directory: Directory, params: dict[str, Any]) -> list[dict[str, Any]]:
    """``Get-Recipient [-Identity <id>] [-ResultSize <n>]``; RecipientNotFound for an unknown Identity."""
    users = list(directory.users.values())
    identity = params.get("Identity")
    if identity is not None:
        if not isinstance(identity, str) or not identity.strip():
            raise RecipientNotFound(str(identity))
        found = [u for u in users if _matches(u, identity)]
        if not found:
            raise RecipientNotFound(identity)
        return [recipient_row(u) for u in found[:1]]
    size = params.get("ResultSize", 1000)
    limit = len(users) if isinstance(size, str) and size.lower() == "unlimited" else int(size)
    return [recipient_row(u) for u in users[: max(0, limit)]]
