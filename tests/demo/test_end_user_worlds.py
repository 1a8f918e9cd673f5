"""The tenant's two worlds (org-service.md §1.1): may users without an admin role run the quarantine cmdlets?

"denied": no quarantine cmdlet in their EXOModuleFile, and every quarantine InvokeCommand answers 401 with
the JSON body "User is not allowed to call …" and no ``WWW-Authenticate`` invalid_token. Administrators
keep the cmdlets and admin PermissionTo* values. "allowed": today's behaviour.
"""

from __future__ import annotations

import pytest
from demo_helpers import ADMIN, ALICE, BOB, Exo

from quarantine_checker.demo.tenant import DemoTenant


def _module_cmdlets(tenant: DemoTenant, upn: str) -> set[str]:
    exo = Exo(tenant, upn)
    r = exo.session.get(
        f"{tenant.exchange_url}/adminapi/v1.0/{tenant.tenant_id}/EXOModuleFile?Version=3.7.1",
        headers=exo.headers(CommandName="*"),
        timeout=10,
    )
    assert r.status_code == 200, r.text[:300]
    (row,) = r.json()["value"]
    return {n for n in row["exportedCmdlets"].split(",") if n}


@pytest.mark.parametrize(
    "cmdlet",
    [
        "Get-QuarantineMessage",
        "Release-QuarantineMessage",
        "Preview-QuarantineMessage",
        "Get-QuarantineMessageHeader",
        "Delete-QuarantineMessage",
    ],
)
def test_denied_user_gets_a_json_401_that_is_not_a_token_problem(tenant, cmdlet):
    ident = tenant.add_message(ALICE, TagName="DefaultFullAccessPolicy")
    tenant.set_end_user_cmdlets("denied")
    params = {"MyItems": True} if cmdlet == "Get-QuarantineMessage" else {"Identity": ident}
    r = Exo(tenant, ALICE).invoke(cmdlet, params, **{"client-request-id": "abc-123"})
    assert r.status_code == 401
    assert "invalid_token" not in r.headers.get("WWW-Authenticate", "")
    error = r.json()["error"]
    assert error["code"] == "Unauthorized"
    assert error["message"] == f"User is not allowed to call {cmdlet}"
    assert error["innererror"]["client-request-id"] == "abc-123"
    assert tenant.message(ident)["ReleaseStatus"] == "NOTRELEASED"  # nothing ran


def test_denied_user_module_file_has_no_quarantine_cmdlet(tenant):
    assert "Get-QuarantineMessage" in _module_cmdlets(tenant, ALICE)  # the allowed world first
    tenant.set_end_user_cmdlets("denied")
    assert not {c for c in _module_cmdlets(tenant, ALICE) if "quarantine" in c.lower()}
    assert not {c for c in _module_cmdlets(tenant, BOB) if "quarantine" in c.lower()}


def test_admin_keeps_the_cmdlets_and_sees_admin_permissions_when_denied(tenant):
    tenant.set_end_user_cmdlets("denied")
    assert {"Get-QuarantineMessage", "Release-QuarantineMessage"} <= _module_cmdlets(tenant, ADMIN)
    own = tenant.add_message(ADMIN, TagName="AdminOnlyAccessPolicy", QuarantineTypes="HighConfPhish")
    tenant.add_message(ALICE, TagName="DefaultFullAccessPolicy")
    rows = Exo(tenant, ADMIN).mine()
    assert [r["Identity"] for r in rows] == [own]  # MyItems: his own mail only
    (row,) = rows
    assert row["PermissionToRelease"] is True and row["PermissionToPreview"] is True


def test_exo_module_switch_still_wins_in_both_worlds(tenant):
    tenant.set_exo_module_enabled(ADMIN, False)
    for world in ("allowed", "denied"):
        tenant.set_end_user_cmdlets(world)
        r = Exo(tenant, ADMIN).invoke("Get-QuarantineMessage", {"MyItems": True})
        assert r.status_code == 403 and r.content.startswith(b"\x00")


def test_allowed_world_is_todays_behaviour(tenant):
    assert tenant.end_user_cmdlets == "allowed"  # the fixture pins it
    ident = tenant.add_message(ALICE)
    assert [r["Identity"] for r in Exo(tenant, ALICE).mine()] == [ident]


def test_world_through_the_control_api_and_describe(tenant):
    s = tenant.session()
    base = tenant.control_url
    r = s.post(f"{base}/end-user-cmdlets", json={"world": "denied"}, timeout=10)
    assert r.status_code == 200 and r.json() == {"end_user_cmdlets": "denied"}
    assert s.get(f"{base}/state", timeout=10).json()["end_user_cmdlets"] == "denied"
    assert tenant.describe()["end_user_cmdlets"] == "denied"
    assert Exo(tenant, ALICE).invoke("Get-QuarantineMessage", {"MyItems": True}).status_code == 401
    bad = s.post(f"{base}/end-user-cmdlets", json={"world": "sometimes"}, timeout=10)
    assert bad.status_code == 400 and "denied, allowed" in bad.json()["error"]
    assert s.post(f"{base}/end-user-cmdlets", json={"world": "allowed"}, timeout=10).ok
    assert Exo(tenant, ALICE).invoke("Get-QuarantineMessage", {"MyItems": True}).status_code == 200


def test_a_new_tenant_is_denied_unless_told_otherwise():
    tenant = DemoTenant(seed=False)
    assert tenant.end_user_cmdlets == "denied"
    with pytest.raises(ValueError):
        DemoTenant(seed=False, end_user_cmdlets="maybe")
