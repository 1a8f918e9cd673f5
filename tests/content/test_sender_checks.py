"""What the details pane says about a sender, from real-shaped Exchange Online headers."""

from __future__ import annotations

from content_samples import FAILING_HEADER, PASSING_HEADER
from hypothesis import given, settings
from hypothesis import strategies as st

from quarantine_checker.core.sender_checks import (
    analyse_headers,
    lookalike_warnings,
    parse_header_block,
    registrable_domain,
)

OWN = ["northwind.example"]


def _auth(spf: str, dkim: str, dmarc: str, domain: str = "partner.example") -> str:
    return (f"Authentication-Results: spf={spf} (sender IP is 192.0.2.1) smtp.mailfrom={domain};"
            f" dkim={dkim} header.d={domain};dmarc={dmarc} action=none header.from={domain}\n")


def test_partner_mail_that_authenticates_reads_as_confirmed():
    report = analyse_headers(PASSING_HEADER, "billing@partner.example", own_domains=OWN)
    assert (report.spf.result, report.dkim.result, report.dmarc.result) == ("pass", "pass", "pass")
    assert report.dmarc.sentence == "The sender's domain confirms it sent this message (DMARC passed)."
    assert "partner.example" in report.spf.sentence
    assert report.from_address == "billing@partner.example"
    assert report.display_name == "Partner Billing"
    assert report.warnings == []
    assert report.checks_failed is False


def test_failed_authentication_names_the_claimed_domain_and_asks_for_care():
    report = analyse_headers(FAILING_HEADER, "billing@partner.example")
    assert report.dmarc.result == "fail"
    assert report.dmarc.sentence == ("The message claims to come from partner.example, but that domain did "
                                     "not confirm it (DMARC failed).")
    assert report.spf.result == "fail"
    assert report.dkim.result == "none"
    assert report.checks_failed is True


def test_softfail_and_unknown_results_are_distinguished():
    report = analyse_headers(_auth("softfail", "temperror", "none") + "From: a@partner.example\n", "")
    assert report.spf.result == "softfail"
    assert report.dkim.result == "unknown"
    assert report.dmarc.result == "none"
    # No DMARC verdict, but SPF says the server probably wasn't theirs: worth a second look.
    assert report.checks_failed is True


def test_folded_lines_are_joined_before_reading():
    header = ("Authentication-Results: spf=pass\r\n\t(sender IP is 192.0.2.1)\r\n"
              "  smtp.mailfrom=partner.example;\r\n dkim=pass\r\n (signature was verified)\r\n"
              "\theader.d=partner.example;\r\n dmarc=pass\r\n action=none\r\n header.from=partner.example\r\n"
              "From: \"Partner\r\n Billing\" <billing@partner.example>\r\n")
    report = analyse_headers(header, "billing@partner.example")
    assert (report.spf.result, report.dkim.result, report.dmarc.result) == ("pass", "pass", "pass")
    assert report.display_name == "Partner Billing"


def test_received_spf_is_the_fallback_when_authentication_results_is_missing():
    header = ("Received-SPF: SoftFail (protection.outlook.com: domain of transitioning partner.example\n"
              " discourages use of 192.0.2.1 as permitted sender)\n"
              "From: billing@partner.example\n")
    report = analyse_headers(header, "billing@partner.example")
    assert report.spf.result == "softfail"
    assert report.dmarc.result == "unknown"


def test_arc_results_are_used_when_the_top_results_are_absent():
    header = ("ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=pass smtp.mailfrom=partner.example;"
              " dmarc=pass action=none header.from=partner.example; dkim=pass header.d=partner.example\n"
              "From: billing@partner.example\n")
    report = analyse_headers(header, "billing@partner.example")
    assert report.dmarc.result == "pass"


def test_display_name_showing_another_address_is_called_out():
    header = FAILING_HEADER.replace("From: Partner Billing <billing@partner.example>",
                                    'From: "billing@partner.example" <x@evil.example>')
    report = analyse_headers(header, "x@evil.example")
    assert report.from_address == "x@evil.example"
    assert any("shows the address billing@partner.example" in w and "x@evil.example" in w
               for w in report.warnings)
    assert report.checks_failed is True


def test_punycode_domain_is_shown_decoded_and_flagged():
    header = _auth("pass", "pass", "pass", "xn--pypal-4ve.example") + \
        "From: PayPal <service@xn--pypal-4ve.example>\n"
    report = analyse_headers(header, "service@xn--pypal-4ve.example")
    text = " ".join(report.warnings)
    assert "p\u0430ypal.example" in text  # the Cyrillic-a form a reader would see
    assert "imitate" in text
    # Even a fully authenticated look-alike needs the extra confirmation step.
    assert report.checks_failed is True


def test_digit_and_letter_pair_lookalikes_of_brands():
    assert any("Microsoft" in w for w in lookalike_warnings("rnicrosoft-support.example"))
    assert any("PayPal" in w for w in lookalike_warnings("paypa1.example"))
    assert lookalike_warnings("paypal.com") == []
    assert lookalike_warnings("partner.example") == []
    # Ordinary words near short brand names are not accused.
    assert lookalike_warnings("apply-online.example") == []


