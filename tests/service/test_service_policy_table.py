"""What an employee may do, for every quarantine type under every default policy, a custom one and an
unknown one; the expectations are written out from exchange-quarantine-api.md §4, not computed.

§4.1: Full access = 39 (AllowSender + Release + Preview + Delete); Limited access = 43 (AllowSender +
RequestRelease + Preview + Delete); No access = 0. No access with notifications off hides the message;
with notifications on, only the headers are left. §4.2: mail-flow rule and DLP holds do not support
quarantine policies (admins only, invisible to users). §4.3: malware, high-confidence phishing (and, by
inference, blocked file types) are never self-released: where the policy allows release, the user may
request instead. The service also fails closed on an unknown policy and on an unknown reason.

The same table runs end to end, through the API against the demo tenant's own Get-QuarantinePolicy, in
test_service_policy_end_to_end.py.
"""

from __future__ import annotations

import pytest

from quarantine_checker.core.model import QuarantineType
from quarantine_service.permissions import Basis, PolicyInfo, rights_for

POLICIES = {
    "AdminOnlyAccessPolicy": PolicyInfo("AdminOnlyAccessPolicy", 0, False),
    "DefaultFullAccessPolicy": PolicyInfo("DefaultFullAccessPolicy", 39, False),
    "DefaultFullAccessWithNotificationPolicy": PolicyInfo("DefaultFullAccessWithNotificationPolicy", 39,
                                                          True),
    "NotificationEnabledPolicy": PolicyInfo("NotificationEnabledPolicy", 39, True),
    # Custom ones, as an organisation would make them with New-QuarantinePolicy.
    "LimitedAccessWithNotificationPolicy": PolicyInfo("LimitedAccessWithNotificationPolicy", 43, True),
    "NoAccessWithNotificationPolicy": PolicyInfo("NoAccessWithNotificationPolicy", 0, True),
}
UNKNOWN_POLICY = "SomebodysNewPolicy"

# (visible, release, request, preview, delete, headers)
HIDDEN = (False, False, False, False, False, False)
FULL = (True, True, False, True, True, True)
ASK_FULL = (True, False, True, True, True, True)  # full policy, but a hard rule: request instead
LIMITED = (True, False, True, True, True, True)
HEADERS_ONLY = (True, False, False, False, False, True)

HARD = {"Malware", "HighConfPhish", "FileTypeBlock", "SPOMalware", "Unknown"}
RULE = {"TransportRule", "DataLossPrevention"}
TYPES = ["Spam", "Bulk", "Phish", "HighConfPhish", "Malware", "FileTypeBlock", "SPOMalware",
         "TransportRule", "DataLossPrevention", "AdminTriggered", "PPI", "Unknown"]


def _expected(kind: str, policy: str) -> tuple[tuple[bool, ...], Basis]:
    if kind in RULE:
        return HIDDEN, Basis.RULE_HOLD
    if policy == UNKNOWN_POLICY:
        return HEADERS_ONLY, Basis.POLICY_UNKNOWN
    if policy == "AdminOnlyAccessPolicy":
        return HIDDEN, Basis.POLICY
    if policy == "NoAccessWithNotificationPolicy":
        return HEADERS_ONLY, Basis.POLICY
    if policy == "LimitedAccessWithNotificationPolicy":
        return LIMITED, Basis.POLICY  # the policy already allows only a request: the rule changes nothing
    return (ASK_FULL, Basis.HARD_RULE) if kind in HARD else (FULL, Basis.POLICY)


ROWS = [(kind, policy) for kind in TYPES for policy in [*POLICIES, UNKNOWN_POLICY]]


@pytest.mark.parametrize(("kind", "policy"), ROWS, ids=[f"{k}-{p}" for k, p in ROWS])
def test_what_the_employee_may_do(kind: str, policy: str) -> None:
    rights = rights_for(QuarantineType.from_wire(kind), policy, POLICIES)
    expected, basis = _expected(kind, policy)
    got = (rights.visible, rights.release, rights.request_release, rights.preview, rights.delete,
           rights.view_headers)
    assert got == expected
    if rights.visible:
        assert rights.basis is basis


def test_malware_is_never_self_released_whatever_bits_a_policy_sets() -> None:
    everything = {"Everything": PolicyInfo("Everything", 255, True)}
    for kind in sorted(HARD):
        rights = rights_for(QuarantineType.from_wire(kind), "Everything", everything)
        assert not rights.release and rights.request_release


def test_a_message_without_a_tag_fails_closed() -> None:
    rights = rights_for(QuarantineType.SPAM, "", POLICIES)
    assert (rights.release, rights.request_release, rights.basis) == (False, False, Basis.POLICY_UNKNOWN)
