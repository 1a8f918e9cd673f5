"""Exit codes of ``quarantine-checker`` (documented in docs/cli.md; scripts rely on them)."""

from __future__ import annotations

import enum

from quarantine_checker.core import errors as e


class ExitCode(enum.IntEnum):
    OK = 0            # done; for ``list``: nothing is held
    INTERNAL = 1      # a bug: something unexpected went wrong
    USAGE = 2         # wrong arguments, unknown or ambiguous message ID
    HELD = 3          # ``list`` only: one or more messages are held (not an error)
    AUTH = 4          # not signed in, sign-in failed/cancelled/timed out, sign-in expired
    REFUSED = 5       # Microsoft 365 refused: not allowed, already released/requested, gone, policy
    NETWORK = 6       # could not reach Microsoft 365 / the sign-in service, or it failed (try later)
    SETUP = 7         # settings missing or unusable, no usable password store where one is required,
                      # or the organisation lets no road to quarantine open for this account (IT's to fix)


def exit_code_for(exc: BaseException) -> ExitCode:
    if isinstance(exc, e.SignInError | e.AuthenticationError):
        return ExitCode.AUTH
    if isinstance(exc, e.NoDirectAccessError):  # before NotAllowedError: a setup problem, not a refusal
        return ExitCode.SETUP
    if isinstance(exc, e.OrgServiceTokenRefusedError | e.OrgServiceVersionError):
        return ExitCode.SETUP  # the service and the app don't fit together: IT's to fix
    if isinstance(exc, e.CommandError | e.NotAllowedError):
        return ExitCode.REFUSED
    if isinstance(exc, e.NetworkError | e.ThrottledError | e.ServiceError | e.MalformedResponseError):
        return ExitCode.NETWORK
    if isinstance(exc, e.ConfigurationError | e.SecureStorageUnavailable):
        return ExitCode.SETUP
    return ExitCode.INTERNAL
