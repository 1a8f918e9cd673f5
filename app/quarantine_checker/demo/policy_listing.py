"""``Get-QuarantinePolicy``: the tenant's quarantine policies as admins and the service read them.

The service maps a message's ``TagName`` to its policy and decodes
``EndUserQuarantinePermissionsValue`` (bits in exchange-quarantine-api.md §4.1) to decide what an
employee may do, since app-only ``PermissionTo*`` values describe the app (org-service.md §2.3).
The four default policies (§4.2) plus the demo's custom ones (policies.POLICIES) are listed; the
global settings object ``DefaultGlobalTag`` only with ``-QuarantinePolicyType GlobalQuarantinePolicy``.
"""

from __future__ import annotations

import uuid
from typing import Any

from quarantine_checker.demo.policies import POLICIES, QuarantinePolicy
from quarantine_checker.demo.recipients import not_found_message

DEFAULT_POLICIES = (
    "AdminOnlyAccessPolicy",
    "DefaultFullAccessPolicy",
    "DefaultFullAccessWithNotificationPolicy",
    "NotificationEnabledPolicy",
)
# (name on the wire, bit) in the order Get-QuarantinePolicy prints EndUserQuarantinePermissions.
BITS: tuple[tuple[str, int], ...] = (
    ("PermissionToViewHeader", 128),
    ("PermissionToDownload", 64),
    ("PermissionToAllowSender", 32),
    ("PermissionToBlockSender", 16),
    ("PermissionToRequestRelease", 8),
    ("PermissionToRelease", 4),
    ("PermissionToPreview", 2),
    ("PermissionToDelete", 1),
)
CREATED = "2021-08-02T09:14:51+00:00"


class PolicyNotFound(Exception):
    def __init__(self, identity: str) -> None:
        super().__init__(not_found_message(identity))
        self.message = str(self)


def permission_value(policy: QuarantinePolicy) -> int:
    """The policy's ``EndUserQuarantinePermissionsValue`` (Full access 39, Limited 43, No access 0)."""
    flags = policy.end_user_permissions()
    return sum(bit for name, bit in BITS if flags[name])


def _guid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"qc-demo:quarantine-policy:{name}"))


def policy_row(policy: QuarantinePolicy) -> dict[str, Any]:
    flags = policy.end_user_permissions()
    return {
        "Identity": policy.name,
        "Name": policy.name,
        "Guid": _guid(policy.name),
        "EndUserQuarantinePermissions": ", ".join(f"{name}: {flags[name]}" for name, _ in BITS),
        "EndUserQuarantinePermissionsValue": permission_value(policy),
        "ESNEnabled": policy.notifications,
        "QuarantinePolicyType": "QuarantinePolicy",
        "IncludeMessagesFromBlockedSenderAddress": False,
        "OrganizationBrandingEnabled": False,
        "IsValid": True,
        "WhenCreatedUTC": CREATED,
        "WhenChangedUTC": CREATED,
    }


def global_row() -> dict[str, Any]:
    return {
        "Identity": "DefaultGlobalTag",
        "Name": "DefaultGlobalTag",
        "Guid": _guid("DefaultGlobalTag"),
        "QuarantinePolicyType": "GlobalQuarantinePolicy",
        "EndUserSpamNotificationFrequency": "04:00:00",
        "EndUserSpamNotificationCustomFromAddress": "",
        "OrganizationBrandingEnabled": False,
        "IsValid": True,
    }


def get_quarantine_policy(params: dict[str, Any]) -> list[dict[str, Any]]:
    """``Get-QuarantinePolicy [-Identity <name|guid>] [-QuarantinePolicyType <type>]``."""
    identity = params.get("Identity")
    kind = str(params.get("QuarantinePolicyType") or "QuarantinePolicy")
    if identity is not None:
        wanted = str(identity).strip().lower()
        if wanted in ("defaultglobaltag", _guid("DefaultGlobalTag")):
            return [global_row()]
        for policy in POLICIES.values():
            if wanted in (policy.name.lower(), _guid(policy.name)):
                return [policy_row(policy)]
        raise PolicyNotFound(str(identity))
    if kind.lower() == "globalquarantinepolicy":
        return [global_row()]
    return [policy_row(p) for p in POLICIES.values()]
