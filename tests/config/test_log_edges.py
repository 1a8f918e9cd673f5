"""Two things the log (and the "Copy details for IT" block) must survive: Entra's opaque refresh tokens,
which are not JWTs and carry no key name when they slip into a message, and text that is not valid
Unicode (a lone surrogate from a server reply), which a strict UTF-8 log file cannot write."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from quarantine_checker.core import errors
from quarantine_checker.core.messages import user_message
from quarantine_checker.logging_setup import RedactingFilter, redact, setup_logging

# The shapes Entra issues: "0.A" / "1.A" then base64url, sometimes with dot-separated parts after it.
ENTRA_REFRESH_TOKENS = (
    "0.AXoAq1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvWxYz0123456789abcdefABCDEF",
    "1.AVEAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-yyyyyyyyyy_zzzz.AgABAAEAAAD--DLA3VO7QrddgJg7WevrAgDs_wQA9P8",
    "0.AUcAmZ-aaaa_bbbb-cccc.dddd-eeee_ffff",
    "1.ARwAplanted_refresh_token_lower_case_only_0000",
)


@pytest.fixture
def clean_logging() -> Iterator[logging.Logger]:
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


@pytest.mark.parametrize("token", ENTRA_REFRESH_TOKENS)
def test_a_bare_entra_refresh_token_is_masked_in_logs_and_in_details_for_it(token):
    line = f"cache entry for alice@northwind.example: {token} (expires in 90 days)"
    masked = redact(line)
    assert token not in masked and token[:12] not in masked
    assert "alice@northwind.example" in masked and "expires in 90 days" in masked  # context survives

    details = user_message(errors.ServiceError("x", note=line), now=datetime(2026, 1, 1, tzinfo=UTC))
    assert token not in details.details_for_it and token[:12] not in details.details_for_it


def test_versions_and_ordinary_numbers_are_not_mistaken_for_tokens():
    text = "QuarantineChecker/1.4.2 on Python 3.12, step 1.A of 2, 0.5 s, module 3.7.1"
    assert redact(text) == text


def test_the_log_file_holds_neither_the_token_nor_a_write_error(tmp_path: Path, clean_logging, capfd):
    log_file = setup_logging(tmp_path / "logs", level="DEBUG")
    log = logging.getLogger("quarantine_checker.exchange.test")
    log.info("silent refresh with %s", ENTRA_REFRESH_TOKENS[0])
    log.info("server said %s", "bad \ud800 text")  # a lone surrogate, as a JSON reply can carry
    log.info("the line after it")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert ENTRA_REFRESH_TOKENS[0] not in text
    assert "bad \ufffd text" in text and "the line after it" in text
    assert "Logging error" not in capfd.readouterr().err
