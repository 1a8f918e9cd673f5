"""The Exchange emulator for app-only callers (the organisation service): tenant-wide listing with
admin permissions, releases to one recipient, policies and recipients, late holds, faults, and the
permission + directory role a service principal must hold."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from service_helpers import ALICE, BOB, AppExo, confidential_app, trusting_session

from quarantine_checker.demo.tenant import DemoTenant

ADMIN_PERMISSIONS = {"PermissionToRelease": True, "PermissionToDelete": True, "PermissionToPreview": True}


def _user_rows(tenant: DemoTenant, upn: str, params: dict) -> list[dict]:
    session = tenant.session()
    body = {"CmdletInput": {"CmdletName": "Get-QuarantineMessage", "Parameters": params}}
    r = session.post(
        f"{tenant.exchange_url}/adminapi/beta/{tenant.tenant_id}/InvokeCommand",
        json=body,
        headers={"Authorization": f"Bearer {tenant.token_for(upn)}", "X-AnchorMailbox": f"UPN:{upn}"},
        timeout=10,
    )
    assert r.status_code == 200, r.text[:300]
    return r.json()["value"]


def _user_release(tenant: DemoTenant, upn: str, identity: str) -> int:
    body = {"CmdletInput": {"CmdletName": "Release-QuarantineMessage", "Parameters": {"Identity": identity}}}
    return tenant.session().post(
        f"{tenant.exchange_url}/adminapi/beta/{tenant.tenant_id}/InvokeCommand",
        json=body,
        headers={"Authorization": f"Bearer {tenant.token_for(upn)}"},
        timeout=10,
    ).status_code


def test_app_only_listing_sees_everyones_mail_with_admin_permissions(tenant, app_exo):
    alice = tenant.add_message(ALICE, TagName="AdminOnlyAccessPolicy", QuarantineTypes="HighConfPhish")
    bob = tenant.add_message(BOB, TagName="DefaultFullAccessPolicy")
    rows = {r["Identity"]: r for r in app_exo.rows("Get-QuarantineMessage", {"PageSize": 1000})}
    assert set(rows) == {alice, bob}
    # The app's own PermissionTo* values: True even under AdminOnlyAccessPolicy (never pass them on).
    assert all(rows[alice][k] is v for k, v in ADMIN_PERMISSIONS.items())
    assert rows[alice]["TagName"] == "AdminOnlyAccessPolicy"
    # A recipient filter narrows the sweep; the app has no mailbox, so MyItems finds nothing.
    only_bob = app_exo.rows("Get-QuarantineMessage", {"RecipientAddress": [BOB]})
    assert [r["Identity"] for r in only_bob] == [bob]
    assert app_exo.rows("Get-QuarantineMessage", {"MyItems": True}) == []


def test_release_to_one_user_leaves_the_other_recipients_copy_held(tenant, app_exo):
    ident = tenant.add_message([ALICE, BOB], TagName="DefaultFullAccessPolicy")
    assert app_exo.rows("Release-QuarantineMessage", {"Identity": ident, "User": [ALICE]}) == []
    tenant.clock.advance(60)
    [row] = app_exo.rows("Get-QuarantineMessage", {"Identity": ident})
    assert row["ReleasedUser"] == [ALICE] and row["ReleaseStatus"] == "RELEASED"
    # Bob's copy is still his: he sees it held and may release it himself.
    [bobs] = _user_rows(tenant, BOB, {"MyItems": True})
    assert bobs["ReleaseStatus"] == "NOTRELEASED" and bobs["Released"] is False
    [alices] = _user_rows(tenant, ALICE, {"MyItems": True})
    assert alices["ReleaseStatus"] == "RELEASED"
    # Releasing to Alice again is refused; releasing Bob's copy works.
    assert "already been released" in app_exo.error(
        "Release-QuarantineMessage", {"Identity": ident, "User": [ALICE]}
    )
    assert _user_release(tenant, BOB, ident) == 200
    tenant.clock.advance(60)
    assert app_exo.rows("Get-QuarantineMessage", {"Identity": ident})[0]["ReleasedUser"] == [ALICE, BOB]


def test_release_to_an_address_outside_the_organisation_is_refused(tenant, app_exo):
    ident = tenant.add_message(ALICE, TagName="DefaultFullAccessPolicy")
    message = app_exo.error("Release-QuarantineMessage", {"Identity": ident, "User": ["x@elsewhere.example"]})
    assert "couldn't be found" in message
    assert tenant.message(ident)["ReleaseStatus"] == "NOTRELEASED"


def test_app_only_request_release_is_recorded_as_requested(tenant, app_exo):
    ident = tenant.add_message(ALICE, QuarantineTypes="Malware", TagName="AdminOnlyAccessPolicy")
    params = {"Identities": [ident], "Identity": "000", "ActionType": "Request"}
    assert app_exo.rows("Release-QuarantineMessage", params) == []
    assert tenant.message(ident)["ReleaseStatus"] == "REQUESTED"


def test_get_quarantine_policy_lists_the_defaults_and_the_custom_policies(app_exo):
    rows = {r["Name"]: r for r in app_exo.rows("Get-QuarantinePolicy")}
    values = {name: r["EndUserQuarantinePermissionsValue"] for name, r in rows.items()}
    assert values["AdminOnlyAccessPolicy"] == 0  # No access
    assert values["DefaultFullAccessPolicy"] == 39  # Full access
    assert values["DefaultFullAccessWithNotificationPolicy"] == 39
    assert values["NotificationEnabledPolicy"] == 39
    assert values["LimitedAccessWithNotificationPolicy"] == 43  # custom, Limited access
    assert rows["DefaultFullAccessWithNotificationPolicy"]["ESNEnabled"] is True
    assert rows["DefaultFullAccessPolicy"]["ESNEnabled"] is False
    assert "PermissionToRequestRelease: True" in rows["LimitedAccessWithNotificationPolicy"][
        "EndUserQuarantinePermissions"
    ]
    [one] = app_exo.rows("Get-QuarantinePolicy", {"Identity": "limitedaccesswithnotificationpolicy"})
    assert one["Name"] == "LimitedAccessWithNotificationPolicy"
    assert "couldn't be found" in app_exo.error("Get-QuarantinePolicy", {"Identity": "NoSuchPolicy"})
    [glob] = app_exo.rows("Get-QuarantinePolicy", {"QuarantinePolicyType": "GlobalQuarantinePolicy"})
    assert glob["Name"] == "DefaultGlobalTag" and glob["EndUserSpamNotificationFrequency"] == "04:00:00"


def test_get_recipient_by_object_id_gives_the_addresses(tenant, app_exo):
    alice = tenant.directory.user(ALICE)
    [row] = app_exo.rows("Get-Recipient", {"Identity": alice.object_id})
    assert row["PrimarySmtpAddress"] == ALICE
    assert row["EmailAddresses"] == [f"SMTP:{ALICE}", "smtp:a.moreau@northwind.example"]
    assert row["ExternalDirectoryObjectId"] == alice.object_id
    assert row["RecipientTypeDetails"] == "UserMailbox"
    [by_alias] = app_exo.rows("Get-Recipient", {"Identity": "a.moreau@northwind.example"})
    assert by_alias["ExternalDirectoryObjectId"] == alice.object_id
    assert "couldn't be found" in app_exo.error("Get-Recipient", {"Identity": "0000-not-an-object"})
    [shared] = app_exo.rows("Get-Recipient", {"Identity": "accounts@northwind.example"})
    assert shared["RecipientTypeDetails"] == "SharedMailbox"
    everyone = app_exo.rows("Get-Recipient", {"ResultSize": "Unlimited"})
    assert {r["PrimarySmtpAddress"] for r in everyone} == set(tenant.directory.users)


def test_an_employee_may_not_read_policies_or_recipients(tenant):
    body = {"CmdletInput": {"CmdletName": "Get-Recipient", "Parameters": {}}}
    r = tenant.session().post(
        f"{tenant.exchange_url}/adminapi/beta/{tenant.tenant_id}/InvokeCommand",
        json=body,
        headers={"Authorization": f"Bearer {tenant.token_for(ALICE)}"},
        timeout=10,
    )
    assert r.status_code == 403


def test_a_late_hold_appears_with_its_old_received_time(tenant, app_exo):
    http = trusting_session(tenant.ca_file)
    r = http.post(
        f"{tenant.control_url}/late-hold",
        json={"recipient": ALICE, "hours_late": 7, "Subject": "zapped after delivery"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    ident = r.json()["identity"]
    [row] = app_exo.rows("Get-QuarantineMessage", {"RecipientAddress": [ALICE]})
    assert row["Identity"] == ident
    received = dt.datetime.fromisoformat(row["ReceivedTime"])
    assert tenant.clock.now() - received > dt.timedelta(hours=6, minutes=59)
    # A sweep that only asks for mail received in the last hour misses it: the service's problem.
    recent = (tenant.clock.now() - dt.timedelta(hours=1)).isoformat()
    assert app_exo.rows("Get-QuarantineMessage", {"StartReceivedDate": recent}) == []


def test_a_hold_scheduled_for_later_is_invisible_until_then(tenant, app_exo):
    now = tenant.clock.now()
    ident = tenant.add_message(
        BOB, ReceivedTime=now - dt.timedelta(hours=2), QuarantinedAt=now + dt.timedelta(hours=1)
    )
    assert app_exo.rows("Get-QuarantineMessage") == []
    assert "Cannot find an object" in app_exo.error("Get-QuarantineMessage", {"Identity": ident})
    tenant.clock.advance(2 * 3600)
    assert [r["Identity"] for r in app_exo.rows("Get-QuarantineMessage")] == [ident]


@pytest.mark.parametrize(
    ("kind", "params", "status"),
    [
        ("throttle", {"retry_after": 7}, 429),
        ("unavailable", {"retry_after": 3}, 503),
        ("redirect", {}, 302),
        ("malformed_json", {}, 200),
    ],
)
def test_faults_apply_to_app_only_callers(tenant, app_exo, kind, params, status):
    tenant.inject_fault(kind, **params)
    r = app_exo.invoke("Get-QuarantineMessage")
    assert r.status_code == status
    if "retry_after" in params:
        assert r.headers["Retry-After"] == str(params["retry_after"])
    if kind == "redirect":
        assert r.headers["Location"].startswith("https://localhost:446/")
    if kind == "malformed_json":
        with pytest.raises(ValueError):
            r.json()
    assert app_exo.invoke("Get-QuarantineMessage").status_code == 200  # one request only


def test_a_fault_can_be_aimed_at_app_only_callers_alone(tenant, app_exo):
    http = trusting_session(tenant.ca_file)
    r = http.post(f"{tenant.control_url}/faults", json={"kind": "throttle", "caller": "app"}, timeout=10)
    assert r.status_code == 200
    assert _user_rows(tenant, ALICE, {"MyItems": True}) == []  # the desktop app's call is untouched
    assert app_exo.invoke("Get-QuarantineMessage").status_code == 429
    assert app_exo.invoke("Get-QuarantineMessage").status_code == 200


def test_a_slow_reply_reaches_app_only_callers_too(tenant, app_exo):
    tenant.inject_fault("slow", delay=0.4)
    started = time.monotonic()
    assert app_exo.invoke("Get-QuarantineMessage").status_code == 200
    assert time.monotonic() - started >= 0.4


def test_without_a_directory_role_the_cmdlets_are_refused(tenant, app_exo):
    tenant.add_message(ALICE)
    http = trusting_session(tenant.ca_file)
    r = http.post(f"{tenant.control_url}/service-app/directory-role", json={"role": None}, timeout=10)
    assert r.status_code == 200 and r.json()["directory_roles"] == []
    refused = app_exo.invoke("Get-QuarantineMessage")
    assert refused.status_code == 403 and set(refused.content) == {0}  # as live: a NUL body
    assert app_exo.exported_cmdlets() == []
    # Exchange Administrator alone does not hold the quarantine cmdlets (MC447339).
    tenant.set_service_directory_role("Exchange Administrator")
    assert app_exo.invoke("Get-QuarantineMessage").status_code == 403
    tenant.set_service_directory_role("Security Administrator")
    assert app_exo.invoke("Get-QuarantineMessage").status_code == 200
    assert "Get-QuarantineMessage" in app_exo.exported_cmdlets()


def test_without_the_exchange_permission_the_token_is_refused_as_unauthorized(tenant):
    http = trusting_session(tenant.ca_file)
    r = http.post(f"{tenant.control_url}/service-app/exchange-consent", json={"granted": False}, timeout=10)
    assert r.status_code == 200
    scope = tenant.service_app_config()["exchange_scope"]
    result = confidential_app(tenant).acquire_token_for_client([scope])
    refused = AppExo(tenant, result["access_token"]).invoke("Get-QuarantineMessage")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "Unauthorized"
    assert "invalid_token" not in refused.headers.get("WWW-Authenticate", "")  # the token itself is fine


def test_the_requests_log_names_the_app_and_redacts_its_token(tenant, app_exo):
    app_exo.invoke("Get-QuarantineMessage")
    record = tenant.requests_log[-1]
    assert record.caller == f"app:{tenant.service_app.client_id}"
    assert record.headers["authorization"] == "Bearer <redacted>"
    assert record.headers["x-anchormailbox"].startswith("APP:SystemMailbox{bb558c35-")


def test_in_the_denied_world_the_service_still_works_where_employees_are_refused():
    # demo-server's default world: employees may not run the quarantine cmdlets; the service may.
    with DemoTenant(seed=False, end_user_cmdlets="denied") as tenant:
        ident = tenant.add_message(ALICE)
        scope = tenant.service_app_config()["exchange_scope"]
        result = confidential_app(tenant).acquire_token_for_client([scope])
        app = AppExo(tenant, result["access_token"])
        assert [r["Identity"] for r in app.rows("Get-QuarantineMessage")] == [ident]
        assert "Get-QuarantineMessage" in app.exported_cmdlets()
        body = {"CmdletInput": {"CmdletName": "Get-QuarantineMessage", "Parameters": {"MyItems": True}}}
        refused = tenant.session().post(
            f"{tenant.exchange_url}/adminapi/beta/{tenant.tenant_id}/InvokeCommand",
            json=body,
            headers={"Authorization": f"Bearer {tenant.token_for(ALICE)}"},
            timeout=10,
        )
        assert refused.status_code == 401
