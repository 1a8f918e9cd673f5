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

import json
import secrets
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from quarantine_checker.demo.directory import DemoUser, Directory
from quarantine_checker.demo.idp.accounts import sign_in_user
from quarantine_checker.demo.idp.discovery import instance_metadata, openid_configuration, tenant_known
from quarantine_checker.demo.idp.errors import IdpError, error_body
from quarantine_checker.demo.idp.pages import (
    device_account_page,
    device_code_entry_page,
    form_post_page,
    picker_page,
    signed_out_page,
)
from quarantine_checker.demo.idp.tokens import DEVICE_CODE_GRANT, jwks, resource_for, s256, token_response
from quarantine_checker.demo.idp.validation import check_client, is_loopback_redirect, validate_authorize
from quarantine_checker.demo.tls import TlsMaterial

__all__ = ["IdentityProvider", "IdpError", "is_loopback_redirect"]

# Values that must never reach request_log (they are bearer secrets or one-time credentials).
SECRET_PARAMS = frozenset(
    {
        "code",
        "code_verifier",
        "refresh_token",
        "device_code",
        "client_secret",
        "client_assertion",
        "assertion",
        "password",
        "access_token",
        "id_token",
    }
)
REDACTED = "<redacted>"
MAX_BODY_BYTES = 64 * 1024


@dataclass
class _AuthCode:
    client_id: str
    redirect_uri: str
    code_challenge: str
    scope: str
    nonce: str | None
    upn: str
    expires_at: float


@dataclass
class _DeviceCode:
    device_code: str
    user_code: str
    client_id: str
    scope: str
    expires_at: float
    upn: str | None = None
    declined: bool = False


@dataclass
class _PendingAuthorize:
    """An authorize request waiting for a human to pick an account on the picker page."""

    params: dict[str, str]
    expires_at: float


