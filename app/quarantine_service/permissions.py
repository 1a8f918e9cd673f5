"""What an employee may do with one held message: TagName -> quarantine policy -> permission bits, then
the hard rules. Pure: no database, no HTTP, so the whole table is tested row by row.

App-only calls see the *admin's* ``PermissionTo*`` values (True even under AdminOnlyAccessPolicy); the
service never reads them. It decides from the policy instead (exchange-quarantine-api.md §4.1), then:

- malware, high-confidence phishing, blocked file types (and SharePoint malware) are never self-released;
  where the policy would let the user release, they may *request* instead (§4.3);
- transport-rule and DLP holds do not support quarantine policies: admins only (§4.2);
- a missing or unknown policy fails closed: nothing but the headers, and ``check`` reports the name;
  an unknown reason (a ``QuarantineTypes`` value this code does not know) gets the malware rule.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from quarantine_checker.core.decision import ADMIN_ONLY_TYPES as REQUEST_ONLY_TYPES
from quarantine_checker.core.model import QuarantineType


class Bit(enum.IntFlag):
    """``EndUserQuarantinePermissionsValue`` bits (§4.1)."""

    DELETE = 1
    PREVIEW = 2
    RELEASE = 4
    REQUEST_RELEASE = 8
    BLOCK_SENDER = 16
    ALLOW_SENDER = 32
    DOWNLOAD = 64
    VIEW_HEADER = 128


# Holds that quarantine policies do not govern: only IT acts on them, whatever TagName says.
RULE_HOLD_TYPES: frozenset[QuarantineType] = frozenset(
    {QuarantineType.TRANSPORT_RULE, QuarantineType.DATA_LOSS_PREVENTION}
)


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    permissions: int
    notifications: bool = False


class Basis(enum.StrEnum):
    """Why the rights are what they are: a code the app words (never a sentence here)."""

    POLICY = "policy"
    HARD_RULE = "hard_rule"  # malware / high-confidence phishing / blocked file type
    RULE_HOLD = "rule_hold"  # transport rule or DLP: IT only
    POLICY_UNKNOWN = "policy_unknown"


@dataclass(frozen=True)
class Rights:
    visible: bool
    release: bool
    request_release: bool
    preview: bool
    delete: bool
    view_headers: bool
    basis: Basis

    def as_dict(self) -> dict[str, object]:
        return {"release": self.release, "request_release": self.request_release, "preview": self.preview,
                "delete": self.delete, "view_headers": self.view_headers, "basis": self.basis.value}


NOTHING = Rights(visible=False, release=False, request_release=False, preview=False, delete=False,
                 view_headers=False, basis=Basis.RULE_HOLD)


def rights_for(quarantine_type: QuarantineType, tag_name: str,
               policies: Mapping[str, PolicyInfo]) -> Rights:
    if quarantine_type in RULE_HOLD_TYPES:
        # "Mail-flow rules don't support quarantine policies ... aren't visible to users" (§4.2, §4.3).
        return NOTHING
    policy = policies.get(tag_name) if tag_name else None
    if policy is None:
        # Fail closed, but keep the message visible: the employee should know it is held and ask IT.
        return Rights(visible=True, release=False, request_release=False, preview=False, delete=False,
                      view_headers=True, basis=Basis.POLICY_UNKNOWN)
    bits = Bit(policy.permissions & 0xFF)
    end_user_bits = bits & ~(Bit.VIEW_HEADER | Bit.DOWNLOAD)
    # "No access + notifications off: the message is invisible to the user" (§4.1).
    visible = bool(end_user_bits) or policy.notifications
    if not visible:
        return Rights(visible=False, release=False, request_release=False, preview=False, delete=False,
                      view_headers=False, basis=Basis.POLICY)
    release = Bit.RELEASE in bits
    request = Bit.REQUEST_RELEASE in bits
    basis = Basis.POLICY
    if quarantine_type in REQUEST_ONLY_TYPES or quarantine_type is QuarantineType.UNKNOWN:
        # An unknown reason may be a new kind of malware verdict: it gets the malware rule until known.
        # Never self-released; where the policy allows release, the user may ask instead (§4.3).
        if release:
            basis = Basis.HARD_RULE  # the rule, not the policy, is why there is no Release button
        request = request or release
        release = False
    elif release:
        request = False  # "Don't set Release and RequestRelease together": release wins, one button
    return Rights(visible=True, release=release, request_release=request, preview=Bit.PREVIEW in bits,
                  delete=Bit.DELETE in bits, view_headers=True, basis=basis)
