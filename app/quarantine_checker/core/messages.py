"""The one place that turns errors into words for a person.

Everything a user reads is in the module-level tables (``TITLES``, ``ERROR_TEXTS``, ``ACTION_TITLES``)
so the UI can pass each string through Qt's translate() with context ``TRANSLATION_CONTEXT``.

``details_for_it`` is what "Copy details for IT" puts on the clipboard. It holds the app version, the
UTC time, the error's class name and the error's ``details`` -- nothing else. Never ``str(exc)`` of an
exception we don't know (it may carry a subject or a token) and never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from quarantine_checker import __version__
from quarantine_checker.core import errors as e

TRANSLATION_CONTEXT = "errors"


@dataclass(frozen=True)
class UserMessage:
    title: str
    text: str
    retryable: bool
    details_for_it: str


@dataclass(frozen=True)
class _Entry:
    title: str
    text: str
    retryable: bool


# Looked up along the exception's MRO, so a subclass without its own entry gets its parent's words.
ERROR_TEXTS: dict[type[BaseException], _Entry] = {
    e.NetworkError: _Entry(
        "You seem to be offline",
        "Quarantine Checker couldn't reach Microsoft 365. Check that you're connected to the internet, "
        "then try again.",
        True,
    ),
    e.SlowServiceError: _Entry(
        "Microsoft 365 is answering too slowly",
        "Microsoft 365 is answering too slowly right now. This is usually temporary — try again in a few "
        "minutes.",
        True,
    ),
    e.ThrottledError: _Entry(
        "Microsoft 365 is busy",
        "Microsoft asked us to slow down. We'll try again in a minute.",
        True,
    ),
    e.ServiceError: _Entry(
        "Microsoft 365 had a problem",
        "Microsoft's service didn't answer properly. This is usually temporary — try again in a few minutes.",
        True,
    ),
    e.MalformedResponseError: _Entry(
        "Unexpected answer from Microsoft 365",
        "Microsoft 365 sent an answer this app doesn't understand. Try again later; if it keeps happening, "
        "copy the details for your IT team.",
        True,
    ),
    e.AuthenticationError: _Entry(
        "Please sign in again",
        "Your sign-in has expired or was ended. Sign in again to carry on.",
        False,
    ),
    e.NotAllowedError: _Entry(
        "Not turned on for your account",
        "Your organisation doesn't allow this app to check quarantine. Your IT team can turn it on.",
        False,
    ),
    e.NoDirectAccessError: _Entry(
        "Your organisation hasn't opened quarantine to this app",
        "You're signed in, but your organisation doesn't let your account check quarantine from this "
        "app. Signing in again won't change that; your IT team can.",
        False,
    ),
    e.OrgServiceUnreachableError: _Entry(
        "Can't reach your organisation's quarantine service",
        "Quarantine Checker couldn't reach the quarantine service your IT team runs. It keeps trying by "
        "itself and carries on when the service is back; nothing you asked for is lost.",
        True,
    ),
    e.OrgServiceError: _Entry(
        "Your organisation's quarantine service had a problem",
        "The quarantine service your IT team runs didn't answer properly. This is usually temporary — "
        "it tries again by itself.",
        True,
    ),
    e.OrgServiceTokenRefusedError: _Entry(
        "The quarantine service didn't accept your sign-in",
        "You're signed in, but your organisation's quarantine service refused the sign-in this app sent. "
        "Signing in again won't change that: your IT team needs to check the service's set-up.",
        False,
    ),
    e.OrgServiceVersionError: _Entry(
        "This app and your organisation's quarantine service don't match",
        "This version of Quarantine Checker and the quarantine service your IT team runs don't work "
        "together. Your IT team needs to update one of them.",
        False,
    ),
    e.OrgServiceTooOldError: _Entry(
        "Your organisation's quarantine service needs an update",
        "The quarantine service your IT team runs is older than this version of Quarantine Checker. "
        "Your IT team needs to update the service; until then, this app can't show your quarantine.",
        False,
    ),
    e.AppTooOldForServiceError: _Entry(
        "Quarantine Checker needs an update",
        "Your organisation's quarantine service no longer works with this version of Quarantine "
        "Checker. Install the newer version your IT team provides.",
        False,
    ),
    e.OrgServiceNotAllowedError: _Entry(
        "Your organisation's quarantine service says no",
        "The quarantine service your IT team runs doesn't let your account do this. Your IT team can "
        "tell you why.",
        False,
    ),
    e.SignInError: _Entry(
        "Sign-in didn't work",
        "Microsoft couldn't sign you in. Try again; if it keeps failing, copy the details for your IT team.",
        True,
    ),
    e.SignInCancelled: _Entry(
        "Sign-in was cancelled",
        "The sign-in window was closed before it finished. Sign in whenever you're ready.",
        True,
    ),
    e.CommandError: _Entry(
        "Microsoft 365 said no",
        "Microsoft 365 couldn't do that. Try again; if it keeps happening, copy the details for your "
        "IT team.",
        True,
    ),
    e.MessageNotFoundError: _Entry(
        "Message no longer in quarantine",
        "This message is no longer in quarantine. It may have been released, deleted or reached its "
        "deletion date.",
        False,
    ),
    e.AlreadyReleasedError: _Entry(
        "Already released",
        "This message has already been released. Look for it in your inbox.",
        False,
    ),
    e.AlreadyRequestedError: _Entry(
        "Already requested",
        "You've already asked IT to release this message. They haven't answered yet.",
        False,
    ),
    e.AlreadyDeniedError: _Entry(
        "IT declined this release",
        "Your IT team already decided not to release this message. Contact them if you think that was "
        "a mistake.",
        False,
    ),
    e.MessageExpiredError: _Entry(
        "Message deleted",
        "This message has passed its deletion date, so it can't be released any more.",
        False,
    ),
    e.ForbiddenActionError: _Entry(
        "Not allowed for this message",
        "Your organisation's settings don't allow this for this message. Your IT team can help if you "
        "need it.",
        False,
    ),
    e.ActionUnavailableError: _Entry(
        "Not available for this message",
        # Replaced by the decision's own sentence (``exc.reason``); this is the fallback.
        "This can't be done with this message. Your IT team can tell you more.",
        False,
    ),
    e.SecureStorageUnavailable: _Entry(
        "Can't remember your sign-in",
        "Your computer's password store isn't available, so you'll need to sign in again the next time "
        "you start the app.",
        False,
    ),
    e.ConfigurationError: _Entry(
        "Setup needed",
        "The app's settings are incomplete. Your IT team may need to set it up for your organisation.",
        False,
    ),
    e.QuarantineCheckerError: _Entry(
        "Something went wrong",
        "Something went wrong. Try again; if it keeps happening, copy the details for your IT team.",
        True,
    ),
}

# Sign-in failures say *why* by their code (``SignInError.code`` / ``details["code"]``, set in auth/):
# an Entra "AADSTS<n>" code, an OAuth error, or one of the app's own codes. The class entry above is the
# fallback for codes not listed here. The correlation id is in ``details_for_it`` for the helpdesk.
CODE_TEXTS: dict[str, _Entry] = {
    "AADSTS50076": _Entry(
        "Your organisation needs you to verify it's you",
        "Your organisation asks for an extra check (such as a code on your phone). Sign in again and "
        "complete the check.",
        True,
    ),
    "AADSTS50079": _Entry(
        "Set up extra sign-in security first",
        "Your organisation needs you to set up an extra sign-in check (such as the Authenticator app) "
        "before you can use this app. Sign in again and follow the steps, or ask your IT team.",
        True,
    ),
    "AADSTS53000": _Entry(
        "This computer doesn't meet company policy",
        "Your organisation only allows sign-in from devices it manages. Contact your IT team and give "
        "them the details below.",
        False,
    ),
    "AADSTS53003": _Entry(
        "Blocked by your organisation's policy",
        "Your organisation's access rules blocked this sign-in (for example because of where you are or "
        "which device you use). Contact your IT team and give them the details below.",
        False,
    ),
    "AADSTS65001": _Entry(
        "Your IT team needs to approve this app",
        "This app hasn't been approved for your organisation yet. Ask your IT team to approve "
        "Quarantine Checker, then try again.",
        False,
    ),
    "AADSTS700016": _Entry(
        "This app isn't set up for your organisation",
        "The app ID in the settings isn't known to your organisation. Your IT team needs to check the "
        "app registration.",
        False,
    ),
    "interaction_required": _Entry(
        "Please sign in again",
        "Your organisation needs you to sign in again before carrying on.",
        True,
    ),
    "invalid_grant": _Entry(
        "Please sign in again",
        "Your sign-in has expired or was ended (for example after a password change). Sign in again.",
        True,
    ),
    "timeout": _Entry(
        "Sign-in timed out",
        "The sign-in wasn't finished in time. Sign in again whenever you're ready.",
        True,
    ),
    "wrong_tenant": _Entry(
        "Wrong organisation",
        "That account belongs to a different organisation than the one this app is set up for. Sign in "
        "with your work account for this organisation.",
        True,
    ),
    "guest_account": _Entry(
        "Guest accounts can't be used",
        "You signed in with a guest account from another organisation. Quarantine only holds mail for "
        "your own work mailbox, so sign in with your own work account instead.",
        True,
    ),
    "browser_unavailable": _Entry(
        "No web browser found",
        "Signing in needs a web browser, and none could be opened. Install or set a default browser, "
        "then try again.",
        True,
    ),
}


def _code_entry(exc: BaseException) -> _Entry | None:
    if not isinstance(exc, e.SignInError | e.AuthenticationError):
        return None
    code = getattr(exc, "code", None) or exc.details.get("code")
    return CODE_TEXTS.get(code) if isinstance(code, str) else None


# The road-closed page (ui/road_closed_view.py) and the command line say the same: what IT can do, and
# where the person can see their held mail meanwhile (Microsoft's own quarantine page).
MICROSOFT_QUARANTINE_URL = "https://security.microsoft.com/quarantine?viewid=Email"
IT_GUIDE = "docs/it/direct-access.md"
ROAD_CLOSED_IT_TEXT = (
    "What your IT team can do: set up the Quarantine Checker organisation service, or allow direct access "
    "to quarantine for employees. Both are explained in the IT guide ({guide})."
)
ROAD_CLOSED_MEANWHILE_TEXT = "Meanwhile you can see your held mail on Microsoft's quarantine page: {url}"
HELPDESK_TEXT = "Your IT contact: {helpdesk}"
NO_HELPDESK_TEXT = "Contact your IT team and give them the details."


def helpdesk_line(helpdesk: str = "") -> str:
    """Who to contact: the helpdesk IT configured (``helpdesk`` in the settings), or a plain fallback.
    Shown wherever the app sends the person to IT (error banners and dialogs, Help, the road-closed page)."""
    return HELPDESK_TEXT.format(helpdesk=helpdesk.strip()) if helpdesk.strip() else NO_HELPDESK_TEXT


def road_closed_lines(helpdesk: str = "") -> list[str]:
    """What comes after the error's own words when no road to quarantine is open."""
    return [
        ROAD_CLOSED_IT_TEXT.format(guide=IT_GUIDE),
        helpdesk_line(helpdesk),
        ROAD_CLOSED_MEANWHILE_TEXT.format(url=MICROSOFT_QUARANTINE_URL),
    ]


