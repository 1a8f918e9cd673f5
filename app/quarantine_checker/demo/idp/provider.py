"""A local OpenID Connect identity provider for the demo tenant, good enough for the real MSAL.

It speaks HTTPS on 127.0.0.1 (MSAL refuses http authorities) and imitates the parts of Entra ID
that MSAL Python touches: OIDC discovery, the authorize endpoint (PKCE S256 only, form_post or
query), the token endpoint (authorization code, rotating refresh tokens, device code) and the
device authorization endpoint. Tokens come from the shared ``Directory`` so the Exchange emulator
accepts exactly the access tokens issued here.

Errors look like Entra's (``AADSTS…`` descriptions with trace and correlation ids) so the app's
error mapping is exercised against realistic payloads. Test hooks: ``fail_next`` (token endpoint),
``fail_next_authorize`` (user cancels in the browser), ``approve_device_code``.

Nothing here prints or logs a token, code or verifier; ``request_log`` keeps parameter names but
replaces secret values with ``<redacted>``.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

from quarantine_checker.demo.directory import DemoUser, Directory
from quarantine_checker.demo.httpserver import HttpsServer
from quarantine_checker.demo.idp.accounts import sign_in_user
from quarantine_checker.demo.idp.handler import IdpHandler
from quarantine_checker.demo.idp.state import AuthCode, DeviceCode, Failure, PendingAuthorize
from quarantine_checker.demo.idp.tokens import token_response
from quarantine_checker.demo.tls import TlsMaterial


class IdentityProvider:
    """The demo tenant's sign-in service. ``IdentityProvider(directory, tls)``, then ``start()``."""

    def __init__(
        self,
        directory: Directory,
        tls: TlsMaterial,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        default_user: str | None = None,
    ) -> None:
        self.directory = directory
        self.tls = tls
        self.host = host
        self.port = port
        # Who the authorize endpoint signs in without asking. None: a valid login_hint, else a picker.
        self.default_user = default_user
        # Access-token lifetime in seconds; None uses directory.access_token_lifetime. MSAL treats a
        # token with under 5 minutes left as expired, so a lifetime < 300 forces silent refreshes.
        self.access_token_lifetime: int | None = None
        self.device_code_lifetime = 300
        self.auth_code_lifetime = 600
        self.request_log: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._codes: dict[str, AuthCode] = {}
        self._device_codes: dict[str, DeviceCode] = {}
        self._pending: dict[str, PendingAuthorize] = {}
        self._token_failures: list[Failure] = []
        self._authorize_failures: list[Failure] = []
        self._server: HttpsServer | None = None

    # --- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        if self._server is not None:
            return
        server = HttpsServer(self.host, self.port, IdpHandler, self.tls.server_context(), self)
        self.port = server.port
        self._server = server
        server.start(f"demo-idp:{self.port}")

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> IdentityProvider:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- addresses ---------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if not self.port:
            raise RuntimeError("IdentityProvider has no port yet: call start() first")
        return f"https://{self.host}:{self.port}"

    @property
    def authority(self) -> str:
        return f"{self.base_url}/{self.directory.tenant_id}"

    @property
    def issuer(self) -> str:
        return f"{self.authority}/v2.0"

    @property
    def device_verification_uri(self) -> str:
        return f"{self.base_url}/device"

    # --- test and demo hooks -----------------------------------------------------------------------
    def approve_device_code(self, user_code: str, upn: str) -> None:
        """What the user does on the device page. KeyError: unknown/expired code; ValueError: bad user."""
        user = self._sign_in_user(upn)
        with self._lock:
            entry = self._live_device_code_by_user_code(user_code)
            if entry is None:
                raise KeyError(f"unknown or expired user code: {user_code!r}")
            entry.upn = user.upn
            entry.declined = False

    def decline_device_code(self, user_code: str) -> None:
        with self._lock:
            entry = self._live_device_code_by_user_code(user_code)
            if entry is None:
                raise KeyError(f"unknown or expired user code: {user_code!r}")
            entry.declined = True

    def fail_next(
        self,
        error: str,
        description: str,
        *,
        count: int = 1,
        suberror: str | None = None,
        claims: str | None = None,
        status: int = 400,
    ) -> None:
        """The next ``count`` token-endpoint replies are this error instead (MFA, CA, consent...).

        ``description`` should start with the AADSTS code, e.g. "AADSTS50076: ..."; trace id,
        correlation id and timestamp are appended the way Entra does. The grant is not consumed.
        """
        with self._lock:
            self._token_failures.append(Failure(error, description, count, suberror, claims, status))

    def fail_next_authorize(
        self,
        error: str = "access_denied",
        description: str = "AADSTS65004: User declined to consent to access the app.",
        *,
        count: int = 1,
        error_subcode: str | None = "cancel",
    ) -> None:
        """The next ``count`` authorize requests send this error back to the app (user cancelled)."""
        with self._lock:
            self._authorize_failures.append(Failure(error, description, count, error_subcode=error_subcode))

    def clear_failures(self) -> None:
        with self._lock:
            self._token_failures.clear()
            self._authorize_failures.clear()

    def clear_log(self) -> None:
        with self._lock:
            self.request_log.clear()

    def grant_types_seen(self) -> list[str]:
        with self._lock:
            return [r["grant_type"] for r in self.request_log if r.get("grant_type")]

    # --- internals used by the handler -------------------------------------------------------------
    def _log(self, record: dict[str, Any]) -> None:
        with self._lock:
            self.request_log.append(record)

    def _take_failure(self, queue: list[Failure]) -> Failure | None:
        with self._lock:
            if not queue:
                return None
            failure = queue[0]
            failure.remaining -= 1
            if failure.remaining <= 0:
                queue.pop(0)
            return failure

    def _sign_in_user(self, upn_or_email: str) -> DemoUser:
        return sign_in_user(self.directory, upn_or_email)

    def _live_device_code_by_user_code(self, user_code: str) -> DeviceCode | None:
        wanted = (user_code or "").strip().upper()
        now = time.time()
        for entry in self._device_codes.values():
            if entry.user_code == wanted and entry.expires_at > now:
                return entry
        return None

    def _lifetime(self) -> int:
        return (
            self.directory.access_token_lifetime
            if self.access_token_lifetime is None
            else self.access_token_lifetime
        )

    def jwks(self) -> dict[str, Any]:
        return self.directory.signing_keys.jwks()

    def _token_response(
        self,
        upn: str,
        client_id: str,
        scope: str,
        *,
        nonce: str | None,
        want_client_info: bool,
        always_refresh: bool = False,
    ) -> dict[str, Any]:
        return token_response(
            self.directory,
            self.issuer,
            upn,
            client_id,
            scope,
            lifetime=self._lifetime(),
            nonce=nonce,
            want_client_info=want_client_info,
            always_refresh=always_refresh,
        )

    # --- authorize ---------------------------------------------------------------------------------
    def _choose_user(self, params: dict[str, str]) -> DemoUser | None:
        hint = params.get("login_hint")
        if hint:
            try:
                return self._sign_in_user(hint)
            except ValueError:
                pass
        if self.default_user:
            return self._sign_in_user(self.default_user)
        return None

    def _issue_code(self, params: dict[str, str], user: DemoUser) -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._codes[code] = AuthCode(
                client_id=params["client_id"],
                redirect_uri=params["redirect_uri"],
                code_challenge=params["code_challenge"],
                scope=params["scope"],
                nonce=params.get("nonce") or None,
                upn=user.upn,
                expires_at=time.time() + self.auth_code_lifetime,
            )
        return code

    def _park_authorize(self, params: dict[str, str]) -> str:
        request_id = secrets.token_urlsafe(18)
        now = time.time()
        with self._lock:
            self._pending = {k: v for k, v in self._pending.items() if v.expires_at > now}
            self._pending[request_id] = PendingAuthorize(dict(params), now + self.auth_code_lifetime)
        return request_id

    def _unpark_authorize(self, request_id: str) -> dict[str, str] | None:
        with self._lock:
            pending = self._pending.pop(request_id, None)
        if pending is None or pending.expires_at < time.time():
            return None
        return pending.params

    @property
    def tenant_title(self) -> str:
        return self.directory.domain.split(".")[0].capitalize()
