"""Errors in plain words, and a "Copy details for IT" block that holds only safe facts."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta, timezone

import pytest

from quarantine_checker import __version__
from quarantine_checker.core import errors
from quarantine_checker.core.messages import ACTION_TITLES, user_message

WHEN = datetime(2026, 8, 14, 12, 0, 5, tzinfo=UTC)
ERROR_CLASSES = [
    cls for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, errors.QuarantineCheckerError)
]

# Things a leaky implementation would copy out of str(exc) or a traceback.
SUBJECT = "Your payslip for August <b>CONFIDENTIAL</b>"
JWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJ1cG4iOiJhbGljZUBub3J0aHdpbmQuZXhhbXBsZSJ9.c2lnbmF0dXJlX3NpZ24"
REFRESH = "0.AXoAq1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvWxYz0123456789abcdefABCDEF"


def test_every_error_class_has_its_own_plain_words():
    seen = {}
    for cls in ERROR_CLASSES:
        message = user_message(cls(), now=WHEN)
        assert message.title.strip() and message.text.strip()
        if cls is not errors.QuarantineCheckerError:
            seen.setdefault(message.text, []).append(cls.__name__)
    # Each error type explains itself; no two share a sentence by accident.
    assert all(len(names) == 1 for names in seen.values()), seen


@pytest.mark.parametrize(
    ("exc", "text", "retryable"),
    [
        (errors.NotAllowedError(),
         "Your organisation doesn't allow this app to check quarantine. Your IT team can turn it on.", False),
        (errors.ThrottledError(retry_after=20),
         "Microsoft asked us to slow down. We'll try again in a minute.", True),
        (errors.ThrottledError(retry_after=600),
         "Microsoft asked us to slow down. We'll try again in a few minutes.", True),
        (errors.AlreadyRequestedError(server_message="already requested"),
         "You've already asked IT to release this message. They haven't answered yet.", False),
        (errors.AlreadyReleasedError(),
         "This message has already been released. Look for it in your inbox.", False),
    ],
)
def test_known_wording(exc, text, retryable):
    message = user_message(exc, now=WHEN)
    assert message.text == text
    assert message.retryable is retryable


def test_offline_wording_is_retryable():
    message = user_message(errors.NetworkError("Connection refused"), now=WHEN)
    assert "internet" in message.text and message.retryable


def test_sign_in_needed_and_cancelled_are_distinct():
    assert not user_message(errors.AuthenticationError(), now=WHEN).retryable
    assert user_message(errors.SignInCancelled(), now=WHEN).title == "Sign-in was cancelled"
    assert user_message(errors.SignInError(code="not_a_known_code"), now=WHEN).title == "Sign-in didn't work"


def test_action_names_the_title_but_not_for_self_explaining_errors():
    assert user_message(errors.NetworkError(), action="release", now=WHEN).title == ACTION_TITLES["release"]
    assert user_message(errors.AlreadyRequestedError(), action="request_release", now=WHEN).title == (
        "Already requested")
    # An action we don't know is never echoed back.
    assert "<script>" not in user_message(errors.NetworkError(), action="<script>", now=WHEN).title


def test_details_block_layout():
    exc = errors.ServiceError(
        "HTTP 502", status=502, request_id="c0ffee00-1111-2222-3333-444455556666", cmdlet="x"
    )
    block = user_message(exc, now=WHEN.astimezone(timezone(timedelta(hours=2)))).details_for_it
    assert block.splitlines() == [
        f"Quarantine Checker {__version__}",
        "Time (UTC): 2026-08-14 12:00:05Z",
        "Error: ServiceError",
        "cmdlet: x",
        "request_id: c0ffee00-1111-2222-3333-444455556666",
        "status: 502",
    ]


def test_unknown_exception_details_name_only_the_type():
    exc = RuntimeError(f"failed on {SUBJECT} with token {JWT}")
    exc.details = {"subject": SUBJECT}  # type: ignore[attr-defined]  # not ours: must be ignored too
    message = user_message(exc, action="refresh", now=WHEN)
    assert message.retryable
    assert message.text.startswith("Something unexpected went wrong")
    for leak in (SUBJECT, "payslip", JWT, "eyJ", "Traceback", "failed on"):
        assert leak not in message.details_for_it and leak not in message.text and leak not in message.title
    assert message.details_for_it.splitlines()[-1] == "Error: RuntimeError"


def test_known_exception_message_text_is_not_copied_either():
    # str(exc) of our own errors is for logs; only .details goes to IT.
    message = user_message(errors.CommandError(f"Release failed for {SUBJECT}"), now=WHEN)
    assert "payslip" not in message.details_for_it


def test_planted_secrets_in_details_are_removed():
    exc = errors.CommandError(
        server_message=f"Bearer {JWT} rejected", token=JWT, refresh=REFRESH, note="access_token=abc123&x=1",
        status=400,
    )
    block = user_message(exc, now=WHEN).details_for_it
    for leak in (JWT, REFRESH, "abc123", JWT[:20]):
        assert leak not in block
    assert "status: 400" in block and "[removed]" in block


def test_details_cannot_fake_extra_lines():
    exc = errors.ServiceError(reason="bad\nError: AuthenticationError\r\nTime (UTC): never\u202e")
    block = user_message(exc, now=WHEN).details_for_it
    assert len(block.splitlines()) == 4
    assert "\u202e" not in block


def test_huge_details_are_truncated():
    block = user_message(errors.ServiceError(body="x " * 1_000_000), now=WHEN).details_for_it
    assert len(block) < 1_000


def test_keyboard_interrupt_and_system_exit_do_not_crash_the_mapper():
    for exc in (KeyboardInterrupt(), SystemExit(3), MemoryError()):
        message = user_message(exc, now=WHEN)
        assert message.title and "Error: " + type(exc).__name__ in message.details_for_it


def test_odd_detail_values_never_crash_the_mapper():
    class Nasty:
        def __repr__(self) -> str:
            raise RuntimeError("boom")

    exc = errors.ServiceError(thing=Nasty(), nested={"a": [1, 2]}, number=3.5, flag=True)
    block = user_message(exc, now=WHEN).details_for_it
    assert "thing: <Nasty>" in block and "nested: {'a': [1, 2]}" in block and "flag: True" in block