UNKNOWN_ERROR = _Entry(
    "Something went wrong",
    "Something unexpected went wrong. Try again; if it keeps happening, copy the details for your IT team.",
    True,
)

# Longer waits than a minute get their own sentence so we don't promise "a minute" and take five.
THROTTLED_LONG_TEXT = "Microsoft asked us to slow down. We'll try again in a few minutes."
THROTTLED_LONG_AFTER_SECONDS = 90.0
# Where nothing tries again by itself (the command line), the words must not promise that it will.
THROTTLED_MANUAL_TEXT = "Microsoft asked us to slow down. Try again in a minute."
THROTTLED_MANUAL_LONG_TEXT = "Microsoft asked us to slow down. Try again in a few minutes."

# When the caller says what the user was doing, the title names it; the text stays the error's.
ACTION_TITLES: dict[str, str] = {
    "release": "Couldn't release the message",
    "request_release": "Couldn't send your request to IT",
    "delete": "Couldn't delete the message",
    "preview": "Couldn't show the preview",
    "view_headers": "Couldn't show the message details",
    "report_not_junk": "Couldn't report the message as not junk",
    "refresh": "Couldn't check your quarantine",
    "sign_in": "Couldn't sign you in",
    "start": "Quarantine Checker couldn't start",
}

# Errors that already say it all in their title; an action title would only blur them.
_KEEP_OWN_TITLE: tuple[type[BaseException], ...] = (
    e.AuthenticationError,
    e.NotAllowedError,
    e.SignInCancelled,
    e.AlreadyReleasedError,
    e.AlreadyRequestedError,
    e.AlreadyDeniedError,
)

