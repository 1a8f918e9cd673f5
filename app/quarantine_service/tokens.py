"""Bearer-token validation for the service's API (org-service.md §3; issue item 4 and 5).

- Signature: RS256 only, against the configured tenant's published keys only. The key set comes from the
  tenant's own OpenID metadata on the configured authority host; a token's ``jku``/``x5u``/``jwk`` headers
  are never followed. The set is fetched at the first token and refreshed daily; an unknown ``kid``
  refetches it at most once per ``refetch_seconds`` (5 minutes), so tokens naming made-up keys cannot
  make the service hammer the identity provider. (Entra publishes a new key well before signing with
  it, so a real roll-over is normally in the cache already; a surprise one costs one refetch.)
- Claims: ``iss`` is the configured tenant's issuer, ``tid`` the configured tenant, ``aud`` this service,
  ``exp``/``nbf`` within a small skew, ``oid`` a GUID.
- Who: an employee token is a user token (``scp``) carrying the employee scope; an app-only token (no
  ``scp``) is never a person. A reviewer is a user token with the reviewer app role.

Every refusal is a ``TokenError`` with a stable code; the API turns it into 401 JSON.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests

from quarantine_service.config import ServiceConfig

log = logging.getLogger(__name__)

MAX_TOKEN_BYTES = 16 * 1024
MAX_METADATA_BYTES = 256 * 1024
DAILY = 24 * 3600.0


class TokenError(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Caller:
    object_id: str
    tenant_id: str
    scopes: frozenset[str]
    roles: frozenset[str]
    expires_at: datetime
    app_only: bool


class KeySet:
    """The tenant's signing keys, fetched from its metadata; refetched on an unknown kid, rate-limited."""

    def __init__(self, config: ServiceConfig, session: requests.Session, *,
                 refetch_seconds: float | None = None, clock: Any = time.monotonic) -> None:
        self._config = config
        self._session = session
        self._refetch = config.jwks_refetch_seconds if refetch_seconds is None else refetch_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None
        self._unknown_refetch_at: float | None = None
        self.fetches = 0

    def _get_json(self, url: str) -> dict[str, Any]:
        resp = self._session.get(url, timeout=(5, 10), allow_redirects=False)
        if resp.status_code != 200 or len(resp.content) > MAX_METADATA_BYTES:
            raise TokenError("keys_unavailable", status=resp.status_code)
        data = resp.json()
        if not isinstance(data, dict):
            raise TokenError("keys_unavailable")
        return data

    def _jwks_uri(self) -> str:
        metadata = self._get_json(f"{self._config.authority}/v2.0/.well-known/openid-configuration")
        uri = metadata.get("jwks_uri")
        authority = urlsplit(self._config.authority_host)
        target = urlsplit(uri) if isinstance(uri, str) else None
        # Keys only from the configured authority host, whatever the metadata says.
        if target is None or target.scheme != "https" or target.netloc.lower() != authority.netloc.lower():
            raise TokenError("keys_unavailable", reason="jwks_uri is not on the authority host")
        return str(uri)

    def refresh(self) -> None:
        """Fetch the key set now (``check`` proves the tenant's keys can be read)."""
        with self._lock:
            self._fetch()

    def _fetch(self) -> None:
        self.fetches += 1
        data = self._get_json(self._jwks_uri())
        keys: dict[str, Any] = {}
        for jwk in data.get("keys", []) if isinstance(data.get("keys"), list) else []:
            if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or not isinstance(jwk.get("kid"), str):
                continue
            if jwk.get("use", "sig") != "sig":
                continue
            try:
                keys[jwk["kid"]] = jwt.PyJWK.from_dict(jwk, algorithm="RS256").key
            except jwt.PyJWTError:
                continue
        self._keys = keys
        self._fetched_at = self._clock()
        log.info("signing keys fetched: %d key(s)", len(keys))

    def key(self, kid: str) -> Any:
        with self._lock:
            now = self._clock()
            stale = self._fetched_at is None or now - self._fetched_at >= DAILY
            if kid in self._keys and not stale:
                return self._keys[kid]
            if not stale:  # an unknown kid: refetch, but at most once per refetch interval
                if self._unknown_refetch_at is not None and now - self._unknown_refetch_at < self._refetch:
                    raise TokenError("unknown_key")
                self._unknown_refetch_at = now
            try:
                self._fetch()
            except (requests.RequestException, ValueError) as exc:
                log.warning("signing keys could not be fetched: %s", type(exc).__name__)
                raise TokenError("keys_unavailable") from None
            if kid in self._keys:
                return self._keys[kid]
        raise TokenError("unknown_key")


def _is_guid(value: object) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


class TokenValidator:
    def __init__(self, config: ServiceConfig, keys: KeySet) -> None:
        self.config = config
        self.keys = keys

    def validate(self, token: str) -> Caller:
        if not token or len(token) > MAX_TOKEN_BYTES or token.count(".") != 2:
            raise TokenError("invalid_token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError("invalid_token") from None
        alg = header.get("alg")
        if alg != "RS256":  # covers "none" and HS256 signed with the public key
            raise TokenError("unsupported_algorithm", alg=str(alg)[:16])
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > 128:
            raise TokenError("unknown_key")
        key = self.keys.key(kid)
        try:
            claims = jwt.decode(
                token, key, algorithms=["RS256"], audience=list(self.config.audiences),
                leeway=self.config.clock_skew_seconds,
                options={"require": ["exp", "nbf", "iss", "aud", "tid", "oid"], "verify_iss": False},
            )
        except jwt.ExpiredSignatureError:
            raise TokenError("token_expired") from None
        except jwt.ImmatureSignatureError:
            raise TokenError("token_not_yet_valid") from None
        except jwt.InvalidAudienceError:
            raise TokenError("wrong_audience") from None
        except jwt.InvalidSignatureError:
            raise TokenError("bad_signature") from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenError("missing_claim", claim=exc.claim) from None
        except jwt.PyJWTError:
            raise TokenError("invalid_token") from None
        if str(claims.get("tid", "")).lower() != self.config.tenant_id:
            raise TokenError("wrong_tenant")
        if claims.get("iss") not in self.config.issuers:
            raise TokenError("wrong_issuer")
        oid = claims.get("oid")
        if not _is_guid(oid):
            raise TokenError("invalid_token", claim="oid")
        scp = claims.get("scp")
        roles = claims.get("roles")
        return Caller(
            object_id=str(oid).lower(), tenant_id=self.config.tenant_id,
            scopes=frozenset(scp.split()) if isinstance(scp, str) else frozenset(),
            roles=frozenset(r for r in (roles if isinstance(roles, list) else []) if isinstance(r, str)),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
            app_only=not isinstance(scp, str),
        )

    def employee(self, token: str) -> Caller:
        caller = self.validate(token)
        if caller.app_only:
            raise TokenError("app_only_token")
        if self.config.employee_scope not in caller.scopes:
            raise TokenError("missing_scope", scope=self.config.employee_scope)
        return caller

    def reviewer(self, token: str) -> Caller:
        caller = self.employee(token)  # a reviewer is a person: a user token for this API
        if self.config.reviewer_role not in caller.roles:
            raise TokenError("missing_role", role=self.config.reviewer_role)
        return caller
