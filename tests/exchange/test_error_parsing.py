"""The three error envelopes of spec §5.6 all yield the service's real text and the right type."""

from __future__ import annotations

import json

import pytest

from quarantine_checker.core.errors import (
    AlreadyDeniedError,
    AlreadyReleasedError,
    AlreadyRequestedError,
    ForbiddenActionError,
    MessageExpiredError,
    MessageNotFoundError,
)
from quarantine_checker.exchange.error_parsing import (
    classify,
    is_command_not_found,
    is_throttle_text,
    parse_error_body,
)

REAL = "The message has already been released to this recipient."
TYPE = "Microsoft.Exchange.Management.FfoQuarantine.QuarantineException"


def shape1(message: str = REAL) -> dict:
    return {"error": {"code": "BadRequest", "message": "Invalid Operation",
                      "details": [{"code": "Client", "message": f"|{TYPE}|{message}"}],
                      "innererror": {"internalexception": {"message": message, "type": TYPE}}}}


def shape2(message: str = REAL) -> dict:
    return {"error": {"code": "BadRequest", "message": "Invalid Operation",
                      "details": [{"code": "Client", "message": f"|{TYPE}|{message}"}]}}


def shape3(message: str = REAL) -> dict:
    inner = json.dumps({"Message": message, "TypeName": TYPE, "InnerError": None})
    return {"error": {"code": "BadRequest", "message": "Invalid Operation",
                      "details": [{"code": "Client", "message": inner}]}}


@pytest.mark.parametrize("make", [shape1, shape2, shape3])
def test_every_shape_gives_the_real_message(make):
    err = parse_error_body(json.dumps(make()).encode())
    assert err is not None
    assert err.text == REAL
    assert err.type_name == TYPE
    assert classify(err) is AlreadyReleasedError


def test_camel_case_internal_exception_is_read_too():
    body = {"error": {"message": "Invalid Operation",
                      "innerError": {"internalException": {
                          "message": "Cannot find an object with identity x"}}}}
    err = parse_error_body(json.dumps(body).encode())
    assert err is not None and classify(err) is MessageNotFoundError


def test_outer_message_is_the_last_resort():
    err = parse_error_body(b'{"error":{"code":"BadRequest","message":"Invalid Operation"}}')
    assert err is not None and err.text == "Invalid Operation" and classify(err) is None


@pytest.mark.parametrize("body", [b"\x00" * 4096, b"<html>502</html>", b"", b"[1,2]", b'{"value":[]}',
                                  b'{"error":"flat string"}', b"{" * 100_000])
def test_non_envelopes_are_not_errors(body):
    assert parse_error_body(body) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("Cannot find an object with identity '...'.", MessageNotFoundError),
    ("'x' is not valid. Please input a valid message identity.", MessageNotFoundError),
    ("A release request has already been submitted for this message.", AlreadyRequestedError),
    ("The message was already requested for release.", AlreadyRequestedError),
    ("The message has already been released.", AlreadyReleasedError),
    ("The requested message has already been released.", AlreadyReleasedError),
    ("The release of this message has already been denied by your administrator.", AlreadyDeniedError),
    ("The message has expired and can no longer be released.", MessageExpiredError),
    ("You're not authorized to release this message.", ForbiddenActionError),
    ("Access to the requested resource is denied.", ForbiddenActionError),
    ("Something nobody has seen before", None),
])
def test_message_text_maps_to_a_typed_error(text, expected):
    err = parse_error_body(json.dumps(shape2(text)).encode())
    assert classify(err) is expected


def test_huge_hostile_text_is_cut_short():
    err = parse_error_body(json.dumps(shape1("\u202e<b>x</b>" * 200_000)).encode())
    assert err is not None and len(err.text) <= 500


def test_throttle_and_command_not_found_are_recognised():
    assert is_throttle_text(parse_error_body(json.dumps(shape2("The server is busy, try later")).encode()))
    assert is_throttle_text(parse_error_body(json.dumps(shape2("Request was throttled")).encode()))
    assert not is_throttle_text(parse_error_body(json.dumps(shape2(REAL)).encode()))
    cnf = {"error": {"message": "Invalid Operation", "details": [
        {"message": "|System.Management.Automation.CommandNotFoundException|The term 'Get-QuarantineMessage' "
                    "is not recognized as the name of a cmdlet"}]}}
    assert is_command_not_found(parse_error_body(json.dumps(cnf).encode()))
