"""Redaction of tokens and codes in logs, and the log file the app writes."""

from __future__ import annotations

import base64
import json
import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from quarantine_checker.logging_setup import RedactingFilter, install_redaction, redact, setup_logging


def _jwt(claims: dict) -> str:
    part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")  # noqa: E731
    return f"{part({'alg': 'RS256', 'typ': 'JWT', 'kid': 'abc'})}.{part(claims)}.{'S1gnature_' * 8}"


ACCESS = _jwt(
    {"aud": "https://outlook.office365.com", "upn": "alice@northwind.example", "scp": "Exchange.Manage"}
)
REFRESH = "0.ARoAPLANTED-refresh-Zm9vYmFyYmF6cXV4cXV1eA-" + "x" * 60
CODE = "1.AXoAPLANTED-auth-code-" + "y" * 80
CLIENT_INFO = base64.urlsafe_b64encode(b'{"uid":"1","utid":"2"}').decode()

SAMPLES = {
    # msal.oauth2cli.authcode logs these at DEBUG
    "auth-response": f"Got auth response: {{'code': '{CODE}', 'client_info': '{CLIENT_INFO}', "
                     f"'state': 'aBcD', 'session_state': 'e5f6'}}",
    "listener-line": f'127.0.0.1 - - "GET /?code={CODE}&client_info={CLIENT_INFO}&state=aBcD HTTP/1.1" 200 -',
    "token-response": json.dumps({"token_type": "Bearer", "scope": "https://outlook.office365.com/.default",
                                  "expires_in": 4567, "access_token": ACCESS, "refresh_token": REFRESH,
                                  "id_token": _jwt({"oid": "x"}), "client_info": CLIENT_INFO}),
    "token-request": f"POST body: client_id=abc&grant_type=refresh_token&refresh_token={REFRESH}"
                     f"&scope=openid&code_verifier=PLANTEDverifier0123456789abcdefghij&client_secret=PLANTEDsecret",
    "auth-header": f"Authorization: Bearer {ACCESS}",
    "headers-repr": f"headers={{'Authorization': 'Bearer {ACCESS}', 'Accept': 'application/json'}}",
    "escaped-json": json.dumps({"body": json.dumps({"refresh_token": REFRESH})}),
    "device-code": "device_code=GAQABAAEAAAAm-PLANTED-06blBE1TpVMil8KPQ41 user_code=ABCD-EFGH",
    "bare-jwt": f"token was {ACCESS} and expired",
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_realistic_secret_lines_are_masked(name: str) -> None:
    out = redact(SAMPLES[name])
    for secret in (ACCESS, REFRESH, CODE, CLIENT_INFO, "PLANTED", "eyJ"):
        assert secret not in out, (name, out)
    assert "***" in out


def test_useful_context_survives_redaction() -> None:
    out = redact(SAMPLES["token-response"])
    assert '"expires_in": 4567' in out and '"token_type": "Bearer"' in out
    assert redact(SAMPLES["auth-header"]) == "Authorization: Bearer ***"
    assert redact(SAMPLES["listener-line"]).endswith("&state=aBcD HTTP/1.1\" 200 -")
    # Error codes and status codes are diagnostics, not secrets.
    error = '{"error": {"code": "ErrorAccessDenied"}} code=403'
    assert redact(error) == error
    assert redact("token_type=Bearer expires_in=3600 correlation_id=1b2c") == (
        "token_type=Bearer expires_in=3600 correlation_id=1b2c"
    )
    assert redact("https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0") == (
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"
    )


def test_hostile_and_huge_strings_do_not_break_redaction() -> None:
    huge = "A" * 1_000_000 + f" refresh_token={REFRESH} " + "\u202e" * 10
    out = redact(huge)
    assert REFRESH not in out and len(out) < len(huge)
    assert redact("") == ""
    assert redact("'code': '") == "'code': '"


@pytest.fixture
def clean_logging() -> Iterator[logging.Logger]:
    """Put the logging module back as it was: handlers, levels and the record factory are global."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.getLogRecordFactory(), logging.getLogger("msal").level)
    yield root
    for handler in list(root.handlers):
        if handler not in saved[0]:
            root.removeHandler(handler)
            handler.close()
    for handler in saved[0]:
        for flt in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(flt)
    root.setLevel(saved[1])
    logging.setLogRecordFactory(saved[2])
    logging.getLogger("msal").setLevel(saved[3])


def test_the_log_file_never_holds_a_planted_token(tmp_path: Path, clean_logging: logging.Logger) -> None:
    log_file = setup_logging(tmp_path / "logs", level="DEBUG")
    log = logging.getLogger("quarantine_checker.auth.test")
    log.info("token response %s", SAMPLES["token-response"])
    log.debug("sending %s", {"Authorization": f"Bearer {ACCESS}"})
    try:
        raise RuntimeError(f"refresh failed for refresh_token={REFRESH}")
    except RuntimeError:
        log.exception("sign-in failed")
    log.warning("stack", stack_info=True, extra={"unrelated": 1})

    # A handler added later by some other code (a log view, a crash reporter) is covered too, even on
    # a logger of its own that sees the record before any of our handlers do.
    late = tmp_path / "late.log"
    late_handler = logging.FileHandler(late, encoding="utf-8")
    library = logging.getLogger("some.library")
    library.addHandler(late_handler)
    try:
        library.warning("callback %s", SAMPLES["listener-line"])
    finally:
        library.removeHandler(late_handler)
        late_handler.close()

    for path in (log_file, late):
        text = path.read_text(encoding="utf-8")
        for secret in (ACCESS, REFRESH, CODE, "PLANTED"):
            assert secret not in text, path
    text = log_file.read_text(encoding="utf-8")
    assert "sign-in failed" in text and "RuntimeError" in text and "refresh_token=***" in text
    assert "***" in late.read_text(encoding="utf-8")
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600


def test_msal_stays_quiet_below_warning_and_setup_is_repeatable(tmp_path: Path,
                                                                clean_logging: logging.Logger) -> None:
    setup_logging(tmp_path / "logs", level="DEBUG")
    log_file = setup_logging(tmp_path / "logs", level="DEBUG")  # twice: no duplicate lines
    logging.getLogger("msal.oauth2cli.authcode").debug("Got auth response: %s", {"code": CODE})
    logging.getLogger("quarantine_checker").info("once")
    text = log_file.read_text(encoding="utf-8")
    assert "Got auth response" not in text
    assert text.count("once") == 1


def test_log_files_rotate_instead_of_growing_forever(tmp_path: Path, clean_logging: logging.Logger) -> None:
    log_file = setup_logging(tmp_path / "logs")
    log = logging.getLogger("quarantine_checker.flood")
    line = "x" * 10_000
    for _ in range(500):  # ~5 MB
        log.info(line)
    files = sorted(p.name for p in log_file.parent.iterdir())
    assert files == ["quarantine-checker.log", "quarantine-checker.log.1", "quarantine-checker.log.2",
                     "quarantine-checker.log.3"]
    assert all(p.stat().st_size <= 1_100_000 for p in log_file.parent.iterdir())


def test_the_filter_alone_masks_records_made_elsewhere() -> None:
    record = logging.makeLogRecord({"msg": "got %s", "args": (f"access_token={ACCESS}",), "levelno": 20})
    assert RedactingFilter().filter(record) is True
    assert ACCESS not in record.getMessage() and "access_token=***" in record.getMessage()


def test_records_filled_in_after_creation_are_still_masked() -> None:
    # makeLogRecord (used by socket/queue log receivers) fills a factory-made record afterwards;
    # the creation-time redaction must not vouch for the later contents.
    install_redaction()
    record = logging.makeLogRecord({"msg": "got %s", "args": (f"access_token={ACCESS}",), "levelno": 20})
    RedactingFilter().filter(record)
    assert ACCESS not in record.getMessage()
