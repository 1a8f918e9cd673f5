"""The demo story holds together: who gets what, the incident, the phish, and the hostile data.

Most checks read the seed records directly; the last ones go through the real demo tenant over
HTTPS to show the story as Alice actually sees it with MyItems.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from content_samples import ADMIN, ALICE, BOB, DOMAIN, NOW, SHARED

from quarantine_checker.core.preview_text import describe_attachment, extract_links, html_to_text
from quarantine_checker.core.sender_checks import analyse_headers, parse_header_block
from quarantine_checker.demo import seed as story
from quarantine_checker.demo.seed import seed_messages, story_identity

POLICY_TABLE = {"AdminOnlyAccessPolicy", "DefaultFullAccessPolicy", "DefaultFullAccessWithNotificationPolicy",
                "LimitedAccessWithNotificationPolicy", "NoAccessWithNotificationPolicy"}


def _record(by_id: dict[str, dict], key: str) -> dict:
    return by_id[story_identity(key)]


def _incident(by_id: dict[str, dict]) -> list[dict]:
    return [_record(by_id, key) for key in story.ALICE_INCIDENT_KEYS]


def test_identities_are_unique_and_stable(seed):
    ids = [r["Identity"] for r in seed]
    assert len(ids) == len(set(ids))
    assert all(i.count("\\") == 1 for i in ids)
    later = seed_messages(DOMAIN, NOW + dt.timedelta(days=3))
    assert sorted(r["Identity"] for r in later) == sorted(ids)
    assert len({r["MessageId"] for r in seed}) == len(seed)


def test_times_follow_now(seed):
    later = seed_messages(DOMAIN, NOW + dt.timedelta(days=3))
    shift = {r["Identity"]: r["ReceivedTime"] for r in later}
    assert all(shift[r["Identity"]] - r["ReceivedTime"] == dt.timedelta(days=3) for r in seed)
    assert all(r["ReceivedTime"] < NOW and r["ReceivedTime"].tzinfo is not None for r in seed)


def test_every_tag_name_comes_from_the_policy_table(seed):
    assert {r["TagName"] for r in seed} == POLICY_TABLE


def test_each_mailbox_has_its_share(seed):
    counts = Counter(addr for r in seed for addr in r["RecipientAddress"])
    assert 35 <= counts[ALICE] <= 45
    assert 6 <= counts[BOB] <= 8
    assert counts[ADMIN] == 3
    assert counts[SHARED] == 5


def test_shared_mailbox_records_never_list_alice(seed, by_id):
    for key in story.SHARED_KEYS:
        assert _record(by_id, key)["RecipientAddress"] == [SHARED]
    for r in seed:
        if SHARED in r["RecipientAddress"]:
            assert ALICE not in r["RecipientAddress"]
            assert ALICE not in r["_header"].split("\r\nTo:")[1].split("\r\n")[0]


def test_one_message_went_to_alice_and_bob(by_id):
    both = by_id[story.SHARED_WITH_BOB_IDENTITY]
    assert both["RecipientAddress"] == [ALICE, BOB]
    assert both["RecipientCount"] == 2


def test_incident_burst_is_recent_and_tight(by_id):
    times = [r["ReceivedTime"] for r in _incident(by_id)]
    assert all(NOW - dt.timedelta(days=2) < t < NOW - dt.timedelta(hours=30) for t in times)
    assert max(times) - min(times) <= dt.timedelta(hours=2)
    assert {r["QuarantineTypes"] for r in _incident(by_id)} == {"Phish", "HighConfPhish"}


def test_incident_mail_authenticates(by_id):
    for r in _incident(by_id):
        report = analyse_headers(r["_header"], r["SenderAddress"], own_domains=[DOMAIN])
        assert (report.spf.result, report.dkim.result, report.dmarc.result) == ("pass", "pass", "pass"), \
            r["Subject"]
        assert report.checks_failed is False, (r["Subject"], report.warnings)


def test_the_invoice_is_request_only_and_some_incident_mail_is_releasable(by_id):
    invoice = by_id[story.INVOICE_IDENTITY]
    assert invoice["Subject"] == story.INVOICE_SUBJECT
    assert invoice["SenderAddress"] == story.INVOICE_SENDER
    assert (invoice["QuarantineTypes"], invoice["TagName"]) == ("HighConfPhish",
                                                                 "LimitedAccessWithNotificationPolicy")
    assert any(r["QuarantineTypes"] == "Phish" and r["TagName"] == "DefaultFullAccessWithNotificationPolicy"
               for r in _incident(by_id))


def test_phishing_fails_the_sender_checks(by_id):
    for key in story.PHISH_KEYS:
        r = _record(by_id, key)
        report = analyse_headers(r["_header"], r["SenderAddress"], own_domains=[DOMAIN])
        assert report.checks_failed is True, r["Subject"]
        assert report.dmarc.result == "fail", r["Subject"]


def test_each_phishing_trick_is_recognised(by_id):
    def warnings(key: str) -> str:
        r = _record(by_id, key)
        return " ".join(analyse_headers(r["_header"], r["SenderAddress"], own_domains=[DOMAIN]).warnings)

    assert "Microsoft" in warnings("phish-microsoft")
    assert "PayPal" in warnings("phish-paypa1")
    assert "p\u0430ypal.example" in warnings("phish-punycode")
    assert "shows the address billing@partner.example" in warnings("phish-display-name")
    assert "marc.laurent.ceo@freemail.example" in warnings("phish-reply-to")
    assert "your own organisation" in warnings("phish-reply-to")
    assert "hidden characters" in warnings("phish-rtl")


def test_release_states_are_all_present(by_id):
    assert by_id[story.RELEASED_IDENTITY]["ReleaseStatus"] == "RELEASED"
    assert by_id[story.RELEASED_IDENTITY]["Released"] is True
    assert by_id[story.REQUESTED_IDENTITY]["ReleaseStatus"] == "REQUESTED"
    assert by_id[story.DENIED_IDENTITY]["ReleaseStatus"] == "DENIED"
    system = by_id[story.SYSTEM_RELEASED_IDENTITY]
    assert system["SystemReleased"] is True and system["ReleaseStatus"] == "RELEASED"


def test_malware_blocked_file_and_admin_only(by_id):
    malware = by_id[story.MALWARE_IDENTITY]
    assert malware["QuarantineTypes"] == "Malware" and ALICE in malware["RecipientAddress"]
    blocked = by_id[story.FILE_BLOCK_IDENTITY]
    assert blocked["QuarantineTypes"] == "FileTypeBlock"
    [iso] = blocked["_attachments"]
    assert "malware" in describe_attachment(iso["name"], iso["content_type"])
    rule = by_id[story.ADMIN_ONLY_IDENTITY]
    assert (rule["QuarantineTypes"], rule["TagName"]) == ("TransportRule", "AdminOnlyAccessPolicy")


def test_expiry_is_15_or_30_days_and_some_expire_soon(seed):
    for r in seed:
        assert r["Expires"] - r["ReceivedTime"] in (dt.timedelta(days=15), dt.timedelta(days=30))
    soon = [r for r in seed if NOW < r["Expires"] < NOW + dt.timedelta(days=2)]
    assert len(soon) >= 2


def test_hostile_data_is_carried_verbatim(by_id):
    assert by_id[story.HOSTILE_SUBJECT_IDENTITY]["Subject"] == \
        'Your order <img src="file:///etc/passwd"><b>x</b> has shipped'
    rtl = by_id[story.RTL_SENDER_IDENTITY]
    assert f'From: "{story.RTL_DISPLAY_NAME}" <' in rtl["_header"]
    assert "\u202e" in story.RTL_DISPLAY_NAME
    long = by_id[story.LONG_SUBJECT_IDENTITY]
    assert 4900 <= len(long["Subject"]) <= 5000
    # The long subject is folded in the header, as mail software does, and read back whole.
    lines = long["_header"].split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Subject:"))
    assert all(len(line) <= 78 for line in lines[start:start + 60])
    assert all(len(line) <= 998 for line in lines)  # RFC 5322's hard limit
    assert dict(parse_header_block(long["_header"]))["subject"] == long["Subject"]


def test_every_record_has_a_full_header_block_and_body(seed):
    required = {"received", "authentication-results", "from", "to", "subject", "date", "message-id",
                "mime-version", "content-type", "x-ms-exchange-organization-scl",
                "x-forefront-antispam-report", "x-microsoft-antispam"}
    for r in seed:
        names = {name for name, _ in parse_header_block(r["_header"])}
        assert required <= names, (r["Subject"], required - names)
        assert r["_body"] and isinstance(r["_is_html"], bool)
        assert r["Size"] > len(r["_body"])
        assert r["Size"] >= sum(a["size"] for a in r["_attachments"])


def test_bodies_carry_the_tricks_the_preview_must_handle(seed, by_id):
    html = [r for r in seed if r["_is_html"]]
    assert len(html) > len(seed) // 2
    joined = "\n".join(r["_body"] for r in html)
    for needle in ("<script", 'src="file:///', 'width="1" height="1"', 'href="javascript:', "https://cdn."):
        assert needle in joined, needle
    assert any(link.mismatch for r in html for link in extract_links(r["_body"], True))
    assert any(not r["_is_html"] for r in seed)
    hostile = html_to_text(by_id[story.HOSTILE_SUBJECT_IDENTITY]["_body"])
    assert "document.cookie" not in hostile and "/etc/passwd" not in hostile


def test_attachments_in_the_story(by_id):
    names = {a["name"] for r in by_id.values() for a in r["_attachments"]}
    assert "Invoice-4471.pdf" in names
    assert any(n.endswith(".docx") for n in names)
    assert any(n.endswith(".iso") for n in names)
    assert any(n.endswith(".exe") for n in names)


def test_other_domains_get_the_same_story():
    records = seed_messages("contoso.example", NOW)
    assert all(a.endswith("@contoso.example") for r in records for a in r["RecipientAddress"])
    ceo = next(r for r in records if r["Identity"] == story_identity("phish-reply-to"))
    report = analyse_headers(ceo["_header"], ceo["SenderAddress"], own_domains=["contoso.example"])
    assert any("your own organisation" in w for w in report.warnings)


# --- Through the real demo tenant -------------------------------------------------------------------


@pytest.fixture(scope="module")
def tenant():
    from quarantine_checker.demo.tenant import DemoTenant

    with DemoTenant(end_user_cmdlets="allowed") as t:
        yield t


def _my_items(tenant, upn: str) -> list[dict]:
    session = tenant.session()
    url = f"{tenant.exchange_url}/adminapi/beta/{tenant.tenant_id}/InvokeCommand"
    body = {"CmdletInput": {"CmdletName": "Get-QuarantineMessage",
                            "Parameters": {"MyItems": True, "PageSize": 1000}}}
    response = session.post(url, json=body, timeout=10,
                            headers={"Authorization": f"Bearer {tenant.token_for(upn)}",
                                     "X-AnchorMailbox": f"UPN:{upn}"})
    assert response.status_code == 200, response.text[:300]
    return response.json()["value"]


def test_alice_sees_her_story_and_nothing_else(tenant):
    rows = _my_items(tenant, ALICE)
    ids = {row["Identity"] for row in rows}
    assert story.INVOICE_IDENTITY in ids and story.SHARED_WITH_BOB_IDENTITY in ids
    assert story.ADMIN_ONLY_IDENTITY not in ids
    assert not ids & {story_identity(k) for k in story.SHARED_KEYS}
    invoice = next(row for row in rows if row["Identity"] == story.INVOICE_IDENTITY)
    assert (invoice["PermissionToRelease"], invoice["PermissionToRequestRelease"]) == (False, True)
    payment = next(row for row in rows if row["Identity"] == story.PAYMENT_IDENTITY)
    assert payment["PermissionToRelease"] is True