def test_lookalike_of_the_users_own_domain():
    header = _auth("pass", "pass", "pass", "northwlnd.example") + \
        "From: Marc Laurent <ceo@northwlnd.example>\nTo: alice@northwind.example\n"
    report = analyse_headers(header, "ceo@northwlnd.example")
    assert any("your own organisation" in w and "northwind.example" in w for w in report.warnings)
    assert report.checks_failed is True
    # The user's real domain is never its own look-alike.
    assert lookalike_warnings("mail.northwind.example", OWN) == []


def test_reply_to_on_another_domain_is_mentioned():
    header = PASSING_HEADER.replace("Return-Path:",
                                    "Reply-To: <payments@collect-now.example>\r\nReturn-Path:")
    report = analyse_headers(header, "billing@partner.example")
    assert report.reply_to == ("payments@collect-now.example",)
    assert any("payments@collect-now.example" in w for w in report.warnings)
    # DMARC passed, so a different reply address alone is a note, not a reason to stop.
    assert report.checks_failed is False

    failing = FAILING_HEADER + "Reply-To: payments@collect-now.example\n"
    assert analyse_headers(failing, "billing@partner.example").checks_failed is True


def test_envelope_domain_differing_is_mentioned_only_when_unconfirmed():
    failing = FAILING_HEADER + "Return-Path: <bounce@bulk-sender.example>\n"
    report = analyse_headers(failing, "billing@partner.example")
    assert any("bulk-sender.example" in w for w in report.warnings)
    assert report.envelope_from == "bounce@bulk-sender.example"
    newsletter = PASSING_HEADER.replace("Return-Path: billing@partner.example",
                                        "Return-Path: <b-77@mail.sendwave.example>")
    assert analyse_headers(newsletter, "billing@partner.example").warnings == []


def test_rtl_override_in_display_name_is_removed_and_warned_about():
    spoof = 'From: "IT Helpdesk \u202emoc.tfosorcim@troppus" <support@helpdesk.example>'
    header = FAILING_HEADER.replace("From: Partner Billing <billing@partner.example>", spoof)
    report = analyse_headers(header, "support@helpdesk.example")
    assert "\u202e" not in report.display_name
    assert any("hidden characters" in w for w in report.warnings)
    assert report.checks_failed is True


def test_encoded_display_name_is_decoded():
    header = "From: =?utf-8?q?Andr=C3=A9_M=C3=BCller?= <andre@partner.example>\n"
    assert analyse_headers(header, "").display_name == "André Müller"


def test_missing_headers_fall_back_to_the_record_sender():
    report = analyse_headers("", "Billing@Partner.example")
    assert report.from_address == "billing@partner.example"
    assert {c.result for c in report.auth_checks} == {"unknown"}
    assert all(c.sentence for c in report.auth_checks)


def test_garbage_gives_an_unknown_report():
    for garbage in ("\x00\x01\x02", ":::\n\t\t\n: x", "From: <<<@@@>>>", "\ud800 broken surrogate",
                    "Authentication-Results: spf=;;;dkim==dmarc=(((", None, 12345):
        report = analyse_headers(garbage, "x@y.example")  # type: ignore[arg-type]
        assert report.dmarc.result in ("unknown", "none", "pass", "fail", "softfail")


def test_two_megabyte_header_returns():
    huge = "X-Junk: " + "A" * 2_000_000 + "\n" + PASSING_HEADER
    report = analyse_headers(huge, "billing@partner.example")
    assert report.from_address == "billing@partner.example"
    assert report.checks_failed is True
    assert any("unusually large" in w for w in report.warnings)
    many_lines = "Received: from x\n" * 200_000 + "From: a@partner.example\n"
    analyse_headers(many_lines, "a@partner.example")
    deep = "Authentication-Results: " + "(" * 1_000_000 + "\nFrom: " + "<" * 1_000_000
    analyse_headers(deep, "a@partner.example")


def test_header_block_stops_at_the_body():
    fields = parse_header_block("From: a@b.example\nSubject: hi\n\nFrom: not-a-header@evil.example\n")
    assert [name for name, _ in fields] == ["from", "subject"]


def test_registrable_domain_groups_subdomains():
    assert registrable_domain("mail.partner.example") == "partner.example"
    assert registrable_domain("shop.example.co.uk") == "example.co.uk"
    assert registrable_domain("") == ""


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=3000), st.text(max_size=200))
def test_never_raises_on_arbitrary_text(header, sender):
    report = analyse_headers(header, sender)
    assert isinstance(report.checks_failed, bool)
    assert all(isinstance(w, str) for w in report.warnings)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "From: ", "Reply-To: ", "Authentication-Results: ", "spf=", "dkim=", "dmarc=", "pass", "fail", ";",
    "(", ")", "<", ">", "@", "\"", "xn--", "xn--pypal-4ve", ".example", "\r\n", "\n ", "=?utf-8?q?", "?=",
    "\u202e", "header.from=", "smtp.mailfrom=", "Return-Path: ",
]), max_size=80))
def test_never_raises_on_header_shaped_noise(parts):
    analyse_headers("".join(parts), "a@b.example")