DETAILS_HEADER = "Quarantine Checker {version}"

# --- keeping the IT block safe to paste into a ticket ----------------------------------------------

MAX_DETAIL_CHARS = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
# Defence in depth: errors.py promises details hold no secrets, but a slip must not reach a ticket.
_SECRETS = (
    re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),  # JWT
    re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)\b(access_token|refresh_token|id_token|client_secret|password|code)=[^&\s]+"),
    # Entra's opaque refresh tokens ("0.AXoA…", "1.AV…"): not JWTs, and not always mixed-case enough
    # for the blob check below.
    re.compile(r"(?<![A-Za-z0-9._-])[01]\.A[A-Za-z0-9_-]{16,}(?:\.[A-Za-z0-9_-]+)*"),
)
# Long opaque blobs (refresh tokens, keys): a run with a 32+ character piece mixing cases and digits.
# Paths, GUIDs and request ids are made of short pieces and survive.
_BLOB = re.compile(r"[A-Za-z0-9+/_.=-]{32,}")
_PIECE = re.compile(r"[A-Za-z0-9+_=]{32,}")
REDACTED = "[removed]"


def _looks_secret(run: str) -> bool:
    return any(
        re.search(r"[a-z]", p) and re.search(r"[A-Z]", p) and re.search(r"\d", p) for p in _PIECE.findall(run)
    )


