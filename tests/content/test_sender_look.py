"""Look-alike senders without headers: what the list and the command line flag for a row."""

from __future__ import annotations

import pytest

from quarantine_checker.core.sender_checks import (
    SenderReport,
    analyse_headers,
    sender_lines,
    sender_warnings,
    shown_address,
)


@pytest.mark.parametrize("address", [
    "it@micr\u03bfsoft.com",            # Greek omicron inside a Latin name
    "admin@\u0430\u0440\u0440\u04cf\u0435.com",  # wholly Cyrillic letters that read as "apple"
    "service@xn--pypal-4ve.example",   # punycode for "pаypal" with a Cyrillic a
])
def test_confusable_and_punycode_domains_are_flagged(address):
    assert sender_warnings(address)


@pytest.mark.parametrize("address", [
    "news@fabrikam.example", "info@m\u00fcnchen.de",
    "office@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444",
    "", "not an address", "@",
])
def test_ordinary_and_international_domains_are_not(address):
    assert sender_warnings(address) == ()


def test_a_punycode_domain_is_shown_decoded_with_its_encoded_form():
    shown = shown_address("service@xn--pypal-4ve.example")
    assert shown == "service@p\u0430ypal.example (xn--pypal-4ve.example)"
    assert shown_address("a@b.example") == "a@b.example"


def test_the_details_keep_both_senders_when_they_differ():
    header = "From: IT Desk <helpdesk@contoso.example>\r\nTo: alice@northwind.example\r\n"
    report = analyse_headers(header, "bounce@micr\u03bfsoft.com")
    assert isinstance(report, SenderReport)
    lines = sender_lines(report, "bounce@micr\u03bfsoft.com")
    assert "IT Desk <helpdesk@contoso.example>" in lines and "bounce@micr\u03bfsoft.com" in lines
    assert any("imitate ordinary letters" in w for w in report.warnings) and report.checks_failed
    same = analyse_headers("From: a@b.example\r\n", "a@b.example")
    assert sender_lines(same, "A@b.example") == "a@b.example"
