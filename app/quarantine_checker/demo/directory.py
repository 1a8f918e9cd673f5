"""The demo tenant's directory: its people, mailboxes and the tokens it has issued.

Both demo servers share one ``Directory``: the identity provider issues tokens through it and
the Exchange emulator accepts only access tokens it issued for the Exchange audience. Every token
is RS256-signed with a key the IdP publishes (``signing_keys``, rotatable), as Entra does, so the
organisation service can validate the tokens it receives against the JWKS alone.
Thread-safe: the servers handle each request on its own thread.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field

import jwt

from quarantine_checker.demo.service_app import ServiceApp
from quarantine_checker.demo.signing_keys import SigningKeys

EXCHANGE_AUDIENCE = "https://outlook.office365.com"
DEMO_TENANT_ID = "5f2b3c4d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
DEMO_CLIENT_ID = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
DEMO_DOMAIN = "northwind.example"


@dataclass(frozen=True)
class DemoUser:
    upn: str
    display_name: str
    role: str  # "employee" | "admin" | "shared" | "guest" | "app" (an app-only service principal)
    object_id: str
    aliases: tuple[str, ...] = ()
    # Shared mailboxes this user has Full Access to (their mail shows up without MyItems).
    full_access_to: tuple[str, ...] = ()

    @property
    def primary_smtp(self) -> str:
        return self.upn.lower()

    @property
    def can_sign_in(self) -> bool:
        return self.role not in ("shared", "app")

    @property
    def is_admin(self) -> bool:
        """Admin semantics in Exchange: tenant-wide view, admin ``PermissionTo*``, ``-User`` releases.
        An app-only caller with a quarantine role gets them too (org-service.md §2.3)."""
        return self.role in ADMIN_LIKE_ROLES


ADMIN_LIKE_ROLES = frozenset({"admin", "app"})


def _oid(seed: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"qc-demo:{seed}"))


def default_users(domain: str = DEMO_DOMAIN) -> list[DemoUser]:
    return [
        DemoUser(
            f"alice@{domain}",
            "Alice Moreau",
            "employee",
            _oid("alice"),
            aliases=(f"a.moreau@{domain}",),
            full_access_to=(f"accounts@{domain}",),
        ),
        DemoUser(f"bob@{domain}", "Bob Okafor", "employee", _oid("bob")),
        DemoUser(f"it-admin@{domain}", "Priya Shah (IT)", "admin", _oid("admin")),
        DemoUser(f"accounts@{domain}", "Accounts payable (shared)", "shared", _oid("accounts")),
    ]


class InvalidToken(Exception):
    """The bearer token was not issued by this tenant for this audience, or has expired/been revoked."""


@dataclass(frozen=True)
class Caller:
    """Who a validated access token speaks for: a person, or the service principal (app-only)."""

    user: DemoUser
    app_only: bool
    roles: tuple[str, ...] = ()


@dataclass
class _RefreshGrant:
    upn: str
    client_id: str
    scope: str


@dataclass
class Directory:
    tenant_id: str = DEMO_TENANT_ID
    client_id: str = DEMO_CLIENT_ID
    domain: str = DEMO_DOMAIN
    users: dict[str, DemoUser] = field(default_factory=dict)
    access_token_lifetime: int = 3600
    signing_keys: SigningKeys = field(default_factory=SigningKeys, repr=False)
    service_app: ServiceApp = field(default_factory=ServiceApp)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _refresh: dict[str, _RefreshGrant] = field(default_factory=dict, repr=False)
    _revoked_before: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.users:
            self.users = {u.upn: u for u in default_users(self.domain)}
        # The demo IT person reviews release requests in the service's console (org-service.md §3).
        for user in self.users.values():
            if user.role == "admin":
                self.service_app.assign_reviewer(user.upn)

    # --- people -------------------------------------------------------------------------------------
    def user(self, upn: str) -> DemoUser:
        try:
            return self.users[upn.lower()]
        except KeyError:
            raise KeyError(f"no such demo user: {upn}") from None

    def add_user(self, user: DemoUser) -> None:
        with self._lock:
            self.users[user.upn.lower()] = user

    def sign_in_users(self) -> list[DemoUser]:
        return [u for u in self.users.values() if u.can_sign_in]

    # --- tokens ----------------------------------------------------------------------------------------
    @property
    def issuer(self) -> str:
        return f"https://sts.windows.net/{self.tenant_id}/"

    def issue_access_token(
        self,
        upn: str,
        audience: str = EXCHANGE_AUDIENCE,
        lifetime: int | None = None,
        scope: str = "Exchange.Manage",
        *,
        client_id: str | None = None,
    ) -> str:
        """A v1 delegated token (the shape Exchange Online receives) for ``upn``."""
        user = self.user(upn)
        now = time.time()
        claims = {
            "aud": audience,
            "iss": self.issuer,
            "iat": int(now),
            "nbf": int(now) - 5,
            "exp": int(now + self._lifetime(lifetime)),
            "ver": "1.0",
            "tid": self.tenant_id,
            "oid": user.object_id,
            "sub": user.object_id,
            "idtyp": "user",
            "upn": user.upn,
            "unique_name": user.upn,
            "name": user.display_name,
            "scp": scope,
            "appid": client_id or self.client_id,
            "jti": uuid.uuid4().hex,
            "iat_precise": now,
        }
        return self.signing_keys.sign(claims)

    def issue_service_api_token(
        self, upn: str, *, issuer: str, scope: str, lifetime: int | None = None, client_id: str | None = None
    ) -> str:
        """A v2 delegated token for the organisation service's own API (org-service.md §3).

        ``aud`` is the service's client id (v2 tokens name the API by id, not by App ID URI),
        ``scp`` the delegated scopes, ``roles`` the API's app roles assigned to the user.
        """
        user = self.user(upn)
        now = time.time()
        claims: dict[str, object] = {
            "aud": self.service_app.client_id,
            "iss": issuer,
            "iat": int(now),
            "nbf": int(now) - 5,
            "exp": int(now + self._lifetime(lifetime)),
            "ver": "2.0",
            "tid": self.tenant_id,
            "oid": user.object_id,
            "sub": user.object_id,
            "idtyp": "user",
            "azp": client_id or self.client_id,
            "azpacr": "0",
            "name": user.display_name,
            "preferred_username": user.upn,
            "scp": scope,
            "jti": uuid.uuid4().hex,
            "iat_precise": now,
        }
        roles = self.service_app.roles_of(user.upn)
        if roles:
            claims["roles"] = roles
        return self.signing_keys.sign(claims)

    def issue_app_token(self, audience: str, roles: list[str], lifetime: int | None = None) -> str:
        """A v1 app-only token for the service principal (client credentials grant)."""
        app = self.service_app
        now = time.time()
        claims: dict[str, object] = {
            "aud": audience,
            "iss": self.issuer,
            "iat": int(now),
            "nbf": int(now) - 5,
            "exp": int(now + self._lifetime(lifetime)),
            "ver": "1.0",
            "tid": self.tenant_id,
            "oid": app.sp_object_id,
            "sub": app.sp_object_id,
            "idtyp": "app",
            "appid": app.client_id,
            "appidacr": "2",  # 2 = authenticated with a certificate
            "app_displayname": app.display_name,
            "jti": uuid.uuid4().hex,
        }
        if roles:
            claims["roles"] = roles
        return self.signing_keys.sign(claims)

    def _lifetime(self, lifetime: int | None) -> int:
        return self.access_token_lifetime if lifetime is None else lifetime

    def authenticate(self, token: str, audience: str = EXCHANGE_AUDIENCE) -> Caller:
        """The person or app a v1 access token for ``audience`` speaks for. InvalidToken otherwise."""
        try:
            claims = self.signing_keys.verify(token, audience=audience, issuer=self.issuer)
        except (jwt.PyJWTError, ValueError) as exc:
            raise InvalidToken(str(exc)) from None
        if claims.get("tid") != self.tenant_id:
            raise InvalidToken("unknown tenant")
        roles = claims.get("roles") or []
        roles = tuple(str(r) for r in roles) if isinstance(roles, list) else ()
        if claims.get("idtyp") == "app":
            app = self.service_app
            if claims.get("appid") != app.client_id or claims.get("oid") != app.sp_object_id:
                raise InvalidToken("unknown service principal")
            return Caller(self.app_caller(), app_only=True, roles=roles)
        upn = str(claims.get("upn", "")).lower()
        if upn not in self.users:
            raise InvalidToken("unknown user")
        with self._lock:
            cutoff = self._revoked_before.get(upn)
        if cutoff is not None and float(claims.get("iat_precise", 0)) <= cutoff:
            raise InvalidToken("token revoked")
        return Caller(self.users[upn], app_only=False, roles=roles)

    def validate_access_token(self, token: str, audience: str = EXCHANGE_AUDIENCE) -> DemoUser:
        """The signed-in person a delegated token speaks for; an app-only token is refused here."""
        caller = self.authenticate(token, audience)
        if caller.app_only:
            raise InvalidToken("an app-only token where a person is expected")
        return caller.user

    def app_caller(self) -> DemoUser:
        """The service principal as the Exchange emulator sees it (no mailbox: MyItems finds nothing)."""
        app = self.service_app
        return DemoUser(f"app:{app.client_id}", app.display_name, "app", app.sp_object_id)

    def issue_refresh_token(self, upn: str, client_id: str, scope: str) -> str:
        token = "rt." + secrets.token_urlsafe(48)
        with self._lock:
            self._refresh[token] = _RefreshGrant(upn.lower(), client_id, scope)
        return token

    def redeem_refresh_token(self, token: str, client_id: str) -> _RefreshGrant | None:
        """Consume a refresh token (they rotate). ``None`` if unknown, revoked or for another client."""
        with self._lock:
            grant = self._refresh.pop(token, None)
        if grant is None or grant.client_id != client_id:
            return None
        return grant

    def revoke_sessions(self, upn: str) -> None:
        """What an admin's "revoke sessions" does: refresh and access tokens stop working."""
        upn = upn.lower()
        with self._lock:
            self._refresh = {t: g for t, g in self._refresh.items() if g.upn != upn}
            self._revoked_before[upn] = time.time()
