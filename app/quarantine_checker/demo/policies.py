"""Quarantine policies the demo tenant knows, and what they let each caller do.

Mirrors spec §4: the per-message ``PermissionTo*`` values describe *the caller*. Administrators see
``PermissionToRelease=true`` on everything (§1.3); end users get the policy's end-user permissions,
except that Malware / high-confidence phish / blocked file types can only be *requested* (§4.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PERMISSION_KEYS: tuple[str, ...] = (
    "PermissionToBlockSender",
    "PermissionToDelete",
    "PermissionToPreview",
    "PermissionToRelease",
    "PermissionToRequestRelease",
    "PermissionToViewHeader",
    "PermissionToDownload",
    "PermissionToAllowSender",
)

# An end user may only *request* these, whatever the policy says (spec §4.3, FileTypeBlock by [INF]).
REQUEST_ONLY_TYPES = frozenset({"Malware", "HighConfPhish", "FileTypeBlock", "SPOMalware"})
# Mail-flow rule and DLP quarantines don't support quarantine policies: admins only (spec §4.2).
ADMIN_ONLY_TYPES = frozenset({"TransportRule", "DataLossPrevention"})


@dataclass(frozen=True)
class QuarantinePolicy:
    name: str
    release: bool = False
    request_release: bool = False
    preview: bool = False
    delete: bool = False
    allow_sender: bool = False
    block_sender: bool = False
    notifications: bool = False

    @property
    def no_access(self) -> bool:
        return not (
            self.release
            or self.request_release
            or self.preview
            or self.delete
            or self.allow_sender
            or self.block_sender
        )

    @property
    def visible_to_end_user(self) -> bool:
        # "No access + notifications off: the message is invisible to the user" (spec §4.1).
        return not (self.no_access and not self.notifications)

    def end_user_permissions(self) -> dict[str, bool]:
        return {
            "PermissionToBlockSender": self.block_sender,
            "PermissionToDelete": self.delete,
            "PermissionToPreview": self.preview,
            "PermissionToRelease": self.release,
            "PermissionToRequestRelease": self.request_release,
            # Live captures show false here although headers are always viewable (spec §4.1).
            "PermissionToViewHeader": False,
            "PermissionToDownload": False,
            "PermissionToAllowSender": self.allow_sender,
        }


_FULL = {"release": True, "preview": True, "delete": True, "allow_sender": True}
_LIMITED = {"request_release": True, "preview": True, "delete": True, "allow_sender": True}

POLICIES: dict[str, QuarantinePolicy] = {
    p.name: p
    for p in (
        QuarantinePolicy("AdminOnlyAccessPolicy"),
        QuarantinePolicy("DefaultFullAccessPolicy", **_FULL),
        QuarantinePolicy("DefaultFullAccessWithNotificationPolicy", **_FULL, notifications=True),
        QuarantinePolicy("NotificationEnabledPolicy", **_FULL, notifications=True),
        QuarantinePolicy("LimitedAccessWithNotificationPolicy", **_LIMITED, notifications=True),
        QuarantinePolicy("NoAccessWithNotificationPolicy", notifications=True),
    )
}

ADMIN_PERMISSIONS: dict[str, bool] = {
    "PermissionToBlockSender": True,
    "PermissionToDelete": True,
    "PermissionToPreview": True,
    "PermissionToRelease": True,
    "PermissionToRequestRelease": False,
    "PermissionToViewHeader": True,
    "PermissionToDownload": True,
    "PermissionToAllowSender": True,
}


def policy_for(tag_name: str | None, quarantine_type: str | None = None) -> QuarantinePolicy:
    """The policy that governs a record; unknown tags and rule/DLP quarantines are admin-only."""
    if quarantine_type in ADMIN_ONLY_TYPES:
        return POLICIES["AdminOnlyAccessPolicy"]
    return POLICIES.get(tag_name or "", POLICIES["AdminOnlyAccessPolicy"])


def visible_to_end_user(record: Mapping[str, Any]) -> bool:
    return policy_for(record.get("TagName"), record.get("QuarantineTypes")).visible_to_end_user


def permissions_for(record: Mapping[str, Any], *, admin: bool) -> dict[str, bool]:
    """The ``PermissionTo*`` values the given kind of caller sees on this record."""
    if admin:
        return dict(ADMIN_PERMISSIONS)
    policy = policy_for(record.get("TagName"), record.get("QuarantineTypes"))
    perms = policy.end_user_permissions()
    if record.get("QuarantineTypes") in REQUEST_ONLY_TYPES and perms["PermissionToRelease"]:
        perms["PermissionToRelease"] = False
        perms["PermissionToRequestRelease"] = True
    forced = record.get("_force_permissions")
    if isinstance(forced, Mapping):
        # Lets seed data exercise the other reading of spec §9.4 (Release=true shown on malware).
        perms.update({k: bool(v) for k, v in forced.items() if k in PERMISSION_KEYS})
    return perms


def end_user_may_release(record: Mapping[str, Any]) -> bool:
    """Whether the service lets an end user release directly (even if the output claims more)."""
    if record.get("QuarantineTypes") in REQUEST_ONLY_TYPES:
        return False
    return permissions_for(record, admin=False)["PermissionToRelease"]


def end_user_may_request(record: Mapping[str, Any]) -> bool:
    perms = permissions_for(record, admin=False)
    return perms["PermissionToRequestRelease"] or perms["PermissionToRelease"]
