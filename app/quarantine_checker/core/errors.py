"""Typed errors shared by every layer.

Transports raise these; the one place that turns them into words for a person is
``core/messages.py``. Each error carries ``details``: a dict of non-secret facts for the
"Copy details for IT" button (HTTP status, request id, the service's own error text).
Never put tokens, subjects, bodies or sender addresses into ``details``.
"""

from __future__ import annotations

from typing import Any


class QuarantineCheckerError(Exception):
    """Base for every error the app expects and knows how to explain."""

    def __init__(self, message: str = "", **details: Any) -> None:
        super().__init__(message or self.__class__.__name__)
        self.details: dict[str, Any] = {k: v for k, v in details.items() if v is not None}

    def __str__(self) -> str:  # keeps reprs in logs short and free of payloads
        return self.args[0] if self.args else self.__class__.__name__


# --- reaching the service -------------------------------------------------------------------------
class NetworkError(QuarantineCheckerError):
    """No connection, DNS failure, TLS failure or a timeout."""


class SlowServiceError(NetworkError):
    """The service was reached but did not answer within the call's time budget."""


class ThrottledError(QuarantineCheckerError):
    """The service kept answering 429/503 after our retries."""

    def __init__(self, message: str = "", retry_after: float | None = None, **details: Any) -> None:
        super().__init__(message, retry_after=retry_after, **details)
        self.retry_after = retry_after


class ServiceError(QuarantineCheckerError):
    """The service failed in a way we did not recognise (5xx, odd status)."""


class MalformedResponseError(QuarantineCheckerError):
    """The service answered, but not with anything we can read."""


# --- who you are and what you may do ---------------------------------------------------------------
class AuthenticationError(QuarantineCheckerError):
    """The token was refused and a fresh one did not help: the user must sign in again."""


class NotAllowedError(QuarantineCheckerError):
    """The organisation does not let this account use this feature (PowerShell off, CA, RBAC)."""


class NoDirectAccessError(NotAllowedError):
    """The direct road is closed: this account may not run the quarantine commands at all.

    Exchange answers such a call with HTTP 401 and a body saying the user "is not allowed to call" the
    cmdlet (org-service.md §1.1), or the session's EXOModuleFile lists no quarantine cmdlet. The sign-in
    is fine: refreshing the token or signing in again cannot help, only IT can (organisation service or
    direct access, docs/it/direct-access.md). Never treated like an expired token.
    """


# --- the organisation service (the service road, orgservice/) ----------------------------------------
class OrgServiceUnreachableError(NetworkError):
    """The organisation's quarantine service could not be reached (down, network, TLS)."""


class OrgServiceError(ServiceError):
    """The organisation service failed (5xx) or could not reach Microsoft 365 itself."""


class OrgServiceTokenRefusedError(QuarantineCheckerError):
    """The service refused a freshly refreshed token (wrong audience, tenant or scope: a set-up
    mismatch). Not an ``AuthenticationError``: signing in again gets the same token, so the app must not
    send the person round a sign-in loop."""


class OrgServiceVersionError(QuarantineCheckerError):
    """The service and the app do not speak the same API version."""


class OrgServiceTooOldError(OrgServiceVersionError):
    """The service lacks what this app needs (an endpoint missing, an older API)."""


class AppTooOldForServiceError(OrgServiceVersionError):
    """The service no longer serves this version of the app (HTTP 410/426 or ``client_too_old``)."""


class OrgServiceNotAllowedError(NotAllowedError):
    """The service says this employee may not do this (no mailbox it knows, or a role missing)."""


class SignInError(QuarantineCheckerError):
    """Signing in failed. ``code`` is the identity provider's error, ``correlation_id`` its trace id."""

    def __init__(
        self,
        message: str = "",
        code: str | None = None,
        correlation_id: str | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message, code=code, correlation_id=correlation_id, **details)
        self.code = code
        self.correlation_id = correlation_id


class SignInCancelled(SignInError):
    """The user closed or cancelled the sign-in, or it timed out waiting for them."""


# --- the cmdlet said no ------------------------------------------------------------------------------
class CommandError(QuarantineCheckerError):
    """A cmdlet ran and reported an error. ``server_message`` is the service's own text."""

    def __init__(self, message: str = "", server_message: str = "", **details: Any) -> None:
        super().__init__(message or server_message, server_message=server_message or None, **details)
        self.server_message = server_message


class MessageNotFoundError(CommandError):
    """The message is gone: released, deleted, expired or purged."""


class AlreadyReleasedError(CommandError):
    """The message was already released to this recipient."""


class AlreadyRequestedError(CommandError):
    """A release was already requested for this message."""


class AlreadyDeniedError(CommandError):
    """IT already declined the release of this message."""


class MessageExpiredError(CommandError):
    """The message has passed its expiry and can no longer be acted on."""


class ForbiddenActionError(CommandError):
    """The quarantine policy does not allow this action on this message."""


class ActionUnavailableError(ForbiddenActionError):
    """Refused here, before anything was sent: the app's own decision (core/decision.py) says this action
    is not available for this message. ``reason`` is the decision's sentence for the user."""

    def __init__(self, reason: str = "", *, action: str | None = None, **details: Any) -> None:
        super().__init__("This action is not available for this message", action=action, **details)
        self.reason = reason


# --- storage -------------------------------------------------------------------------------------------
class SecureStorageUnavailable(QuarantineCheckerError):
    """No working OS keyring: secrets stay in memory for this run only."""


class ConfigurationError(QuarantineCheckerError):
    """The configuration is missing something (e.g. the tenant) or holds a value we cannot use."""
