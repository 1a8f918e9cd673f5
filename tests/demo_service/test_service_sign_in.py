"""The demo IdP for the organisation service: certificate client credentials exactly as msal sends
them, user tokens for the service's own API with scp/roles, and signing keys that rotate."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from service_helpers import (
    ADMIN,
    ALICE,
    AppExo,
    confidential_app,
    device_code_token,
    public_app,
    trusting_session,
    verified_claims,
)

from quarantine_checker.demo.directory import InvalidToken
from quarantine_checker.demo.service_app import make_client_certificate

EXCHANGE = "https://outlook.office365.com"


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.mark.parametrize("form", ["public_certificate", "thumbprint"])
def test_msal_certificate_credential_gets_an_app_only_exchange_token(tenant, form):
    # msal: public_certificate -> PS256 + x5t#S256 (+ x5c); thumbprint -> RS256 + x5t (SHA-1).
    cfg = tenant.service_app_config()
    credential = {"private_key": Path(cfg["private_key_path"]).read_text()}
    if form == "thumbprint":
        credential["thumbprint"] = cfg["thumbprint"]
    else:
        credential["public_certificate"] = Path(cfg["certificate_path"]).read_text()
    result = confidential_app(tenant, credential).acquire_token_for_client([cfg["exchange_scope"]])
    assert "access_token" in result, result
    claims = verified_claims(tenant, result["access_token"], audience=EXCHANGE,
                             issuer=f"https://sts.windows.net/{cfg['tenant_id']}/")
    assert claims["idtyp"] == "app" and claims["appid"] == cfg["client_id"]
    assert claims["roles"] == ["Exchange.ManageAsApp"] and "scp" not in claims and "upn" not in claims
    assert claims["tid"] == cfg["tenant_id"]
    # ... and Exchange accepts it.
    assert AppExo(tenant, result["access_token"]).invoke("Get-QuarantineMessage").status_code == 200
    [grant] = [r for r in tenant.idp.request_log if r["grant_type"]]
    assert grant["grant_type"] == "client_credentials" and grant["status"] == 200
    assert grant["params"]["client_assertion"] == "<redacted>"  # never logged


def _assertion(tenant, *, key=None, aud=None, exp_in=600.0, iss=None, headers=None) -> str:
    cfg = tenant.service_app_config()
    now = time.time()
    claims = {
        "aud": aud or f"{cfg['authority']}/oauth2/v2.0/token",
        "iss": iss or cfg["client_id"],
        "sub": iss or cfg["client_id"],
        "iat": int(now), "nbf": int(now), "exp": int(now + exp_in), "jti": str(uuid.uuid4()),
    }
    if key is None:
        key = serialization.load_pem_private_key(Path(cfg["private_key_path"]).read_bytes(), None)
    cert = tenant.service_app.certificates[0]
    return jwt.encode(claims, key, algorithm="RS256", headers=headers or {"x5t": cert.x5t()})


def _refusal(tenant, assertion: str) -> dict:
    result = confidential_app(tenant, {"client_assertion": lambda: assertion}).acquire_token_for_client(
        [tenant.service_app_config()["exchange_scope"]]
    )
    assert "access_token" not in result
    return result


def test_an_assertion_signed_with_an_unregistered_certificate_is_refused(tenant, tmp_path):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = make_client_certificate(tmp_path, other_key, stem="other")
    result = confidential_app(
        tenant, {"private_key": _pem(other_key), "public_certificate": other.cert_file.read_text()}
    ).acquire_token_for_client([tenant.service_app_config()["exchange_scope"]])
    assert result["error"] == "invalid_client" and result["error_codes"] == [700027]
    assert "not registered on application" in result["error_description"]
    assert "Trace ID:" in result["error_description"]


def test_a_registered_thumbprint_with_another_key_fails_signature_validation(tenant):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    result = _refusal(tenant, _assertion(tenant, key=other_key))
    assert result["error_codes"] == [700027]
    assert "failed signature validation" in result["error_description"]


def test_an_assertion_for_another_audience_is_refused(tenant):
    result = _refusal(tenant, _assertion(tenant, aud="https://login.microsoftonline.com/common/oauth2/v2.0/token"))
    assert result["error"] == "invalid_client" and result["error_codes"] == [700023]


def test_an_expired_assertion_is_refused(tenant):
    result = _refusal(tenant, _assertion(tenant, exp_in=-3600))
    assert result["error"] == "invalid_client" and result["error_codes"] == [700024]


def test_an_assertion_whose_issuer_is_another_app_is_refused(tenant):
    result = _refusal(tenant, _assertion(tenant, iss=str(uuid.uuid4())))
    assert result["error_codes"] == [700021]


def test_the_service_has_no_secret_and_the_desktop_app_no_client_credentials(tenant):
    cfg = tenant.service_app_config()
    secret_app = confidential_app(tenant, "a-secret-from-a-file")
    with_secret = secret_app.acquire_token_for_client([cfg["exchange_scope"]])
    assert with_secret["error_codes"] == [7000215]
    http = trusting_session(cfg["ca_bundle"])
    public = http.post(f"{cfg['authority']}/oauth2/v2.0/token", timeout=10, data={
        "client_id": tenant.client_id, "grant_type": "client_credentials", "scope": cfg["exchange_scope"]})
    assert public.status_code == 401 and public.json()["error_codes"] == [700025]


def test_client_credentials_for_a_resource_the_tenant_does_not_know_are_refused(tenant):
    # The emulator's URL is not Exchange Online's resource id: Entra answers AADSTS500011.
    cfg = tenant.service_app_config()
    result = confidential_app(tenant).acquire_token_for_client([f"{cfg['exchange_url']}/.default"])
    assert result["error"] == "invalid_resource" and result["error_codes"] == [500011]
    scoped = confidential_app(tenant).acquire_token_for_client([f"{EXCHANGE}/Exchange.ManageAsApp"])
    assert scoped["error_codes"] == [1002012]  # client credentials take only /.default


def test_employee_token_for_the_service_api_carries_the_self_scope_and_no_roles(tenant):
    cfg = tenant.service_app_config()
    result = device_code_token(tenant, ALICE, [cfg["api_scope"]])
    assert "access_token" in result, result
    claims = verified_claims(tenant, result["access_token"], audience=cfg["audience"], issuer=cfg["issuer"])
    assert claims["scp"] == "Quarantine.Self" and "roles" not in claims
    assert claims["oid"] == tenant.directory.user(ALICE).object_id and claims["tid"] == cfg["tenant_id"]
    assert claims["ver"] == "2.0" and claims["azp"] == tenant.client_id
    # A token for the service is not a token for Exchange.
    assert AppExo(tenant, result["access_token"]).invoke("Get-QuarantineMessage").status_code == 401


def test_it_reviewer_token_carries_the_reviewer_role_and_assignment_changes_it(tenant):
    cfg = tenant.service_app_config()
    admin = device_code_token(tenant, ADMIN, [cfg["api_scope"]])
    claims = verified_claims(tenant, admin["access_token"], audience=cfg["audience"], issuer=cfg["issuer"])
    assert claims["roles"] == ["Quarantine.Reviewer"] and claims["scp"] == "Quarantine.Self"
    control = trusting_session(cfg["ca_bundle"])
    r = control.post(f"{tenant.control_url}/reviewers", json={"upn": ALICE, "assigned": True}, timeout=10)
    assert r.status_code == 200 and ALICE in r.json()["reviewers"]
    alice = device_code_token(tenant, ALICE, [f"{cfg['app_id_uri']}/.default"])
    claims = verified_claims(tenant, alice["access_token"], audience=cfg["audience"], issuer=cfg["issuer"])
    assert claims["roles"] == ["Quarantine.Reviewer"] and claims["scp"] == "Quarantine.Self"


def test_a_scope_the_service_does_not_expose_is_refused(tenant):
    flow = public_app(tenant).initiate_device_flow(
        scopes=[f"{tenant.service_app_config()['app_id_uri']}/Quarantine.All"]
    )
    assert flow.get("error") == "invalid_scope" and flow["error_codes"] == [65005]


def test_an_app_only_token_is_never_taken_for_a_person(tenant, app_token):
    with pytest.raises(InvalidToken):
        tenant.directory.validate_access_token(app_token)


def test_key_rotation_publishes_the_new_key_and_keeps_the_old_for_its_grace(tenant, app_token):
    cfg = tenant.service_app_config()
    http = trusting_session(cfg["ca_bundle"])
    old_kid = jwt.get_unverified_header(app_token)["kid"]
    assert [k["kid"] for k in http.get(cfg["jwks_uri"], timeout=10).json()["keys"]] == [old_kid]

    r = http.post(f"{tenant.control_url}/keys/rotate", json={"grace_seconds": 600}, timeout=10)
    assert r.status_code == 200
    new_kid = r.json()["kid"]
    keys = http.get(cfg["jwks_uri"], timeout=10).json()["keys"]
    assert {k["kid"] for k in keys} == {old_kid, new_kid} and all(k["alg"] == "RS256" for k in keys)
    # New tokens are signed with the new key; the old token still works during the grace period.
    fresh = device_code_token(tenant, ALICE, [cfg["api_scope"]])["access_token"]
    assert jwt.get_unverified_header(fresh)["kid"] == new_kid
    verified_claims(tenant, fresh, audience=cfg["audience"], issuer=cfg["issuer"])
    assert AppExo(tenant, app_token).invoke("Get-QuarantineMessage").status_code == 200

    # Once the grace period is over the old key is gone, and so is every token it signed.
    http.post(f"{tenant.control_url}/keys/rotate", json={"grace_seconds": 0}, timeout=10)
    kids = {k["kid"] for k in http.get(cfg["jwks_uri"], timeout=10).json()["keys"]}
    assert old_kid not in kids and new_kid not in kids and len(kids) == 1
    assert AppExo(tenant, app_token).invoke("Get-QuarantineMessage").status_code == 401


def test_an_announced_key_is_published_before_it_signs(tenant):
    cfg = tenant.service_app_config()
    http = trusting_session(cfg["ca_bundle"])
    current = tenant.directory.signing_keys.current_kid
    announced = http.post(f"{tenant.control_url}/keys/announce", json={}, timeout=10).json()["kid"]
    assert [k["kid"] for k in http.get(cfg["jwks_uri"], timeout=10).json()["keys"]] == [current, announced]
    assert jwt.get_unverified_header(tenant.user_api_token(ALICE))["kid"] == current
    assert tenant.rotate_signing_keys(60) == announced
    assert jwt.get_unverified_header(tenant.user_api_token(ALICE))["kid"] == announced


def test_the_handle_and_json_line_describe_the_service_registration(tenant):
    import json

    cfg = json.loads(json.dumps(tenant.describe()))["service_app"]
    assert cfg["api_scope"] == f"api://{cfg['client_id']}/Quarantine.Self"
    assert cfg["anchor_mailbox"] == (
        "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@northwind.example"
    )
    assert ADMIN in cfg["reviewers"] and Path(cfg["certificate_path"]).is_file()
    assert Path(cfg["private_key_path"]).stat().st_mode & 0o077 == 0  # the key is the owner's only
    doc = trusting_session(cfg["ca_bundle"]).get(cfg["openid_configuration"], timeout=10).json()
    assert doc["issuer"] == cfg["issuer"] and doc["jwks_uri"] == cfg["jwks_uri"]
    assert "private_key_jwt" in doc["token_endpoint_auth_methods_supported"]
