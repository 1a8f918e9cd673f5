"""The policy table of test_service_policy_table.py, end to end: one held message per quarantine type and
policy (the demo tenant's default and custom policies, read with Get-QuarantinePolicy, and an unknown
one), one sweep, and Alice's listing must show exactly the visible ones with exactly those rights."""

from __future__ import annotations

from service_api import ALICE, RunningService
from test_service_policy_table import POLICIES, TYPES, UNKNOWN_POLICY, _expected


def test_every_type_under_every_policy_through_the_api(svc: RunningService) -> None:
    made = {}
    for kind in TYPES:
        for policy in [*POLICIES, UNKNOWN_POLICY]:
            made[svc.tenant.add_message(ALICE, QuarantineTypes=kind, TagName=policy,
                                        Subject=f"{kind} under {policy}")] = (kind, policy)
    svc.sweep()
    listed = {i["id"]: i for i in svc.api.ok("GET", "/v1/messages", svc.token(ALICE))["items"]}
    got, expected = {}, {}
    for identity, (kind, policy) in made.items():
        rights, _basis = _expected(kind, policy)
        expected[(kind, policy)] = rights if rights[0] else None
        item = listed.get(identity)
        got[(kind, policy)] = None if item is None else (
            True, item["rights"]["release"], item["rights"]["request_release"], item["rights"]["preview"],
            item["rights"]["delete"], item["rights"]["view_headers"])
    assert got == expected
