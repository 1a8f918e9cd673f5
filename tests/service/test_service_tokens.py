"""Item 5's token table, one test per row: every token that is not valid for this service and tenant
gets 401 with a JSON error code. Tokens come from the demo IdP; the rows that need a token the IdP
would never issue (wrong tenant, expired, ...) re-sign its claims with the tenant's own signing key, so
only the one claim under test is wrong."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from service_api import ALICE, BOB, RunningService


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def _signed(svc: RunningService, **changes: Any) -> str:
    """Alice's real token with some claims changed (None removes one), signed by the tenant's key."""
    claims = _claims(svc.token(ALICE))
    for key, value in changes.items():
        if value is None:
            claims.pop(key, None)
        else:
            claims[key] = value
    return svc.tenant.directory.signing_keys.sign(claims)


def _refused(svc: RunningService, token: str, code: str, path: str = "/v1/me") -> None:
    resp = svc.api.get(path, token)
    assert resp.status_code == 401, resp.text
    assert resp.json() == {"error": {"code": code, "params": resp.json()["error"]["params"]}}
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_valid_employee_token_is_accepted(svc: RunningService) -> None:
    me = svc.api.ok("GET", "/v1/me", svc.token(ALICE))
    assert me["primary_address"] == ALICE


def test_no_token(svc: RunningService) -> None:
    resp = svc.api.get("/v1/me")
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "missing_token"


def test_wrong_audience(svc: RunningService) -> None:
    # A real token from the same tenant, for Exchange rather than for this service.
    _refused(svc, svc.tenant.token_for(ALICE), "wrong_audience")


def test_wrong_tenant(svc: RunningService) -> None:
    _refused(svc, _signed(svc, tid=str(uuid.uuid4())), "wrong_tenant")


def test_wrong_issuer(svc: RunningService) -> None:
    _refused(svc, _signed(svc, iss="https://login.example.net/evil/v2.0"), "wrong_issuer")


def test_expired(svc: RunningService) -> None:
    now = int(time.time())
    _refused(svc, _signed(svc, iat=now - 7200, nbf=now - 7200, exp=now - 3600), "token_expired")


def test_not_yet_valid(svc: RunningService) -> None:
    now = int(time.time())
    _refused(svc, _signed(svc, nbf=now + 3600, exp=now + 7200), "token_not_yet_valid")


def test_alg_none(svc: RunningService) -> None:
    claims = _claims(svc.token(ALICE))
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    _refused(svc, token, "unsupported_algorithm")


def test_hs256_signed_with_the_public_key(svc: RunningService) -> None:
    token = svc.token(ALICE)
    kid = jwt.get_unverified_header(token)["kid"]
    jwks = svc.api.session.get(svc.tenant.service_app_config()["jwks_uri"], timeout=10).json()
    public = jwt.PyJWK.from_dict(next(k for k in jwks["keys"] if k["kid"] == kid)).key
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    _refused(svc, _hs256(pem, kid, _claims(token)), "unsupported_algorithm")


def _hs256(secret: bytes, kid: str, claims: dict[str, Any]) -> str:
    # PyJWT refuses to use a PEM key as an HMAC secret (that refusal is the point); forge it by hand.
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_b64(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def test_unknown_key_id_and_refetch_at_most_once(svc: RunningService) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = _claims(svc.token(ALICE))
    svc.api.ok("GET", "/v1/me", svc.token(ALICE))  # the key set is loaded
    fetches = svc.service.keys.fetches
    for n in range(3):
        forged = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": f"made-up-{n}"})
        _refused(svc, forged, "unknown_key")
    assert svc.service.keys.fetches == fetches + 1  # one refetch for three unknown kids, not three


def test_key_the_token_names_is_not_the_one_that_signed_it(svc: RunningService) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = svc.token(ALICE)
    forged = jwt.encode(_claims(token), stranger, algorithm="RS256",
                        headers={"kid": jwt.get_unverified_header(token)["kid"],
                                 "jku": "https://attacker.example/keys"})  # jku is never followed
    _refused(svc, forged, "bad_signature")


def test_missing_scope(svc: RunningService) -> None:
    _refused(svc, _signed(svc, scp="User.Read"), "missing_scope")


def test_app_only_token_on_the_employee_api(svc: RunningService) -> None:
    directory = svc.tenant.directory
    token = directory.issue_app_token(directory.service_app.client_id, [])
    _refused(svc, token, "app_only_token")


def test_forged_oid(svc: RunningService) -> None:
    token = svc.token(ALICE)
    header, _payload, signature = token.split(".")
    claims = _claims(token)
    claims["oid"] = _claims(svc.token(BOB))["oid"]
    _refused(svc, f"{header}.{_b64(claims)}.{signature}", "bad_signature")


def test_token_in_the_query_string_is_refused_even_with_a_header(svc: RunningService) -> None:
    token = svc.token(ALICE)
    resp = svc.api.get(f"/v1/me?access_token={token}", token)
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "token_in_query"


def test_reviewer_api_needs_the_role(svc: RunningService) -> None:
    resp = svc.api.get("/v1/review/requests", svc.token(ALICE))
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "missing_role"


@pytest.mark.parametrize("path", ["/v1/messages", "/v1/events"])
def test_every_employee_route_checks_the_token(svc: RunningService, path: str) -> None:
    _refused(svc, _signed(svc, scp="User.Read"), "missing_scope", path)


def test_key_rotation_mid_session(svc: RunningService) -> None:
    before = svc.token(ALICE)
    svc.api.ok("GET", "/v1/me", before)
    fetches = svc.service.keys.fetches
    svc.tenant.rotate_signing_keys(grace_seconds=3600)  # a surprise roll-over: the key was never announced
    after = svc.token(ALICE)
    assert jwt.get_unverified_header(after)["kid"] != jwt.get_unverified_header(before)["kid"]
    svc.api.ok("GET", "/v1/me", after)  # the new key is fetched on first sight
    assert svc.service.keys.fetches == fetches + 1
    svc.api.ok("GET", "/v1/me", before)  # the old one is still published during its grace period


def test_a_key_announced_before_the_roll_over_needs_no_refetch(svc: RunningService) -> None:
    svc.tenant.announce_next_signing_key()  # as Entra publishes the next key weeks ahead
    svc.api.ok("GET", "/v1/me", svc.token(ALICE))
    fetches = svc.service.keys.fetches
    svc.tenant.rotate_signing_keys(grace_seconds=3600)
    svc.api.ok("GET", "/v1/me", svc.token(ALICE))
    assert svc.service.keys.fetches == fetches
