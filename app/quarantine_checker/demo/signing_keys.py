"""The demo tenant's token-signing keys: RS256, published as a JWKS, rotated on request.

Entra signs every token with one of the keys its ``jwks_uri`` lists and names it in the ``kid``
header; a relying party (the organisation service) caches that set and refetches it when a token
names a key it does not know. ``rotate()`` imitates a key roll-over: new tokens are signed with a
fresh key at once, while the old key stays published (and its tokens valid) for a grace period.
``announce_next()`` first publishes the next key without signing with it, as Entra does well before
a roll-over, so a relying party that refreshed its cache meanwhile already knows the key.

Key generation costs ~40 ms; a fresh tenant per test would spend more on it than on the test, so
the *first* key of every key set comes from one per-process cache and only rotation makes new
ones. Each key set still names its first key with its own random ``kid``, so a token from another
demo tenant never finds its key here (verification looks keys up by ``kid`` only). The limit: two
tenants in *one* process share that key material, so a token from one re-labelled with the other's
``kid`` would verify. ``demo-server`` runs one tenant per process; a test that needs a truly foreign
key generates one (``new_rsa_key()``) or rotates first.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

_cache_lock = threading.Lock()
_cached_keys: dict[str, rsa.RSAPrivateKey] = {}


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def process_rsa_key(purpose: str = "token-signing") -> rsa.RSAPrivateKey:
    """One RSA key per process and purpose, reused by every demo tenant (see the module docstring)."""
    with _cache_lock:
        key = _cached_keys.get(purpose)
        if key is None:
            key = _cached_keys[purpose] = new_rsa_key()
        return key


@dataclass
class SigningKey:
    kid: str
    key: rsa.RSAPrivateKey
    retire_at: float | None = None  # None: current or not yet retired

    def public_jwk(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return jwk


class SigningKeys:
    """The current signing key plus retired keys still inside their grace period. Thread-safe."""

    def __init__(self, first: rsa.RSAPrivateKey | None = None) -> None:
        self._lock = threading.Lock()
        self._keys: list[SigningKey] = [SigningKey(self._new_kid(), first or process_rsa_key())]
        self._next: SigningKey | None = None  # published, not yet signing

    @staticmethod
    def _new_kid() -> str:
        return secrets.token_urlsafe(12)

    def _live(self, now: float) -> list[SigningKey]:
        self._keys = [k for k in self._keys if k.retire_at is None or k.retire_at > now]
        return self._keys

    @property
    def current_kid(self) -> str:
        with self._lock:
            return self._keys[-1].kid

    def kids(self) -> list[str]:
        """Every published key id: retired ones still in their grace period, the current one, and
        last the announced next one if there is one."""
        with self._lock:
            return [k.kid for k in self._published(time.time())]

    def _published(self, now: float) -> list[SigningKey]:
        return [*self._live(now), *([self._next] if self._next else [])]

    def announce_next(self, *, key: rsa.RSAPrivateKey | None = None) -> str:
        """Publish the key the next ``rotate()`` will sign with; returns its id (the same if called twice)."""
        with self._lock:
            if self._next is None:
                self._next = SigningKey(self._new_kid(), key or new_rsa_key())
            return self._next.kid

    def rotate(self, grace_seconds: float = 3600.0, *, key: rsa.RSAPrivateKey | None = None) -> str:
        """Sign with a new key from now on; the old ones stay published for ``grace_seconds``.

        Returns the new key id. ``grace_seconds=0`` drops the old key (and its tokens) at once.
        """
        now = time.time()
        with self._lock:
            fresh, self._next = self._next or SigningKey(self._new_kid(), key or new_rsa_key()), None
            for old in self._keys:
                if old.retire_at is None or old.retire_at > now + grace_seconds:
                    old.retire_at = now + max(0.0, grace_seconds)
            self._keys.append(fresh)
            self._live(now)
        return fresh.kid

    def jwks(self) -> dict[str, Any]:
        """What ``jwks_uri`` serves: the current key and the ones still in their grace period."""
        with self._lock:
            keys = list(self._published(time.time()))
        return {"keys": [k.public_jwk() for k in keys]}

    def sign(self, claims: dict[str, Any]) -> str:
        with self._lock:
            current = self._keys[-1]
        return jwt.encode(claims, current.key, algorithm="RS256", headers={"kid": current.kid, "typ": "JWT"})

    def verify(self, token: str, *, audience: str, issuer: str, leeway: float = 0) -> dict[str, Any]:
        """The token's claims if a published key signed it and aud/iss/exp hold; else PyJWTError."""
        header = jwt.get_unverified_header(token)
        if header.get("alg") != "RS256":
            raise jwt.InvalidAlgorithmError("only RS256 tokens are issued here")
        kid = header.get("kid")
        with self._lock:
            # An announced key has signed nothing yet: a token naming it is not one of ours.
            match = next((k for k in self._live(time.time()) if k.kid == kid), None)
        if match is None:
            raise jwt.InvalidKeyError("the token names no published signing key")
        return jwt.decode(
            token,
            match.key.public_key(),
            algorithms=["RS256"],
            audience=audience,
            issuer=issuer,
            leeway=leeway,
        )
