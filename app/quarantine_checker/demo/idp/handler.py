"""The identity provider's HTTP side: request parsing and logging, routing, and Entra-style replies.

Every request is recorded in ``IdentityProvider.request_log`` with secret parameter values
replaced by ``<redacted>``; nothing is written to stderr or the log.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from quarantine_checker.demo.httpserver import Handler, HttpsServer
from quarantine_checker.demo.idp.discovery import instance_metadata, openid_configuration, tenant_known
from quarantine_checker.demo.idp.errors import IdpError, error_body
from quarantine_checker.demo.idp.grants import issue_device_code, redeem
from quarantine_checker.demo.idp.pages import (
    device_account_page,
    device_code_entry_page,
    form_post_page,
    picker_page,
    signed_out_page,
)
from quarantine_checker.demo.idp.validation import validate_authorize

if TYPE_CHECKING:
    from quarantine_checker.demo.idp.provider import IdentityProvider

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


class IdpHandler(Handler):
    """One HTTPS connection to the IdP: parse, log (redacted), route, answer like Entra."""

    server_version = "NorthwindDemoIdP/1.0"
    server: HttpsServer

    def setup(self) -> None:
        super().setup()
        # HttpsServer defers the TLS handshake to the request thread; do it before any read so a
        # broken client fails here rather than inside request parsing.
        self.request.do_handshake()

    def log_message(self, format: str, *args: Any) -> None:
        # Request lines carry login hints and user codes; unlike the Exchange handler, log nothing.
        pass

    @property
    def idp(self) -> IdentityProvider:
        return cast("IdentityProvider", self.server.app)

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
            return self._send_json(200, instance_metadata(self.idp.host, self.idp.port, self.idp.authority))
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
        if not tenant_known(self.idp.directory, tenant):
            raise IdpError(
                "invalid_tenant",
                f"AADSTS90002: Tenant '{tenant[:80]}' not found. Check to make "
                "sure you have the correct tenant ID and are signing into the correct cloud.",
            )
        return handler(tenant, params)

    def _openid_configuration(self, tenant: str, params: dict[str, str]) -> None:
        self._send_json(200, openid_configuration(self.idp.base_url, tenant, self.idp.issuer))

    def _keys(self, tenant: str, params: dict[str, str]) -> None:
        self._send_json(200, self.idp.jwks())

    def _token(self, tenant: str, params: dict[str, str]) -> None:
        self._send_json(200, redeem(self.idp, params))

    def _devicecode(self, tenant: str, params: dict[str, str]) -> None:
        self._send_json(200, issue_device_code(self.idp, params))

    def _logout(self, tenant: str, params: dict[str, str]) -> None:
        self._send_html(200, signed_out_page())

    def _authorize(self, tenant: str, params: dict[str, str]) -> None:
        idp = self.idp
        validate_authorize(idp.directory, params)
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
