"""Signing in to Microsoft 365 with MSAL Python (public client), synchronously.

One long-lived ``PublicClientApplication`` per session, built in ``start()`` (its construction fetches
the authority's metadata, so callers keep it off the UI thread, like every other method here).
Order of preference: silent (``restore``), then WAM on Windows, then the system browser with PKCE via
the app's own loopback listener (see ``loopback.py`` for why we own the redirect), and device code for
the command line only. Scope: Exchange Online's ``.default``.

Only one account is kept in the cache: a successful sign-in removes any other account, so "switch
account" is simply an interactive sign-in with ``select_account=True`` and ``restore`` never has to guess.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import msal
import requests
from msal.oauth2cli.oidc import decode_part

from quarantine_checker.core.account import TokenProvider, UserIdentity
from quarantine_checker.core.errors import (
    AuthenticationError,
    ConfigurationError,
    NetworkError,
    SignInCancelled,
    SignInError,
)

from . import broker
from . import sign_in_errors as codes
from .identity import identity_from_claims, with_addresses
from .loopback import LoopbackReceiver
from .token_provider import AccountTokenProvider

log = logging.getLogger(__name__)

EXCHANGE_SCOPES = ["https://outlook.office365.com/.default"]
# Hosts where MSAL's instance discovery works; any other authority (the demo tenant, a sovereign
# cloud given as a tenant URL) is used as configured.
_DISCOVERY_HOSTS = {"login.microsoftonline.com", "login.windows.net", "login.microsoft.com",
                    "login.microsoftonline.us", "login.partner.microsoftonline.cn"}
HTTP_TIMEOUT = 30  # seconds, for every MSAL HTTP call; a sign-in must never hang on the network


def _network_error(exc: requests.RequestException) -> NetworkError:
    return NetworkError("Couldn't reach the Microsoft sign-in service.", error=type(exc).__name__)


class AuthSession:
    """Sign-in state for one app run. Thread-safe; every method may block (network, browser, keyring)."""

    def __init__(
        self,
        config: Any,
        token_cache: msal.TokenCache,
        *,
        http_session: requests.Session | None = None,
        open_browser: Callable[[str], bool] | None = None,
        on_sign_out: Callable[[], Any] | None = None,
        platform: str | None = None,
    ) -> None:
        self.config = config
        self.token_cache = token_cache
        # The road decides the resource: the organisation service's own API scope when IT deployed it
        # (a token for Exchange never goes to the service, nor the service's to Exchange), else Exchange.
        on_service_road = bool(getattr(config, "service_url", None))
        service_scope = getattr(config, "service_scope", None) if on_service_road else None
        self.scopes: list[str] = [service_scope] if service_scope else list(EXCHANGE_SCOPES)
        self._http = http_session or requests.Session()
        self._open_browser = open_browser
        self._on_sign_out = on_sign_out
        self._platform = platform or sys.platform
        self._lock = threading.RLock()
        self._app: msal.PublicClientApplication | None = None
        self._account: dict[str, Any] | None = None
        self.identity: UserIdentity | None = None
        # The last account seen in the cache, even if it needs interaction: a login hint for sign-in.
        self.remembered_username: str | None = None
        # The window WAM's sign-in sits on: the GUI sets int(main_window.winId()), the command line
        # broker.CONSOLE_WINDOW. None (nobody said): WAM is not used, the browser is.
        self.parent_window_handle: int | None = None

    # --- the MSAL application ---------------------------------------------------------------------
    def start(self) -> None:
        """Build the PublicClientApplication (fetches the authority's metadata)."""
        with self._lock:
            if self._app is None:
                self._app = self._build_app()

    def _build_app(self) -> msal.PublicClientApplication:
        authority = str(getattr(self.config, "authority", "") or "")
        client_id = str(getattr(self.config, "client_id", "") or "")
        if not authority or not client_id:
            raise ConfigurationError("The sign-in settings (tenant and app id) are missing.",
                                     missing="authority" if not authority else "client_id")
        host = (urlsplit(authority).hostname or "").lower()
        broker_kwargs = broker.broker_app_kwargs(self._platform)
        try:
            try:
                return self._new_app(client_id, authority, host, broker_kwargs)
            except (ImportError, RuntimeError) as exc:
                if not broker_kwargs:
                    raise
                # MSAL lets the broker's load failure out of its constructor: sign in with the browser.
                log.warning("Windows sign-in broker failed to start (%s); using the browser",
                            type(exc).__name__)
                return self._new_app(client_id, authority, host, {})
        except requests.RequestException as exc:
            raise _network_error(exc) from exc
        except ValueError as exc:  # MSAL: malformed authority, http:// authority, bad metadata
            raise ConfigurationError("The sign-in address in the settings can't be used.",
                                     authority_host=host or None, error=type(exc).__name__) from exc

    def _new_app(self, client_id: str, authority: str, host: str,
                 broker_kwargs: dict[str, Any]) -> msal.PublicClientApplication:
        return msal.PublicClientApplication(
            client_id,
            authority=authority,
            token_cache=self.token_cache,
            http_client=self._http,
            instance_discovery=host in _DISCOVERY_HOSTS,
            timeout=HTTP_TIMEOUT,
            **broker_kwargs,
        )

    @property
    def app(self) -> msal.PublicClientApplication:
        self.start()
        assert self._app is not None
        return self._app

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Every MSAL call: network trouble becomes NetworkError, never a raw requests exception."""
        try:
            return fn(*args, **kwargs)
        except requests.RequestException as exc:
            raise _network_error(exc) from exc

    # --- silent ----------------------------------------------------------------------------------
    def restore(self) -> UserIdentity | None:
        """Silent sign-in for the remembered account. None if there is none or it needs the user."""
        app = self.app
        accounts = self._call(app.get_accounts)
        if not accounts:
            return None
        account = accounts[0]
        self.remembered_username = account.get("username") or None
        result = self._call(app.acquire_token_silent_with_error, self.scopes, account)
        if not result or "access_token" not in result:
            facts = codes.error_facts(result) if isinstance(result, Mapping) else {"code": "no_token"}
            log.info("silent sign-in needs the user (%s, correlation %s)", facts["code"],
                     facts.get("correlation_id"))
            return None
        claims = result.get("id_token_claims") or self._cached_claims(account)
        try:
            identity = identity_from_claims(claims, expected_tenant=self._expected_tenant())
        except SignInError as exc:
            # E.g. the settings now name another organisation: forget that account rather than use it.
            log.warning("remembered account is not usable here (%s); forgetting it", exc.code)
            self._call(app.remove_account, account)
            self.remembered_username = None
            return None
        return self._become(account, identity)

    def _cached_claims(self, account: Mapping[str, Any]) -> dict[str, Any]:
        """A cache hit has no ``id_token_claims``; read them from the cached ID token for this account."""
        for entry in self.token_cache.search(
            msal.TokenCache.CredentialType.ID_TOKEN,
            query={"home_account_id": account.get("home_account_id")},
        ):
            try:
                # Our own cache, written after MSAL redeemed it over TLS: read, not re-validated.
                claims = json.loads(decode_part(str(entry.get("secret", "")).split(".")[1]))
            except (IndexError, ValueError):  # a damaged entry: fall back to the account record
                break
            if isinstance(claims, dict):
                return claims
        return {"preferred_username": account.get("username", ""), "tid": account.get("realm", "")}

    # --- interactive -----------------------------------------------------------------------------
    def sign_in_interactive(
        self,
        *,
        timeout: float = 300,
        cancel: threading.Event | None = None,
        login_hint: str | None = None,
        select_account: bool = False,
    ) -> UserIdentity:
        """WAM on Windows when available, otherwise the system browser. Raises SignInCancelled
        (code "cancelled"/"timeout") or SignInError. ``select_account`` shows the account picker
        (switching account)."""
        app = self.app
        hint = None if select_account else (login_hint or self.remembered_username)
        handle = self.parent_window_handle
        if broker.broker_in_use(app) and handle is not None:  # no window to sit on: the browser instead
            result = self._call(
                broker.acquire_interactive_via_broker, app, self.scopes,
                parent_window_handle=handle, login_hint=hint,
                select_account=select_account, timeout=timeout, cancel=cancel,
            )
            return self._accept(result)
        return self._browser_sign_in(app, timeout=timeout, cancel=cancel, login_hint=hint,
                                     select_account=select_account)

    def _browser_sign_in(self, app: msal.PublicClientApplication, *, timeout: float,
                         cancel: threading.Event | None, login_hint: str | None,
                         select_account: bool) -> UserIdentity:
        with LoopbackReceiver() as receiver:
            flow = self._call(
                app.initiate_auth_code_flow, self.scopes, redirect_uri=receiver.redirect_uri,
                login_hint=login_hint, prompt=msal.Prompt.SELECT_ACCOUNT if select_account else None,
                response_mode="form_post",
            )
            receiver.expect_state(flow["state"])
            opener = self._open_browser or _system_browser
            if not opener(flow["auth_uri"]):
                raise SignInError("No web browser could be opened for signing in.",
                                  code=codes.BROWSER_UNAVAILABLE)
            params = receiver.wait(timeout=timeout, cancel=cancel)
            try:
                result = self._call(app.acquire_token_by_auth_code_flow, flow, params, self.scopes)
            except ValueError as exc:  # MSAL: state/nonce mismatch
                raise SignInError("The sign-in response didn't match this sign-in.",
                                  code=codes.BAD_RESPONSE) from exc
            try:
                identity = self._accept(result)
            except SignInError:
                receiver.finish(ok=False)
                raise
            receiver.finish(ok=True)
            return identity

    def _accept(self, result: Mapping[str, Any] | None) -> UserIdentity:
        if not isinstance(result, Mapping) or "access_token" not in result:
            raise codes.sign_in_error_from_result(result)
        claims = result.get("id_token_claims") or {}
        account = self._account_for(claims)
        try:
            identity = identity_from_claims(claims, expected_tenant=self._expected_tenant())
        except SignInError:
            if account is not None:  # never remember an account we refused
                self._call(self.app.remove_account, account)
            raise
        if account is None:
            raise SignInError("The sign-in did not say who you are.", code=codes.NO_USERNAME)
        for other in self._call(self.app.get_accounts):
            if other.get("home_account_id") != account.get("home_account_id"):
                self._call(self.app.remove_account, other)
        return self._become(account, identity)

    def _account_for(self, claims: Mapping[str, Any]) -> dict[str, Any] | None:
        oid = claims.get("oid") or claims.get("sub")
        tid = claims.get("tid")
        accounts: list[dict[str, Any]] = self._call(self.app.get_accounts)  # msal is untyped
        for account in accounts:
            if account.get("local_account_id") == oid and (not tid or account.get("realm") == tid):
                return account
        return None

    # --- device code (command line only) ----------------------------------------------------------
    def sign_in_device_code(
        self,
        on_prompt: Callable[[str, str, str], None],
        *,
        cancel: threading.Event | None = None,
    ) -> UserIdentity:
        """``on_prompt(verification_uri, user_code, message)`` tells the user where to go; then we poll."""
        app = self.app
        flow = self._call(app.initiate_device_flow, scopes=self.scopes)
        if "user_code" not in flow:
            err = codes.sign_in_error_from_result(flow)
            raise SignInError("Signing in with a code isn't available for this organisation.",
                              code=err.code if err.code != "unknown_error" else codes.DEVICE_CODE_UNAVAILABLE,
                              correlation_id=err.correlation_id)
        on_prompt(str(flow.get("verification_uri", "")), str(flow["user_code"]), str(flow.get("message", "")))

        def stop(f: dict[str, Any]) -> bool:
            return bool(cancel is not None and cancel.is_set()) or f.get("expires_at", 0) < time.time()

        result = self._call(app.acquire_token_by_device_flow, flow, exit_condition=stop)
        if cancel is not None and cancel.is_set() and "access_token" not in result:
            raise SignInCancelled("Sign-in was cancelled.", code=codes.CANCELLED)
        if result.get("error") in ("authorization_pending", "slow_down", "expired_token", "code_expired"):
            raise SignInCancelled("The sign-in code expired before it was used.", code=codes.TIMEOUT)
        return self._accept(result)

    # --- signing out ------------------------------------------------------------------------------
    def sign_out(self) -> Any:
        """Remove every account from MSAL (and WAM), then the persisted cache and its keyring key.

        Returns what ``on_sign_out`` returns (the wiring's report of anything it couldn't remove)."""
        with self._lock:
            try:
                app = self.app
                for account in self._call(app.get_accounts):
                    self._call(app.remove_account, account)
            except (NetworkError, ConfigurationError) as exc:
                # The app could not be built (offline): wiping the cache below still signs out here.
                log.info("sign-out without MSAL app (%s)", type(exc).__name__)
            finally:
                self._account = None
                self.identity = None
                self.remembered_username = None
                report = self._on_sign_out() if self._on_sign_out is not None else None
            return report

    # --- tokens for Exchange ----------------------------------------------------------------------
    def token_provider(self) -> TokenProvider:
        with self._lock:
            if self._account is None:
                raise AuthenticationError("You're not signed in.", code=codes.NOT_SIGNED_IN)
            return AccountTokenProvider(self, self._account["home_account_id"])

    def _access_token(self, home_account_id: str, *, force_refresh: bool) -> str:
        app = self.app
        account = next((a for a in self._call(app.get_accounts)
                        if a.get("home_account_id") == home_account_id), None)
        if account is None:
            raise AuthenticationError("You're not signed in.", code=codes.NOT_SIGNED_IN)
        result = self._call(app.acquire_token_silent_with_error, self.scopes, account,
                            force_refresh=force_refresh)
        if not result or "access_token" not in result:
            raise codes.authentication_error_from_result(result)
        return str(result["access_token"])

    # --- helpers ----------------------------------------------------------------------------------
    def add_addresses(self, addresses: list[str] | set[str] | frozenset[str]) -> UserIdentity | None:
        """Add addresses Exchange reports as the user's (aliases) to the ownership check."""
        with self._lock:
            if self.identity is not None:
                self.identity = with_addresses(self.identity, addresses)
            return self.identity

    def _expected_tenant(self) -> str | None:
        return getattr(self.config, "tenant_id", None) or None

    def _become(self, account: dict[str, Any], identity: UserIdentity) -> UserIdentity:
        with self._lock:
            self._account = account
            self.identity = identity
            self.remembered_username = account.get("username") or identity.upn
        log.info("signed in (tenant %s)", identity.tenant_id)
        return identity


def _system_browser(url: str) -> bool:
    import webbrowser

    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False
