"""Who is signed in, and where access tokens come from.

The Exchange client depends only on these two shapes; ``auth/`` provides the real ones and
tests or the demo may provide simple ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class UserIdentity:
    """The signed-in person. ``addresses`` are every SMTP address that is theirs (lower-case)."""

    upn: str
    tenant_id: str
    display_name: str = ""
    addresses: frozenset[str] = field(default_factory=frozenset)

    def owns(self, address: str) -> bool:
        return address.strip().lower() in self.addresses or address.strip().lower() == self.upn.lower()


class TokenProvider(Protocol):
    """Hands out a bearer token for the Exchange Online resource.

    ``force_refresh=True`` is asked for once after a 401; it must not return the same token.
    Raising ``AuthenticationError`` means the user has to sign in again.
    """

    def access_token(self, *, force_refresh: bool = False) -> str: ...
