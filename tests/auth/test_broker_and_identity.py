"""WAM arguments (Windows only, so MSAL's broker entry point is replaced by a recorder: it cannot
exist on this Linux machine) and the identity rules applied to ID-token claims."""

from __future__ import annotations

import msal
import pytest

from quarantine_checker.auth.broker import acquire_interactive_via_broker, broker_app_kwargs
from quarantine_checker.auth.identity import identity_from_claims
from quarantine_checker.core.errors import SignInError

TENANT = "5f2b3c4d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"


def test_wam_is_opted_in_only_on_windows_with_the_broker_runtime():
    assert broker_app_kwargs("win32", has_runtime=lambda: True) == {"enable_broker_on_windows": True}
    assert broker_app_kwargs("win32", has_runtime=lambda: False) == {}  # MSAL would raise otherwise
    assert broker_app_kwargs("linux", has_runtime=lambda: True) == {}
    assert broker_app_kwargs("darwin", has_runtime=lambda: True) == {}


class RecordingWamApp:
    """Mock of the one thing that cannot exist here: MSAL's WAM call. Records what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], dict]] = []

    def acquire_token_interactive(self, scopes: list[str], **kwargs: object) -> dict:
        self.calls.append((scopes, kwargs))
        return {"error": "not_on_windows"}


def test_wam_call_gets_the_window_handle_and_no_prompt_for_silent_windows_sso():
    app = RecordingWamApp()
    acquire_interactive_via_broker(app, ["https://outlook.office365.com/.default"],
                                   parent_window_handle=0x1234, login_hint="alice@northwind.example",
                                   select_account=False, timeout=300)
    scopes, kwargs = app.calls[0]
    assert scopes == ["https://outlook.office365.com/.default"]
    assert kwargs == {"parent_window_handle": 0x1234, "login_hint": "alice@northwind.example",
                      "prompt": None, "timeout": 300}


def test_wam_from_the_command_line_uses_the_console_handle_and_switching_shows_the_picker():
    app = RecordingWamApp()
    acquire_interactive_via_broker(app, ["s"], parent_window_handle=None, login_hint=None,
                                   select_account=True, timeout=60)
    _, kwargs = app.calls[0]
    assert kwargs["parent_window_handle"] == msal.PublicClientApplication.CONSOLE_WINDOW_HANDLE
    assert kwargs["prompt"] == "select_account"


def _claims(**extra: object) -> dict:
    base = {"tid": TENANT, "preferred_username": "Alice@Northwind.example", "name": "Alice Moreau",
            "oid": "x"}
    base.update(extra)
    return base


def test_addresses_come_from_upn_and_email_lower_cased():
    claims = _claims(upn="Alice@Northwind.example", email="A.Moreau@Northwind.example")
    identity = identity_from_claims(claims, expected_tenant=TENANT)
    assert identity.upn == "alice@northwind.example"
    assert identity.addresses == {"alice@northwind.example", "a.moreau@northwind.example"}
    assert identity.owns("A.MOREAU@northwind.example")


def test_other_tenant_is_refused_but_a_domain_setting_cannot_be_compared():
    with pytest.raises(SignInError) as info:
        identity_from_claims(_claims(tid="11111111-2222-4333-8444-555555555555"), expected_tenant=TENANT)
    assert info.value.code == "wrong_tenant"
    assert identity_from_claims(_claims(), expected_tenant="northwind.example").tenant_id == TENANT


def test_hostile_claims_are_carried_as_data_or_refused():
    rtl = "Alice \u202eevil\u202c" + "x" * 1_000_000
    claims = _claims(name=rtl, email="<script>@x" + "y" * 1000)
    identity = identity_from_claims(claims, expected_tenant=TENANT)
    assert len(identity.display_name) <= 256
    assert all("<" not in a for a in identity.addresses)
    with pytest.raises(SignInError) as info:
        identity_from_claims({"tid": TENANT}, expected_tenant=TENANT)
    assert info.value.code == "no_username"
    with pytest.raises(SignInError):
        identity_from_claims("not a dict", expected_tenant=TENANT)  # type: ignore[arg-type]
