"""``TokenProvider`` for the Exchange client: every call asks MSAL (cache first, refresh when due)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .session import AuthSession


class AccountTokenProvider:
    """Bound to one account (``home_account_id``), so a client built before an account switch can
    never receive the next person's token: it gets ``AuthenticationError`` instead."""

    def __init__(self, session: AuthSession, home_account_id: str) -> None:
        self._session = session
        self.home_account_id = home_account_id

    def access_token(self, *, force_refresh: bool = False) -> str:
        return self._session._access_token(self.home_account_id, force_refresh=force_refresh)

    def __repr__(self) -> str:  # never show a token, and not the account id either
        return "AccountTokenProvider(<account>)"
