"""The demo identity provider driven by the real MSAL library over real HTTPS."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import msal
import pytest
import requests
from idp_helpers import ALICE, BOB, EXCHANGE_SCOPE, FakeBrowser, sign_in, sign_in_by_device_code

from quarantine_checker.demo.directory import (
    DEMO_CLIENT_ID,
    EXCHANGE_AUDIENCE,
    DemoUser,
    Directory,
    InvalidToken,
)
from quarantine_checker.demo.identity_provider import IdentityProvider

GUEST_UPN = "carol_contoso.test#EXT#@northwind.example"


def _token_posts(idp: IdentityProvider) -> list[dict]:
    return [r for r in idp.request_log if r["path"].endswith("/oauth2/v2.0/token")]


def _redeem_directly(http: requests.Session, idp: IdentityProvider, refresh_token: str) -> requests.Response:
    return http.post(f"{idp.authority}/oauth2/v2.0/token", data={
        "client_id": DEMO_CLIENT_ID, "grant_type": "refresh_token", "refresh_token": refresh_token,
        "scope": f"{EXCHANGE_SCOPE} offline_access openid profile",
    }, timeout=10)


def test_interactive_sign_in_gives_an_exchange_token_the_tenant_accepts(
        app: msal.PublicClientApplication, browser: FakeBrowser, idp: IdentityProvider,
        directory: Directory) -> None:
    result = sign_in(app, browser)

    assert "access_token" in result, result.get("error_description")
    assert result["token_source"] == "identity_provider"
    assert directory.validate_access_token(result["access_token"], EXCHANGE_AUDIENCE).upn == ALICE
    assert result["id_token_claims"]["preferred_username"] == ALICE
    assert result["id_token_claims"]["tid"] == directory.tenant_id
    alice = directory.user(ALICE)
    [account] = app.get_accounts()
    assert account["username"] == ALICE
    assert account["home_account_id"] == f"{alice.object_id}.{directory.tenant_id}"
    # The browser really went through form_post to MSAL's own loopback listener.
    assert browser.authorize_status == 200 and browser.loopback_status == 200
    assert "response_mode=form_post" in browser.visited[0]
    # No secret value ever lands in the request log.
    logged = json.dumps(idp.request_log)
    for secret in (result["access_token"], result["refresh_token"], result["id_token"]):
        assert secret not in logged
    [token_post] = _token_posts(idp)
    assert token_post["grant_type"] == "authorization_code"
    assert token_post["params"]["code"] == token_post["params"]["code_verifier"] == "<redacted>"


def test_silent_uses_the_cache_without_asking_the_idp(
        app: msal.PublicClientApplication, idp: IdentityProvider) -> None:
    first = sign_in_by_device_code(app, idp, ALICE)
    idp.clear_log()

    again = app.acquire_token_silent([EXCHANGE_SCOPE], account=app.get_accounts()[0])

    assert again is not None and again["token_source"] == "cache"
    assert again["access_token"] == first["access_token"]
    assert _token_posts(idp) == []


def test_forced_refresh_rotates_the_refresh_token(
        app: msal.PublicClientApplication, idp: IdentityProvider, directory: Directory,
        http: requests.Session) -> None:
    first = sign_in_by_device_code(app, idp, ALICE)

    refreshed = app.acquire_token_silent([EXCHANGE_SCOPE], account=app.get_accounts()[0], force_refresh=True)

    assert refreshed is not None and refreshed["token_source"] == "identity_provider"
    assert refreshed["access_token"] != first["access_token"]
    assert directory.validate_access_token(refreshed["access_token"]).upn == ALICE
    assert idp.grant_types_seen()[-1] == "refresh_token"
    # The refresh token MSAL used first has been consumed: replaying it is refused, Entra-style.
    replay = _redeem_directly(http, idp, first["refresh_token"])
    assert replay.status_code == 400
    body = replay.json()
    assert body["error"] == "invalid_grant" and body["error_codes"] == [70000]


def test_short_lived_tokens_are_refreshed_silently(
        app: msal.PublicClientApplication, idp: IdentityProvider) -> None:
    # MSAL treats a token with under five minutes left as expired; a 120 s lifetime therefore
    # makes every silent call refresh, which is how tests exercise silent refresh quickly.
    idp.access_token_lifetime = 120
    first = sign_in_by_device_code(app, idp, ALICE)
    assert first["expires_in"] == 120

    again = app.acquire_token_silent([EXCHANGE_SCOPE], account=app.get_accounts()[0])

    assert again is not None and again["token_source"] == "identity_provider"
    assert idp.grant_types_seen()[-1] == "refresh_token"


def test_revoked_sessions_make_silent_refresh_fail_with_invalid_grant(
        app: msal.PublicClientApplication, idp: IdentityProvider, directory: Directory) -> None:
    first = sign_in_by_device_code(app, idp, ALICE)

    directory.revoke_sessions(ALICE)
    result = app.acquire_token_silent_with_error(
        [EXCHANGE_SCOPE], account=app.get_accounts()[0], force_refresh=True)

    assert result is not None and result["error"] == "invalid_grant"
    assert result["error_codes"] == [70000]
    assert "access_token" not in result
    with pytest.raises(InvalidToken):
        directory.validate_access_token(first["access_token"])


def test_device_flow_signs_in_the_user_who_approves_it(
        app: msal.PublicClientApplication, idp: IdentityProvider, http: requests.Session,
        directory: Directory) -> None:
    flow = app.initiate_device_flow([EXCHANGE_SCOPE])
    assert flow["interval"] == 1 and flow["expires_in"] == 300
    assert flow["verification_uri"] == f"{idp.base_url}/device"
    assert flow["user_code"] in flow["message"]

    # Before anyone approves, polling is told to keep waiting.
    pending = http.post(f"{idp.authority}/oauth2/v2.0/token", data={
        "client_id": DEMO_CLIENT_ID, "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "device_code": flow["device_code"]}, timeout=10)
    assert pending.status_code == 400 and pending.json()["error"] == "authorization_pending"

    # What the person does on their phone: open the verification page with the code, as Bob.
    page = http.get(flow["verification_uri"], params={"user_code": flow["user_code"], "upn": BOB}, timeout=10)
    assert page.status_code == 200 and page.text == "approved"

    result = app.acquire_token_by_device_flow(flow)

    assert "access_token" in result, result.get("error_description")
    assert directory.validate_access_token(result["access_token"]).upn == BOB
    assert app.get_accounts()[0]["username"] == BOB
    assert "<redacted>" in json.dumps([r["params"] for r in _token_posts(idp)])
    assert flow["device_code"] not in json.dumps(idp.request_log)


def test_device_code_approved_through_the_handle(
        app: msal.PublicClientApplication, idp: IdentityProvider, directory: Directory) -> None:
    flow = app.initiate_device_flow([EXCHANGE_SCOPE])
    idp.approve_device_code(flow["user_code"], ALICE)

    result = app.acquire_token_by_device_flow(flow)

    assert directory.validate_access_token(result["access_token"]).upn == ALICE


def test_mfa_challenge_surfaces_entra_details_in_msal_result(
        app: msal.PublicClientApplication, browser: FakeBrowser, idp: IdentityProvider) -> None:
    sign_in_by_device_code(app, idp, ALICE)
    account = app.get_accounts()[0]
    claims = '{"access_token":{"capolids":{"essential":true,"values":["c1"]}}}'
    idp.fail_next("interaction_required",
                  "AADSTS50076: Due to a configuration change made by your administrator, or because you "
                  "moved to a new location, you must use multi-factor authentication to access "
                  "'00000002-0000-0ff1-ce00-000000000000'.", suberror="basic_action", claims=claims)

    result = app.acquire_token_silent_with_error([EXCHANGE_SCOPE], account=account, force_refresh=True)

    assert result is not None and result["error"] == "interaction_required"
    assert result["error_codes"] == [50076]
    assert result["error_description"].startswith("AADSTS50076: ")
    assert f"Correlation ID: {result['correlation_id']}" in result["error_description"]
    assert result["suberror"] == "basic_action" and result["classification"] == "basic_action"
    assert result["claims"] == claims
    # The correlation id is the one MSAL sent (client-request-id), so support can match the two.
    assert _token_posts(idp)[-1]["correlation_id"] == result["correlation_id"]

    # MSAL remembers an HTTP 400 for the identical request for 60 s: repeating the silent call
    # does not reach the identity provider at all. Only a new interactive sign-in gets through.
    sent = len(_token_posts(idp))
    repeat = app.acquire_token_silent_with_error([EXCHANGE_SCOPE], account=account, force_refresh=True)
    assert repeat is not None and repeat["error"] == "interaction_required"
    assert len(_token_posts(idp)) == sent

    again = sign_in(app, browser, login_hint=ALICE, claims_challenge=claims)
    assert "access_token" in again


def test_cancelled_sign_in_returns_an_error_result(
        app: msal.PublicClientApplication, browser: FakeBrowser, idp: IdentityProvider) -> None:
    idp.fail_next_authorize()  # the user pressed Cancel in the browser

    result = sign_in(app, browser)

    assert result["error"] == "access_denied"
    assert result["error_description"].startswith("AADSTS65004")
    assert "access_token" not in result
    assert app.get_accounts() == []
    assert _token_posts(idp) == []


def test_login_hint_chooses_the_account_over_the_default(
        app: msal.PublicClientApplication, browser: FakeBrowser, directory: Directory) -> None:
    result = sign_in(app, browser, login_hint=BOB)

    assert directory.validate_access_token(result["access_token"]).upn == BOB


def test_guest_account_signs_in_with_home_address_as_username(
        app: msal.PublicClientApplication, browser: FakeBrowser, directory: Directory) -> None:
    directory.add_user(DemoUser(GUEST_UPN, "Carol (Contoso)", "guest",
                                "0c0c0c0c-0000-4000-8000-00000000c0c0"))

    result = sign_in(app, browser, login_hint="carol@contoso.test")

    claims = result["id_token_claims"]
    assert claims["preferred_username"] == "carol@contoso.test"
    assert claims["upn"] == GUEST_UPN and "#EXT#" in claims["upn"]
    assert claims["tid"] == directory.tenant_id and claims["idp"].startswith("https://sts.windows.net/")
    assert app.get_accounts()[0]["username"] == "carol@contoso.test"
    assert directory.validate_access_token(result["access_token"]).upn == GUEST_UPN


@pytest.mark.parametrize("options", [
    {"validate_authority": False, "instance_discovery": None},
    {"instance_discovery": False},
], ids=["validate_authority_false", "instance_discovery_false"])
def test_msal_authority_settings_reach_only_the_local_idp(
        make_app: Callable[..., msal.PublicClientApplication], idp: IdentityProvider,
        options: dict) -> None:
    app = make_app(**{k: v for k, v in options.items() if v is not None})
    started = time.monotonic()
    flow = app.initiate_device_flow([EXCHANGE_SCOPE])

    assert flow["verification_uri"].startswith(idp.base_url)
    assert time.monotonic() - started < 5
    assert {r["path"] for r in idp.request_log} >= {
        f"/{idp.directory.tenant_id}/v2.0/.well-known/openid-configuration"}


def test_oidc_authority_is_accepted_too(idp: IdentityProvider, http: requests.Session) -> None:
    app = msal.PublicClientApplication(DEMO_CLIENT_ID, oidc_authority=idp.authority, http_client=http)

    flow = app.initiate_device_flow([EXCHANGE_SCOPE])

    assert flow["user_code"]
    assert any(r["path"] == f"/{idp.directory.tenant_id}/.well-known/openid-configuration"
               for r in idp.request_log)
