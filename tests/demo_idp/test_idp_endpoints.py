"""The demo identity provider's endpoints as a browser or a careless client would hit them."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from idp_helpers import ALICE, BOB, EXCHANGE_SCOPE, parse_form, trusting_session

from quarantine_checker.demo.directory import DEMO_CLIENT_ID, DemoUser, Directory
from quarantine_checker.demo.identity_provider import IdentityProvider, is_loopback_redirect
from quarantine_checker.demo.tls import TlsMaterial

REDIRECT = "http://localhost:8765"
SCOPE = f"{EXCHANGE_SCOPE} openid profile offline_access"


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _authorize_params(challenge: str, **overrides: str) -> dict[str, str]:
    params = {"client_id": DEMO_CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT,
              "scope": SCOPE, "state": "st-1", "nonce": "n-1", "code_challenge": challenge,
              "code_challenge_method": "S256", "response_mode": "query"}
    params.update(overrides)
    return {k: v for k, v in params.items() if v != ""}


def _authorize(http: requests.Session, idp: IdentityProvider, **params: str) -> requests.Response:
    return http.get(f"{idp.authority}/oauth2/v2.0/authorize", params=params, allow_redirects=False,
                    timeout=10)


def _code_from(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def _redeem(http: requests.Session, idp: IdentityProvider, code: str, verifier: str,
            redirect_uri: str = REDIRECT) -> requests.Response:
    return http.post(f"{idp.authority}/oauth2/v2.0/token", data={
        "client_id": DEMO_CLIENT_ID, "grant_type": "authorization_code", "code": code,
        "code_verifier": verifier, "redirect_uri": redirect_uri, "scope": SCOPE, "client_info": "1"},
        timeout=10)


@pytest.mark.parametrize("path", ["v2.0/.well-known/openid-configuration",
                                  ".well-known/openid-configuration"])
def test_discovery_documents(http: requests.Session, idp: IdentityProvider, path: str) -> None:
    doc = http.get(f"{idp.authority}/{path}", timeout=10).json()

    assert doc["issuer"] == f"{idp.authority}/v2.0"
    assert doc["authorization_endpoint"] == f"{idp.authority}/oauth2/v2.0/authorize"
    assert doc["token_endpoint"] == f"{idp.authority}/oauth2/v2.0/token"
    assert doc["device_authorization_endpoint"] == f"{idp.authority}/oauth2/v2.0/devicecode"
    assert doc["response_modes_supported"] == ["query", "form_post"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert http.get(doc["jwks_uri"], timeout=10).json()["keys"]


def test_unknown_tenant_and_unknown_path(http: requests.Session, idp: IdentityProvider) -> None:
    tenant = http.get(f"{idp.base_url}/contoso.example/v2.0/.well-known/openid-configuration", timeout=10)
    assert tenant.status_code == 400 and tenant.json()["error_codes"] == [90002]
    missing = http.get(f"{idp.base_url}/nothing/here", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_instance_discovery_points_back_at_this_idp(http: requests.Session, idp: IdentityProvider) -> None:
    body = http.get(f"{idp.base_url}/common/discovery/instance", timeout=10).json()
    assert body["tenant_discovery_endpoint"] == f"{idp.authority}/v2.0/.well-known/openid-configuration"


@pytest.mark.parametrize("overrides, code", [
    ({"client_id": "11111111-2222-3333-4444-555555555555"}, 700016),
    ({"code_challenge_method": "plain"}, 5000751),
    ({"code_challenge_method": ""}, 5000751),
    ({"code_challenge": ""}, 9002325),
    ({"redirect_uri": "https://evil.example/cb"}, 50011),
    ({"redirect_uri": "http://localhost.evil.example:8765"}, 50011),
    ({"redirect_uri": "http://user@localhost:8765"}, 50011),
    ({"redirect_uri": "http://localhost:notaport"}, 50011),
    ({"response_mode": "fragment"}, 900144),
], ids=["client", "plain-pkce", "no-method", "no-pkce", "https-elsewhere", "lookalike-host", "userinfo",
        "bad-port", "fragment"])
def test_authorize_rejects_bad_requests_without_redirecting(
        http: requests.Session, idp: IdentityProvider, overrides: dict[str, str], code: int) -> None:
    _, challenge = _pkce()

    response = _authorize(http, idp, **_authorize_params(challenge, **overrides))

    assert response.status_code == 400
    assert "Location" not in response.headers
    assert response.json()["error_codes"] == [code]


def test_loopback_redirects_accepted() -> None:
    assert is_loopback_redirect("http://localhost")
    assert is_loopback_redirect("http://localhost:51234")
    assert is_loopback_redirect("http://127.0.0.1:51234/callback")
    assert not is_loopback_redirect("http://[::ffff:7f00:1]:80")


def test_code_is_single_use_and_bound_to_verifier_and_redirect(
        http: requests.Session, idp: IdentityProvider, directory: Directory) -> None:
    verifier, challenge = _pkce()
    answer = _code_from(_authorize(http, idp, **_authorize_params(challenge)))
    assert answer["state"] == "st-1"

    wrong_verifier = _redeem(http, idp, answer["code"], "x" * 50)
    assert wrong_verifier.status_code == 400 and wrong_verifier.json()["error_codes"] == [501481]

    answer = _code_from(_authorize(http, idp, **_authorize_params(challenge)))
    wrong_redirect = _redeem(http, idp, answer["code"], verifier, redirect_uri="http://localhost:9999")
    assert wrong_redirect.status_code == 400 and wrong_redirect.json()["error"] == "invalid_grant"

    answer = _code_from(_authorize(http, idp, **_authorize_params(challenge)))
    good = _redeem(http, idp, answer["code"], verifier)
    assert good.status_code == 200
    tokens = good.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == directory.access_token_lifetime
    assert f"{EXCHANGE_SCOPE}" in tokens["scope"].split()
    assert good.headers["Cache-Control"].startswith("no-store")
    info = json.loads(base64.urlsafe_b64decode(tokens["client_info"] + "=="))
    assert info == {"uid": directory.user(ALICE).object_id, "utid": directory.tenant_id}

    replay = _redeem(http, idp, answer["code"], verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"


def test_id_token_is_signed_by_the_published_key(http: requests.Session, idp: IdentityProvider) -> None:
    verifier, challenge = _pkce()
    answer = _code_from(_authorize(http, idp, **_authorize_params(challenge, nonce="abc")))
    id_token = _redeem(http, idp, answer["code"], verifier).json()["id_token"]
    keys = http.get(f"{idp.authority}/discovery/v2.0/keys", timeout=10).json()["keys"]
    key = jwt.PyJWK(keys[0])

    claims = jwt.decode(id_token, key.key, algorithms=["RS256"], audience=DEMO_CLIENT_ID, issuer=idp.issuer)

    assert claims["nonce"] == "abc"
    assert claims["preferred_username"] == claims["upn"] == claims["email"] == ALICE
    assert claims["name"] == "Alice Moreau"
    assert {"sub", "oid", "tid", "iat", "exp"} <= set(claims)


def test_picker_page_is_shown_without_default_user_and_escapes_names(
        http: requests.Session, idp: IdentityProvider, directory: Directory) -> None:
    idp.default_user = None
    hostile = '<script>alert("x")</script>\u202eevil'
    directory.add_user(DemoUser("mallory@northwind.example", hostile, "employee", "m-oid"))
    verifier, challenge = _pkce()

    page = _authorize(http, idp, **_authorize_params(challenge, response_mode="form_post"))

    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert "Sign in to the Northwind demo tenant" in page.text
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text
    assert "accounts@northwind.example" not in page.text  # a shared mailbox cannot sign in
    form = parse_form(page.text)
    assert form.method == "post" and set(form.fields) == {"request_id"}

    chosen = http.post(f"{idp.base_url}{form.action}", data={**form.fields, "upn": BOB}, timeout=10)
    auto = parse_form(chosen.text)
    assert auto.action == REDIRECT and auto.fields["state"] == "st-1"
    tokens = _redeem(http, idp, auto.fields["code"], verifier).json()
    assert directory.validate_access_token(tokens["access_token"]).upn == BOB

    # The parked request is single-use.
    again = http.post(f"{idp.base_url}{form.action}", data={**form.fields, "upn": BOB}, timeout=10)
    assert again.status_code == 400


def test_picker_cancel_sends_access_denied_to_the_app(http: requests.Session, idp: IdentityProvider) -> None:
    idp.default_user = None
    _, challenge = _pkce()
    form = parse_form(_authorize(http, idp, **_authorize_params(challenge)).text)

    cancelled = http.post(f"{idp.base_url}{form.action}", data={**form.fields, "cancel": "1"},
                          allow_redirects=False, timeout=10)

    answer = _code_from(cancelled)
    assert answer["error"] == "access_denied" and answer["error_subcode"] == "cancel"
    assert answer["state"] == "st-1" and "code" not in answer


def test_prompt_none_without_a_user_returns_login_required(
        http: requests.Session, idp: IdentityProvider) -> None:
    idp.default_user = None
    _, challenge = _pkce()

    answer = _code_from(_authorize(http, idp, **_authorize_params(challenge, prompt="none")))

    assert answer["error"] == "login_required"


def test_token_endpoint_errors_look_like_entra(http: requests.Session, idp: IdentityProvider) -> None:
    url = f"{idp.authority}/oauth2/v2.0/token"
    correlation = "0b0e1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"

    unsupported = http.post(url, data={"client_id": DEMO_CLIENT_ID, "grant_type": "password"},
                            headers={"client-request-id": correlation}, timeout=10)
    body = unsupported.json()
    assert unsupported.status_code == 400 and body["error"] == "unsupported_grant_type"
    assert body["correlation_id"] == correlation == unsupported.headers["client-request-id"]
    assert body["error_codes"] == [70003]
    assert f"Correlation ID: {correlation}" in body["error_description"]
    assert f"Trace ID: {body['trace_id']}" in body["error_description"]
    assert body["timestamp"] in body["error_description"]

    wrong_client = http.post(url, data={"client_id": "nope", "grant_type": "refresh_token"}, timeout=10)
    assert wrong_client.status_code == 400 and wrong_client.json()["error"] == "invalid_client"

    two_resources = http.post(f"{idp.authority}/oauth2/v2.0/devicecode", data={
        "client_id": DEMO_CLIENT_ID, "scope": f"{EXCHANGE_SCOPE} https://graph.microsoft.com/User.Read"},
        timeout=10)
    assert two_resources.json()["error_codes"] == [28000]


def test_fail_next_counts_down_and_keeps_the_grant(
        http: requests.Session, idp: IdentityProvider, directory: Directory) -> None:
    refresh = directory.issue_refresh_token(ALICE, DEMO_CLIENT_ID, SCOPE)
    idp.fail_next("interaction_required", "AADSTS53003: Access has been blocked by Conditional Access "
                  "policies.", count=2)
    data = {"client_id": DEMO_CLIENT_ID, "grant_type": "refresh_token", "refresh_token": refresh,
            "scope": SCOPE}
    url = f"{idp.authority}/oauth2/v2.0/token"

    first, second = (http.post(url, data=data, timeout=10).json() for _ in range(2))
    third = http.post(url, data=data, timeout=10)

    assert first["error_codes"] == second["error_codes"] == [53003]
    assert "suberror" not in first
    assert third.status_code == 200 and "access_token" in third.json()


def test_device_codes_expire_and_can_be_declined(http: requests.Session, idp: IdentityProvider) -> None:
    url = f"{idp.authority}/oauth2/v2.0/token"
    issue = f"{idp.authority}/oauth2/v2.0/devicecode"
    grant = "urn:ietf:params:oauth:grant-type:device_code"

    idp.device_code_lifetime = 0
    expired = http.post(issue, data={"client_id": DEMO_CLIENT_ID, "scope": SCOPE}, timeout=10).json()
    poll = http.post(url, data={"client_id": DEMO_CLIENT_ID, "grant_type": grant,
                                "device_code": expired["device_code"]}, timeout=10)
    assert poll.json()["error"] == "expired_token"
    assert http.get(f"{idp.base_url}/device", params={"user_code": expired["user_code"]},
                    timeout=10).status_code == 404

    idp.device_code_lifetime = 300
    flow = http.post(issue, data={"client_id": DEMO_CLIENT_ID, "scope": SCOPE}, timeout=10).json()
    assert re.fullmatch(r"[0-9A-F]{6}", flow["user_code"])
    idp.decline_device_code(flow["user_code"])
    poll = http.post(url, data={"client_id": DEMO_CLIENT_ID, "grant_type": grant,
                                "device_code": flow["device_code"]}, timeout=10)
    assert poll.json()["error"] == "authorization_declined"


def test_device_approval_checks_code_and_user(idp: IdentityProvider, http: requests.Session) -> None:
    flow = http.post(f"{idp.authority}/oauth2/v2.0/devicecode",
                     data={"client_id": DEMO_CLIENT_ID, "scope": SCOPE}, timeout=10).json()

    with pytest.raises(KeyError):
        idp.approve_device_code("ZZZZZZ", ALICE)
    with pytest.raises(ValueError, match="cannot sign in"):
        idp.approve_device_code(flow["user_code"], "accounts@northwind.example")
    shared = http.get(f"{idp.base_url}/device", timeout=10,
                      params={"user_code": flow["user_code"], "upn": "accounts@northwind.example"})
    assert shared.status_code == 400

    idp.default_user = None
    chooser = http.get(f"{idp.base_url}/device", params={"user_code": flow["user_code"]}, timeout=10)
    assert chooser.status_code == 200 and BOB in chooser.text


def test_hostile_input_gets_errors_not_crashes(http: requests.Session, idp: IdentityProvider) -> None:
    url = f"{idp.authority}/oauth2/v2.0/token"

    huge = http.post(url, data={"client_id": DEMO_CLIENT_ID, "grant_type": "x" * 1_000_000}, timeout=10)
    assert huge.status_code == 413

    binary = http.post(url, data=b"\xff\xfe\x00grant_type=\x00\x80",
                       headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    assert binary.status_code == 400

    many = http.post(url, data="&".join(f"k{i}=v" for i in range(500)), timeout=10)
    assert many.status_code == 400

    rtl = http.post(url, data={"client_id": DEMO_CLIENT_ID, "grant_type": "\u202e<b>"}, timeout=10)
    assert rtl.status_code == 400 and rtl.json()["error"] == "unsupported_grant_type"

    # And the server still answers afterwards.
    assert http.get(f"{idp.authority}/.well-known/openid-configuration", timeout=10).status_code == 200


def test_request_log_keeps_names_but_not_secret_values(
        http: requests.Session, idp: IdentityProvider, directory: Directory) -> None:
    refresh = directory.issue_refresh_token(ALICE, DEMO_CLIENT_ID, SCOPE)
    http.post(f"{idp.authority}/oauth2/v2.0/token", data={
        "client_id": DEMO_CLIENT_ID, "grant_type": "refresh_token", "refresh_token": refresh,
        "code_verifier": "v" * 43, "device_code": "dc-secret", "code": "code-secret", "scope": SCOPE},
        timeout=10)

    record = idp.request_log[-1]
    assert record["method"] == "POST" and record["grant_type"] == "refresh_token"
    assert record["params"]["scope"] == SCOPE
    assert {record["params"][k] for k in ("refresh_token", "code_verifier", "device_code", "code")} == {
        "<redacted>"}
    logged = json.dumps(idp.request_log)
    assert refresh not in logged and "dc-secret" not in logged and "code-secret" not in logged


def test_stop_closes_the_port(directory: Directory, tls: TlsMaterial) -> None:
    provider = IdentityProvider(directory, tls)
    with pytest.raises(RuntimeError):
        _ = provider.base_url
    with provider, trusting_session(tls.ca_file) as session:
        url = f"{provider.authority}/.well-known/openid-configuration"
        assert session.get(url, timeout=10).status_code == 200
    with trusting_session(tls.ca_file) as session, pytest.raises(requests.ConnectionError):
        session.get(url, timeout=2)
