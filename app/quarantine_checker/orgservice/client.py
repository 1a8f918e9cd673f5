"""The organisation service's employee API over HTTPS: one small client; its codes become ``core.errors``.

The service answers errors as ``{"error": {"code": ..., "params": {...}}}`` (codes, never sentences:
quarantine_service/errors.py). Here each code becomes the app's own error type, so core/messages.py
words it like any other. The bearer token goes in the header only, and only to the configured
``service_url`` (config.py keeps that to the machine-wide file outside the demo).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests

from quarantine_checker.core import errors as e
from quarantine_checker.core.account import TokenProvider

log = logging.getLogger(__name__)

API = "/v1"
TIMEOUT = (5.0, 30.0)  # connect, read: the service answers from its own store, quickly

# Service code -> the app's error type. Codes not listed fall back by HTTP status (``_by_status``).
_CODES: dict[str, type[e.QuarantineCheckerError]] = {
    "message_not_found": e.MessageNotFoundError,
    "message_gone": e.MessageNotFoundError,
    "already_released": e.AlreadyReleasedError,
    "already_requested": e.AlreadyRequestedError,
    "already_declined": e.AlreadyDeniedError,
    "already_deleted": e.MessageNotFoundError,
    "not_permitted": e.ForbiddenActionError,
    "no_mailbox": e.OrgServiceNotAllowedError,
    "missing_role": e.OrgServiceNotAllowedError,
    "exchange_busy": e.ThrottledError,
    "too_many_streams": e.ThrottledError,
    "client_too_old": e.AppTooOldForServiceError,
    "exchange_unreachable": e.OrgServiceError,
    "exchange_sign_in_failed": e.OrgServiceError,
    "exchange_not_allowed": e.OrgServiceError,
    "exchange_unreadable": e.OrgServiceError,
    "exchange_command_failed": e.OrgServiceError,
    "exchange_failed": e.OrgServiceError,
    "internal_error": e.OrgServiceError,
    "keys_unavailable": e.OrgServiceError,
}
# 401 codes a fresh token can cure (expired, or signed with a key the service had not fetched yet).
_REFRESHABLE = {"token_expired", "invalid_token", "missing_token", "unknown_key", "bad_signature"}


def message_path(identity: str) -> str:
    """An Exchange identity (``GUID\\GUID``) as one path segment."""
    return f"{API}/messages/{quote(identity, safe='')}"


class ServiceClient:
    """Blocking; run off the UI thread. Raises only ``core.errors`` types."""

    def __init__(self, base_url: str, tokens: TokenProvider, session: requests.Session) -> None:
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self.session = session
        self.requests_sent = 0  # benchmarks/idle.py counts them

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def call(self, method: str, path: str, *, json: Mapping[str, Any] | None = None,
             params: Mapping[str, str] | None = None, idempotent: bool = True) -> Any:
        """One API call; a 401 the token can cure is retried once with a refreshed token."""
        for attempt in (0, 1):
            response = self._send(method, path, json=json, params=params, idempotent=idempotent,
                                  refresh=attempt == 1)
            if response.status_code == 401 and attempt == 0 and _code(response) in _REFRESHABLE:
                continue
            return self._answer(response)
        raise AssertionError("unreachable")  # pragma: no cover

    def stream(self, path: str, headers: Mapping[str, str], read_timeout: float) -> requests.Response:
        """Open a long-lived response (the event stream); the caller reads and closes it."""
        for attempt in (0, 1):
            response = self._send("GET", path, headers={**headers, "Accept": "text/event-stream"},
                                  stream=True, refresh=attempt == 1, timeout=(TIMEOUT[0], read_timeout))
            if response.ok:
                return response
            code = _code(response)
            if response.status_code == 401 and attempt == 0 and code in _REFRESHABLE:
                response.close()
                continue
            self._answer(response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, path: str, *, refresh: bool, idempotent: bool = True,
              stream: bool = False, timeout: tuple[float, float] = TIMEOUT,
              **kwargs: Any) -> requests.Response:
        token = self.tokens.access_token(force_refresh=refresh)
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        self.requests_sent += 1
        try:
            return self.session.request(method, self.url(path), headers=headers, timeout=timeout,
                                        stream=stream, allow_redirects=False, **kwargs)
        except requests.exceptions.ReadTimeout as exc:
            raise e.OrgServiceUnreachableError(
                "The organisation service did not answer in time.", kind=type(exc).__name__,
                may_have_been_processed=not idempotent or None) from None
        except requests.RequestException as exc:
            raise e.OrgServiceUnreachableError(
                "The organisation service could not be reached.", kind=type(exc).__name__) from None

    def _answer(self, response: requests.Response) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            if status == 204 or not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                raise e.MalformedResponseError("The organisation service's answer was not JSON.",
                                               status=status) from None
        code = _code(response)
        details: dict[str, Any] = {"status": status, "service_code": code}
        if status == 401:
            # A freshly refreshed token refused: a set-up mismatch (audience, tenant, scope), not an
            # expired sign-in. Sending the person to sign in again would loop.
            raise e.OrgServiceTokenRefusedError("The organisation service refused the token.", **details)
        kind = _CODES.get(code or "") or _by_status(status, code)
        if kind is e.ThrottledError:
            retry = _retry_after(response)
            raise e.ThrottledError("The organisation service asked us to wait.", retry_after=retry, **details)
        raise kind(f"The organisation service answered {code or status}.", **details)


def _by_status(status: int, code: str | None) -> type[e.QuarantineCheckerError]:
    if status in (410, 426):
        return e.AppTooOldForServiceError
    if status == 404 and code in (None, "not_found", "method_not_allowed"):
        # The route itself is missing: a service from before this API (or a proxy in front of nothing).
        return e.OrgServiceTooOldError
    if status == 405:
        return e.OrgServiceTooOldError
    if status == 403:
        return e.OrgServiceNotAllowedError
    if status == 429:
        return e.ThrottledError
    if status >= 500:
        return e.OrgServiceError
    return e.OrgServiceError


def _code(response: requests.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) and len(code) <= 64 else None


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, min(float(value), 3600.0))
    except ValueError:
        return None
