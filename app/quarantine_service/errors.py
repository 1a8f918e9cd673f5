"""API errors: a status, a stable code and parameters, never a sentence (the app words it)."""

from __future__ import annotations

from typing import Any

from quarantine_checker.core.errors import (
    AlreadyDeniedError,
    AlreadyReleasedError,
    AlreadyRequestedError,
    AuthenticationError,
    CommandError,
    MalformedResponseError,
    MessageExpiredError,
    MessageNotFoundError,
    NetworkError,
    NotAllowedError,
    QuarantineCheckerError,
    ThrottledError,
)


class ApiError(Exception):
    def __init__(self, http_status: int, code: str, *, headers: dict[str, str] | None = None,
                 **params: Any) -> None:
        super().__init__(code)
        self.status = http_status
        self.code = code
        self.params = params
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "params": self.params}}


def from_exchange(exc: QuarantineCheckerError) -> ApiError:
    """Exchange's typed errors (after the transport's bounded retries) as API errors."""
    request_id = exc.details.get("client_request_id")
    extra = {"exchange_request_id": request_id} if request_id else {}
    if isinstance(exc, ThrottledError):
        wait = int(exc.retry_after or 30)
        return ApiError(503, "exchange_busy", headers={"Retry-After": str(wait)}, retry_after=wait, **extra)
    if isinstance(exc, MessageNotFoundError | MessageExpiredError):
        return ApiError(409, "message_gone", **extra)
    if isinstance(exc, AlreadyReleasedError):
        return ApiError(409, "already_released", **extra)
    if isinstance(exc, AlreadyRequestedError):
        return ApiError(409, "already_requested", **extra)
    if isinstance(exc, AlreadyDeniedError):
        return ApiError(409, "already_declined", **extra)
    if isinstance(exc, NetworkError):
        return ApiError(502, "exchange_unreachable", **extra)
    if isinstance(exc, AuthenticationError):
        return ApiError(502, "exchange_sign_in_failed", **extra)
    if isinstance(exc, NotAllowedError):
        return ApiError(502, "exchange_not_allowed", **extra)
    if isinstance(exc, MalformedResponseError):
        return ApiError(502, "exchange_unreadable", **extra)
    if isinstance(exc, CommandError):
        return ApiError(502, "exchange_command_failed", **extra)
    return ApiError(502, "exchange_failed", **extra)
