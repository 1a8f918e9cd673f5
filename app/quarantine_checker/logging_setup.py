"""Logging that never writes a token, code or key, whoever adds the handler.

MSAL and its loopback listener log raw auth responses (``?code=…&client_info=…``) at DEBUG, and any of
our own messages could one day carry a header or a token response by mistake. So redaction does not
depend on which handler a record reaches:

1. ``install_redaction()`` wraps the *log record factory*. Every record created by any logger in this
   process is redacted at birth: the message is formatted and masked, ``args`` dropped, and the
   traceback pre-rendered, masked and stored in ``exc_text`` (``exc_info`` is cleared, so no formatter
   can re-render the raw exception text later). This covers handlers added later by other code, pytest's
   capture, a Qt log view, anything.
2. ``RedactingFilter`` is also attached to every handler we install and to the root logger's handlers at
   set-up time, for records that don't come from the factory (``logging.makeLogRecord``, records from
   another process).

The factory only runs for records that pass the logger's level check, so the cost is limited to what is
actually logged.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from quarantine_checker.core.text_safety import scrub

LOG_FILE_NAME = "quarantine-checker.log"
# The command line logs to its own file: Windows can't rename a log another process holds open, so a
# GUI and a CLI sharing one rotating file would fail to roll over (and report it on a missing stderr).
CLI_LOG_FILE_NAME = "quarantine-checker-cli.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
MASK = "***"
_REDACTED_FLAG = "_qc_redacted"
_OWNED_FLAG = "_qc_owned"

# Keys whose values are secrets: any *_token (access_token, refresh_token, id_token, …) and the rest.
_KEY = (
    r"(?:[A-Za-z0-9]+[_-])*token|client_info|client_secret|client_assertion|device_code|code_verifier"
    r"|assertion|password|secret|authorization|cookie|set-cookie|code"
)
# "code" is also the name of harmless error codes ({"code": "ErrorAccessDenied"}); an OAuth code is long.
_MIN_CODE_LEN = 20

# {"refresh_token": "…"}, {'code': '…'}, and JSON escaped inside a string: {\"id_token\": \"…\"}
_QUOTED_PAIR = re.compile(
    rf"(?P<q>\\*[\"'])(?P<key>{_KEY})(?P=q)(?P<sep>\s*:\s*)(?P<vq>\\*[\"'])(?P<val>.*?)(?<!\\)(?P=vq)",
    re.IGNORECASE | re.DOTALL,
)
# Authorization: Bearer eyJ…   /   Proxy-Authorization: Basic …
_AUTH_HEADER = re.compile(
    r"(?P<head>\b(?:proxy-)?authorization\s*[:=]\s*)(?:(?P<scheme>bearer|basic|negotiate|ntlm|pop)\s+)?"
    r"(?P<val>[^\s,;'\"]+)",
    re.IGNORECASE,
)
# ?code=…&client_info=…  and  refresh_token=…&grant_type=…
_KV_PAIR = re.compile(rf"(?<![A-Za-z0-9_])(?P<key>{_KEY})=(?P<val>[^&\s'\",;]+)", re.IGNORECASE)
# refresh_token: abc   (unquoted, e.g. in a hand-written message)
_COLON_PAIR = re.compile(
    rf"(?<![A-Za-z0-9_\"'])(?P<key>{_KEY})(?P<sep>\s*:\s*)(?![\"'\\\s])(?P<val>[^\s,;'\"}}]+)", re.IGNORECASE
)
_BEARER = re.compile(r"\b(?P<scheme>bearer)\s+(?!\*\*\*)[A-Za-z0-9\-._~+/]{16,}=*", re.IGNORECASE)
# A JWT/JWS/JWE: base64url segments; the header always starts with '{"' = "eyJ".
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){2,4}")
_THREE_SEGMENTS = re.compile(r"\b[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b")
# An Entra refresh token is opaque, not a JWT: a version digit, a dot, then a long base64url run that
# starts with "A" ("0.AXoA…", "1.AV…"), sometimes with further dot-separated parts.
ENTRA_REFRESH_TOKEN = re.compile(r"(?<![A-Za-z0-9._-])[01]\.A[A-Za-z0-9_-]{16,}(?:\.[A-Za-z0-9_-]+)*")


def _is_short_code(key: str, val: str) -> bool:
    return key.lower() == "code" and len(val) < _MIN_CODE_LEN


def redact(text: str) -> str:
    """``text`` with every token-like secret replaced by ``***``."""
    if not text:
        return text
    text = scrub(text)  # a lone surrogate from a server reply must not make the log file unwritable

    def quoted(m: re.Match[str]) -> str:
        if _is_short_code(m["key"], m["val"]):
            return m[0]
        return f"{m['q']}{m['key']}{m['q']}{m['sep']}{m['vq']}{MASK}{m['vq']}"

    def header(m: re.Match[str]) -> str:
        return f"{m['head']}{m['scheme'] + ' ' if m['scheme'] else ''}{MASK}"

    def pair(sep: str) -> Callable[[re.Match[str]], str]:
        def repl(m: re.Match[str]) -> str:
            if m["val"] == MASK or (_is_short_code(m["key"], m["val"]) and len(m["val"]) < 8):
                return m[0]
            if m["key"].lower().endswith("authorization"):  # _AUTH_HEADER already kept the scheme
                return m[0]
            return f"{m['key']}{sep or m['sep']}{MASK}"

        return repl

    text = _QUOTED_PAIR.sub(quoted, text)
    text = _AUTH_HEADER.sub(header, text)
    text = _KV_PAIR.sub(pair("="), text)
    text = _COLON_PAIR.sub(pair(""), text)
    text = _BEARER.sub(lambda m: f"{m['scheme']} {MASK}", text)
    text = _JWT.sub(MASK, text)
    text = ENTRA_REFRESH_TOKEN.sub(MASK, text)
    return _THREE_SEGMENTS.sub(MASK, text)


class RedactingFilter(logging.Filter):
    """Masks secrets in a record's message and traceback, in place. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    # The flag remembers the message it vouches for: a record whose fields were replaced after
    # creation (logging.makeLogRecord fills a factory-made record afterwards) is redacted again.
    if record.args is None and getattr(record, _REDACTED_FLAG, None) is record.msg:
        return record
    try:
        message = record.getMessage()
    except Exception:  # a bad %-format: leave it to logging's own error handling
        return record
    record.msg = redact(message)
    record.args = None
    if record.exc_info:
        if not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_info = None
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    setattr(record, _REDACTED_FLAG, record.msg)
    return record