@dataclass
class _Failure:
    error: str
    description: str
    remaining: int
    suberror: str | None = None
    claims: str | None = None
    status: int = 400
    error_subcode: str | None = None


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
        self._codes: dict[str, _AuthCode] = {}
        self._device_codes: dict[str, _DeviceCode] = {}
        self._pending: dict[str, _PendingAuthorize] = {}
        self._token_failures: list[_Failure] = []
        self._authorize_failures: list[_Failure] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        if self._server is not None:
            return
        server = _Server((self.host, self.port), _Handler, self.tls.server_context(), self)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"demo-idp:{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

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
            self._token_failures.append(_Failure(error, description, count, suberror, claims, status))

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
            self._authorize_failures.append(_Failure(error, description, count, error_subcode=error_subcode))

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

    def _take_failure(self, queue: list[_Failure]) -> _Failure | None:
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

    def _live_device_code_by_user_code(self, user_code: str) -> _DeviceCode | None:
        wanted = (user_code or "").strip().upper()
        now = time.time()
        for entry in self._device_codes.values():
            if entry.user_code == wanted and entry.expires_at > now:
                return entry
        return None

    def _check_client(self, client_id: str | None) -> None:
        check_client(self.directory, client_id)

    def _lifetime(self) -> int:
        return (
            self.directory.access_token_lifetime
            if self.access_token_lifetime is None
            else self.access_token_lifetime
        )

    def jwks(self) -> dict[str, Any]:
        return jwks()

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
    def _validate_authorize(self, params: dict[str, str]) -> None:
        validate_authorize(self.directory, params)

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
            self._codes[code] = _AuthCode(
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
            self._pending[request_id] = _PendingAuthorize(dict(params), now + self.auth_code_lifetime)
        return request_id

    def _unpark_authorize(self, request_id: str) -> dict[str, str] | None:
        with self._lock:
            pending = self._pending.pop(request_id, None)
        if pending is None or pending.expires_at < time.time():
            return None
        return pending.params

    # --- token grants ------------------------------------------------------------------------------
    def _grant_authorization_code(self, form: dict[str, str]) -> dict[str, Any]:
        code = form.get("code", "")
        with self._lock:
            entry = self._codes.pop(code, None)
        if entry is None or entry.expires_at < time.time():
            raise IdpError(
                "invalid_grant",
                "AADSTS70000: The provided value for the 'code' parameter is "
                "not valid. The code has expired or has already been redeemed.",
            )
        if entry.client_id != form.get("client_id"):
            raise IdpError("invalid_grant", "AADSTS70000: The code was issued to a different client.")
        if entry.redirect_uri != form.get("redirect_uri"):
            raise IdpError(
                "invalid_grant",
                "AADSTS50148: The redirect_uri does not match the one used in the authorization request.",
            )
        verifier = form.get("code_verifier", "")
        if not verifier or not secrets.compare_digest(s256(verifier), entry.code_challenge):
            raise IdpError(
                "invalid_grant",
                "AADSTS501481: The Code_Verifier does not match the "
                "code_challenge supplied in the authorization request.",
            )
        return self._token_response(
            entry.upn,
            entry.client_id,
            entry.scope,
            nonce=entry.nonce,
            want_client_info=form.get("client_info") == "1",
        )

    def _grant_refresh_token(self, form: dict[str, str]) -> dict[str, Any]:
        grant = self.directory.redeem_refresh_token(form.get("refresh_token", ""), form["client_id"])
        if grant is None:
            raise IdpError(
                "invalid_grant",
                "AADSTS70000: The provided value for the 'refresh_token' is "
                "not valid. It may have expired, been used already, or been revoked.",
            )
        try:
            user = self._sign_in_user(grant.upn)
        except ValueError:
            raise IdpError("invalid_grant", "AADSTS50057: The user account is disabled.") from None
        scope = form.get("scope") or grant.scope
        return self._token_response(
            user.upn,
            grant.client_id,
            scope,
            nonce=None,
            want_client_info=form.get("client_info") == "1",
            always_refresh=True,
        )

    def _grant_device_code(self, form: dict[str, str]) -> dict[str, Any]:
        device_code = form.get("device_code", "")
        with self._lock:
            entry = self._device_codes.get(device_code)
            if entry is None or entry.expires_at < time.time() or entry.client_id != form["client_id"]:
                self._device_codes.pop(device_code, None)
                raise IdpError("expired_token", "AADSTS70019: Verification code expired.")
            if entry.declined:
                del self._device_codes[device_code]
                raise IdpError("authorization_declined", "AADSTS70000: The user declined to sign in.")
            if entry.upn is None:
                raise IdpError(
                    "authorization_pending",
                    "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                )
            del self._device_codes[device_code]
        return self._token_response(
            entry.upn,
            entry.client_id,
            entry.scope,
            nonce=None,
            want_client_info=form.get("client_info") == "1",
        )

    def _issue_device_code(self, form: dict[str, str]) -> dict[str, Any]:
        self._check_client(form.get("client_id"))
        scope = form.get("scope", "").strip()
        if not scope:
            raise IdpError(
                "invalid_request",
                "AADSTS900144: The request body must contain the following parameter: 'scope'.",
            )
        resource_for(scope)
        now = time.time()
        with self._lock:
            self._device_codes = {k: v for k, v in self._device_codes.items() if v.expires_at > now}
            live = {e.user_code for e in self._device_codes.values()}
            user_code = secrets.token_hex(3).upper()
            while user_code in live:
                user_code = secrets.token_hex(3).upper()
            device_code = secrets.token_urlsafe(32)
            self._device_codes[device_code] = _DeviceCode(
                device_code, user_code, form["client_id"], scope, now + self.device_code_lifetime
            )
        uri = self.device_verification_uri
        return {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": uri,
            "expires_in": self.device_code_lifetime,
            "interval": 1,
            "message": f"To sign in, use a web browser to open the page {uri} and enter the code "
            f"{user_code} to authenticate.",
        }

    def _token(self, form: dict[str, str]) -> dict[str, Any]:
        self._check_client(form.get("client_id"))
        failure = self._take_failure(self._token_failures)
        if failure is not None:
            raise IdpError(
                failure.error,
                failure.description,
                failure.status,
                suberror=failure.suberror,
                claims=failure.claims,
            )
        grant_type = form.get("grant_type", "")
        handlers: dict[str, Callable[[dict[str, str]], dict[str, Any]]] = {
            "authorization_code": self._grant_authorization_code,
            "refresh_token": self._grant_refresh_token,
            DEVICE_CODE_GRANT: self._grant_device_code,
        }
        handler = handlers.get(grant_type)
        if handler is None:
            raise IdpError(
                "unsupported_grant_type",
                f"AADSTS70003: The app requested an unsupported grant type '{grant_type[:80]}'.",
            )
        return handler(form)

    def _discovery(self, tenant: str) -> dict[str, Any]:
        return openid_configuration(self.base_url, tenant, self.issuer)

    def _instance_metadata(self) -> dict[str, Any]:
        return instance_metadata(self.host, self.port, self.authority)

    def _tenant_known(self, tenant: str) -> bool:
        return tenant_known(self.directory, tenant)

    @property
    def tenant_title(self) -> str:
        return self.directory.domain.split(".")[0].capitalize()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        context: ssl.SSLContext,
        idp: IdentityProvider,
    ) -> None:
        self.ssl_context = context
        self.idp = idp
        super().__init__(address, handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = self.socket.accept()
        # The TLS handshake happens in the request thread (see _Handler.setup), so one slow or
        # broken client cannot stall the accept loop.
        return self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Dropped connections and failed handshakes are normal for a local server; stay quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "NorthwindDemoIdP/1.0"
    sys_version = ""
    timeout = 30
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.request.do_handshake()

    def log_message(self, format: str, *args: Any) -> None:
        # The default writes request lines (with query strings) to stderr; never do that.
        pass

    @property
    def idp(self) -> IdentityProvider:
        return self.server.idp

    # --- plumbing ---------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        self._correlation_id = self._safe_uuid(self.headers.get("client-request-id"))
        self._trace_id = str(uuid.uuid4())
        parts = urlsplit(self.path)
        path = parts.path
        record: dict[str, Any] = {
            "time": time.time(),
            "method": method,
            "path": path,
            "grant_type": None,
            "params": {},
            "status": None,
            "correlation_id": self._correlation_id,
        }
        self._record = record
        self._logged = False
        try:
            params = self._parse(parts.query)
            if method == "POST":
                params = {**params, **self._parse(self._read_body())}
            record["grant_type"] = params.get("grant_type")
            record["params"] = {k: (REDACTED if k in SECRET_PARAMS else v) for k, v in params.items()}
            self._route(method, path, params)
        except IdpError as exc:
            self._send_error(exc)
        except Exception:
            self._send_error(
                IdpError(
                    "server_error", "AADSTS90033: A transient error has occurred. Please try again.", 500
                )
            )
        finally:
            self._flush_record()

    def _flush_record(self) -> None:
        # Logged before the reply goes out, so a client that has its answer always finds the record.
        if not self._logged:
            self._logged = True
            self.idp._log(self._record)

    def _read_body(self) -> str:
        if self.headers.get("Transfer-Encoding"):
            raise IdpError("invalid_request", "AADSTS900561: Chunked request bodies are not supported.", 411)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise IdpError("invalid_request", "AADSTS900561: Invalid Content-Length.") from None
        if length < 0:
            raise IdpError("invalid_request", "AADSTS900561: Invalid Content-Length.")
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            # Drain a moderately large body so the client sees the 413 instead of a reset socket.
            remaining = length if length <= 8 * 1024 * 1024 else 0
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 65536))
                if not chunk:
                    break
                remaining -= len(chunk)
            raise IdpError("invalid_request", "AADSTS90004: The request body is too large.", 413)
        return self.rfile.read(length).decode("utf-8", "replace")

    @staticmethod
    def _parse(qs: str) -> dict[str, str]:
        try:
            parsed = parse_qs(qs, keep_blank_values=True, max_num_fields=200, errors="replace")
        except ValueError:
            raise IdpError("invalid_request", "AADSTS90015: Too many parameters.") from None
        return {k: v[0] for k, v in parsed.items()}

    @staticmethod
    def _safe_uuid(value: str | None) -> str:
        try:
            return str(uuid.UUID(value or ""))
        except ValueError:
            return str(uuid.uuid4())

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self._record["status"] = status
        self._flush_record()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store, no-cache")
        self.send_header("Pragma", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("client-request-id", self._correlation_id)
        self.send_header("x-ms-request-id", self._trace_id)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8")

    def _send_html(
        self, status: int, page: str, script_nonce: str | None = None, form_targets: str = "'self'"
    ) -> None:
        csp = (
            f"default-src 'none'; style-src 'unsafe-inline'; form-action {form_targets}; "
            "base-uri 'none'; frame-ancestors 'none'"
        )
        if script_nonce:
            csp += f"; script-src 'nonce-{script_nonce}'"
        self._send(
            status,
            page.encode("utf-8"),
            "text/html; charset=utf-8",
            {
                "Content-Security-Policy": csp,
                "X-Frame-Options": "DENY",
                "Referrer-Policy": "no-referrer",
            },
        )

    def _error_body(self, exc: IdpError) -> dict[str, Any]:
        return error_body(
            exc, trace_id=self._trace_id, correlation_id=self._correlation_id, base_url=self.idp.base_url
        )

    def _send_error(self, exc: IdpError) -> None:
        self._send_json(exc.status, self._error_body(exc))

    # --- routes -----------------------------------------------------------------------------------
    def _route(self, method: str, path: str, params: dict[str, str]) -> None:
        if path == "/device" and method == "GET":
            return self._device_page(params)
        if path == "/common/discovery/instance" and method == "GET":
            return self._send_json(200, self.idp._instance_metadata())
        segments = path.strip("/").split("/")
        tenant, rest = segments[0], "/".join(segments[1:])
        routes: dict[tuple[str, str], Callable[[str, dict[str, str]], None]] = {
            ("GET", "v2.0/.well-known/openid-configuration"): self._openid_configuration,
            ("GET", ".well-known/openid-configuration"): self._openid_configuration,
            ("GET", "discovery/v2.0/keys"): self._keys,
            ("GET", "discovery/keys"): self._keys,
            ("GET", "oauth2/v2.0/authorize"): self._authorize,
            ("POST", "oauth2/v2.0/authorize"): self._authorize,
            ("POST", "oauth2/v2.0/authorize/choose"): self._authorize_choose,
            ("POST", "oauth2/v2.0/token"): self._token,
            ("POST", "oauth2/v2.0/devicecode"): self._devicecode,
            ("GET", "oauth2/v2.0/logout"): self._logout,
        }
        handler = routes.get((method, rest))
        if handler is None:
            return self._send_json(404, {"error": "not_found", "error_description": "No such endpoint."})
        if not self.idp._tenant_known(tenant):
            raise IdpError(
                "invalid_tenant",
                f"AADSTS90002: Tenant '{tenant[:80]}' not found. Check to make "
                "sure you have the correct tenant ID and are signing into the correct cloud.",
            )
        return handler(tenant, params)

    def _openid_configuration(self, tenant: str, params: dict[str, str]) -> None:
        self._send_json(200, self.idp._discovery(tenant))

    def _keys(self, tenant: str, params: dict[str, str]) -> None:
        self._send_json(200, self.idp.jwks())

    def _token(self, tenant: str, params: dict[str, str]) -> None:
        self._send_json(200, self.idp._token(params))

    def _devicecode(self, tenant: str, params: dict[str, str]) -> None:
        self._send_json(200, self.idp._issue_device_code(params))

    def _logout(self, tenant: str, params: dict[str, str]) -> None:
        self._send_html(200, signed_out_page())

    def _authorize(self, tenant: str, params: dict[str, str]) -> None:
        idp = self.idp
        idp._validate_authorize(params)
        failure = idp._take_failure(idp._authorize_failures)
        if failure is not None:
            return self._reply_to_app(
                params, self._auth_error(failure.error, failure.description, failure.error_subcode)
            )
        user = idp._choose_user(params)
        if user is None and params.get("prompt") == "none":
            return self._reply_to_app(
                params,
                self._auth_error(
                    "login_required",
                    "AADSTS50058: A silent sign-in request was sent but no user is signed in.",
                ),
            )
        if user is None:
            return self._picker(tenant, idp._park_authorize(params))
        return self._reply_to_app(params, {"code": idp._issue_code(params, user)})

    def _authorize_choose(self, tenant: str, form: dict[str, str]) -> None:
        params = self.idp._unpark_authorize(form.get("request_id", ""))
        if params is None:
            raise IdpError(
                "invalid_request",
                "AADSTS90036: This sign-in page has expired. Go back to the application and start again.",
            )
        if form.get("cancel"):
            return self._reply_to_app(
                params,
                self._auth_error(
                    "access_denied", "AADSTS65004: User declined to consent to access the app.", "cancel"
                ),
            )
        try:
            user = self.idp._sign_in_user(form.get("upn", ""))
        except ValueError:
            raise IdpError(
                "invalid_request",
                f"AADSTS50034: The user account does not exist in the {self.idp.directory.domain} directory.",
            ) from None
        self._reply_to_app(params, {"code": self.idp._issue_code(params, user)})

    def _auth_error(self, error: str, description: str, subcode: str | None = None) -> dict[str, str]:
        body = self._error_body(IdpError(error, description))
        out = {"error": error, "error_description": body["error_description"]}
        if subcode:
            out["error_subcode"] = subcode
        return out

    def _reply_to_app(self, params: dict[str, str], answer: dict[str, str]) -> None:
        """Send the authorization response to redirect_uri (form_post page or 302 in query mode)."""
        if params.get("state"):
            answer = {**answer, "state": params["state"]}
        redirect_uri = params["redirect_uri"]
        if params.get("response_mode") == "form_post":
            nonce = secrets.token_urlsafe(12)
            # form-action must allow the loopback listener, whatever port the app picked.
            return self._send_html(
                200,
                form_post_page(redirect_uri, answer, nonce),
                script_nonce=nonce,
                form_targets="http://localhost:* http://127.0.0.1:*",
            )
        parts = urlsplit(redirect_uri)
        query = f"{parts.query}&{urlencode(answer)}" if parts.query else urlencode(answer)
        location = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
        self._send(302, b"", "text/plain; charset=utf-8", {"Location": location})

    def _picker(self, tenant: str, request_id: str) -> None:
        idp = self.idp
        action = f"/{tenant}/oauth2/v2.0/authorize/choose"
        self._send_html(200, picker_page(idp.tenant_title, action, request_id, idp.directory.sign_in_users()))

    def _device_page(self, params: dict[str, str]) -> None:
        idp = self.idp
        user_code = params.get("user_code", "").strip()
        if not user_code:
            return self._send_html(200, device_code_entry_page())
        with idp._lock:
            known = idp._live_device_code_by_user_code(user_code) is not None
        if not known:
            return self._send(404, b"unknown or expired code", "text/plain; charset=utf-8")
        upn = params.get("upn") or idp.default_user
        if not upn:
            return self._send_html(
                200, device_account_page(idp.tenant_title, user_code, idp.directory.sign_in_users())
            )
        try:
            idp.approve_device_code(user_code, upn)
        except ValueError:
            return self._send(400, b"that account cannot sign in", "text/plain; charset=utf-8")
        except KeyError:
            return self._send(404, b"unknown or expired code", "text/plain; charset=utf-8")
        self._send(200, b"approved", "text/plain; charset=utf-8")