def _clean(value: Any) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool | int | float) or value is None:
        text = str(value)
    else:
        try:
            text = repr(value)
        except Exception:  # a hostile __repr__ must not turn an error report into a crash
            text = f"<{type(value).__name__}>"
    # One line per fact: a value with newlines must not be able to fake extra lines in the block.
    text = _CONTROL.sub(" ", text)
    for pattern in _SECRETS:
        text = pattern.sub(REDACTED, text)
    text = _BLOB.sub(lambda m: REDACTED if _looks_secret(m.group(0)) else m.group(0), text)
    if len(text) > MAX_DETAIL_CHARS:
        text = text[:MAX_DETAIL_CHARS] + "…"
    return text.strip()


def _details_block(kind: str, details: dict[str, Any], now: datetime) -> str:
    lines = [
        DETAILS_HEADER.format(version=__version__),
        f"Time (UTC): {now.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S')}Z",
        f"Error: {kind}",
    ]
    for key in sorted(details, key=str):
        lines.append(f"{_clean(str(key))[:80]}: {_clean(details[key])}")
    return "\n".join(lines)


def _entry_for(exc: BaseException) -> _Entry:
    for klass in type(exc).__mro__:
        entry = ERROR_TEXTS.get(klass)
        if entry is not None:
            return entry
    return UNKNOWN_ERROR


def user_message(
    exc: BaseException, *, action: str | None = None, now: datetime | None = None,
    retries_itself: bool = True,
) -> UserMessage:
    """Words for the user about ``exc``. ``action`` is an ``Action`` value ("release", …) or "refresh".

    ``retries_itself`` says whether the caller will try again on its own (the app's background check
    does; the command line does not), so the words never promise a retry that won't happen.
    """
    now = now or datetime.now(UTC)
    entry = _code_entry(exc) or _entry_for(exc)
    text = entry.text
    if isinstance(exc, e.ThrottledError):
        wait = exc.retry_after
        long_wait = isinstance(wait, int | float) and wait > THROTTLED_LONG_AFTER_SECONDS
        if retries_itself:
            text = THROTTLED_LONG_TEXT if long_wait else entry.text
        else:
            text = THROTTLED_MANUAL_LONG_TEXT if long_wait else THROTTLED_MANUAL_TEXT
    if isinstance(exc, e.ActionUnavailableError) and isinstance(exc.reason, str) and exc.reason:
        text = exc.reason
    if isinstance(exc, e.ConfigurationError) and exc.details.get("key") and str(exc):
        # A setting the app refused: config.py's own sentence names the setting and where it was set,
        # which is what the person (or IT) needs to fix it. These sentences are ours, never wire data.
        text = str(exc)
    title = entry.title
    if action and action in ACTION_TITLES and not isinstance(exc, _KEEP_OWN_TITLE):
        title = ACTION_TITLES[action]
    if isinstance(exc, e.QuarantineCheckerError):
        raw = exc.details if isinstance(exc.details, dict) else {}
        details = _details_block(type(exc).__name__, raw, now)
    else:
        # Unknown exceptions may carry anything in their message; only their type is safe to show.
        details = _details_block(type(exc).__name__, {}, now)
    return UserMessage(title=title, text=text, retryable=entry.retryable, details_for_it=details)