def install_redaction() -> None:
    """Make every log record in this process redacted at creation. Safe to call more than once."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, _REDACTED_FLAG, False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(previous(*args, **kwargs))

    setattr(factory, _REDACTED_FLAG, True)
    logging.setLogRecordFactory(factory)


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Log files are readable by the user only: they name the user's account and mailbox.

    ``newline=""``: no newline translation. In text mode Windows turns every "\n" into "\r\n", so a
    message already holding "\r\n" (an HTTP header, a pasted address) was written as "\r\r\n"."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return os.fdopen(fd, self.mode, encoding=self.encoding, errors=self.errors, newline="")

    def doRollover(self) -> None:
        """A rollover Windows refuses (another process has a file open) is tried again later, instead of
        reporting an error for every record; the current file keeps growing until then."""
        try:
            super().doRollover()
        except OSError:
            if self.stream is None:
                self.stream = self._open()


def setup_logging(log_dir: Path, level: str | int = "INFO", console: bool = False,
                  file_name: str = LOG_FILE_NAME) -> Path:
    """Configure the root logger: redaction everywhere, a rotating file in ``log_dir``, MSAL quiet.

    Calling it again replaces the handlers it added before. Returns the log file's path.
    """
    install_redaction()
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    log_file = log_dir / file_name

    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OWNED_FLAG, False):
            root.removeHandler(handler)
            handler.close()

    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [
        _PrivateRotatingFileHandler(log_file, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")
    ]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    for handler in handlers:
        handler.setFormatter(formatter)
        setattr(handler, _OWNED_FLAG, True)
        root.addHandler(handler)
    for handler in root.handlers:  # ours and any already there
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())

    root.setLevel(logging.getLevelName(level.upper()) if isinstance(level, str) else level)
    # MSAL logs raw auth responses at DEBUG; keep it at WARNING even when the app logs DEBUG.
    logging.getLogger("msal").setLevel(logging.WARNING)
    return log_file
