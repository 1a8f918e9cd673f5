"""The demo tenant's directory: its people, mailboxes and the tokens it has issued.

Both demo servers share one ``Directory``: the identity provider issues tokens through it and
the Exchange emulator accepts only access tokens it issued for the Exchange audience.
Thread-safe: the servers handle each request on its own thread.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field

import jwt

EXCHANGE_AUDIENCE = "https://outlook.office365.com"
DEMO_TENANT_ID = "5f2b3c4d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
DEMO_CLIENT_ID = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
DEMO_DOMAIN = "northwind.example"


@dataclass(frozen=True)
class DemoUser:
    upn: str
    display_name: str
    role: str  # "employee" | "admin" | "shared" | "guest"
    object_id: str
    aliases: tuple[str, ...] = ()
    # Shared mailboxes this user has Full Access to (their mail shows up without MyItems).
    full_access_to: tuple[str, ...] = ()

    @property
    def primary_smtp(self) -> str:
        return self.upn.lower()

    @property
    def can_sign_in(self) -> bool:
        return self.role != "shared"


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
    _secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _refresh: dict[str, _RefreshGrant] = field(default_factory=dict, repr=False)
    _revoked_before: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.users:
            self.users = {u.upn: u for u in default_users(self.domain)}

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
    ) -> str:
        user = self.user(upn)
        now = time.time()
        claims = {
            "aud": audience,
            "iss": self.issuer,
            "iat": int(now),
            "nbf": int(now) - 5,
            "exp": int(now + (self.access_token_lifetime if lifetime is None else lifetime)),
            "tid": self.tenant_id,
            "oid": user.object_id,
            "upn": user.upn,
            "unique_name": user.upn,
            "name": user.display_name,
            "scp": scope,
            "appid": self.client_id,
            "jti": uuid.uuid4().hex,
            "iat_precise": now,
        }
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def validate_access_token(self, token: str, audience: str = EXCHANGE_AUDIENCE) -> DemoUser:
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=["HS256"], audience=audience, issuer=self.issuer, leeway=0
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from None
        upn = str(claims.get("upn", "")).lower()
        if upn not in self.users or claims.get("tid") != self.tenant_id:
            raise InvalidToken("unknown user or tenant")
        with self._lock:
            cutoff = self._revoked_before.get(upn)
        if cutoff is not None and float(claims.get("iat_precise", 0)) <= cutoff:
            raise InvalidToken("token revoked")
        return self.users[upn]

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
