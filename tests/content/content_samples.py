"""Shared constants for the content tests: the fixed moment the seed is built at, and raw header samples."""

from __future__ import annotations

import datetime as dt

DOMAIN = "northwind.example"
ALICE = f"alice@{DOMAIN}"
BOB = f"bob@{DOMAIN}"
ADMIN = f"it-admin@{DOMAIN}"
SHARED = f"accounts@{DOMAIN}"
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)


# Headers as Exchange Online writes them (shapes taken from real EOP mail, values invented).
PASSING_HEADER = (
    "Received: from AM4PEPF00027A5F.eurprd04.prod.outlook.com (2603:10a6:20b:5a1::9) by\r\n"
    " DB9PR04MB8412.eurprd04.prod.outlook.com with HTTPS; Tue, 18 Nov 2025 09:12:03 +0000\r\n"
    "Authentication-Results: spf=pass (sender IP is 203.0.113.25)\r\n"
    " smtp.mailfrom=partner.example; dkim=pass (signature was verified)\r\n"
    " header.d=partner.example;dmarc=pass action=none\r\n"
    " header.from=partner.example;compauth=pass reason=100\r\n"
    "Received-SPF: Pass (protection.outlook.com: domain of partner.example designates\r\n"
    " 203.0.113.25 as permitted sender) receiver=protection.outlook.com;\r\n"
    " client-ip=203.0.113.25; helo=mail.partner.example; pr=C\r\n"
    "From: Partner Billing <billing@partner.example>\r\n"
    "To: Alice Moreau <alice@northwind.example>\r\n"
    "Subject: =?utf-8?q?Invoice_4471_=E2=80=94_payment_due?=\r\n"
    "Date: Tue, 18 Nov 2025 09:11:40 +0000\r\n"
    "Message-ID: <AM6PR05MB1234@partner.example>\r\n"
    "Return-Path: billing@partner.example\r\n"
    "MIME-Version: 1.0\r\n"
    "X-MS-Exchange-Organization-SCL: 9\r\n"
    "X-Forefront-Antispam-Report: CIP:203.0.113.25;CTRY:DE;LANG:en;SCL:9;SRV:;IPV:NLI;SFV:SPM;\r\n"
    " CAT:HPHISH;DIR:INB;\r\n"
    "\r\n"
)

FAILING_HEADER = (
    "Authentication-Results: spf=fail (sender IP is 198.51.100.66)\n"
    " smtp.mailfrom=partner.example; dkim=none (message not signed)\n"
    " header.d=none;dmarc=fail action=oreject header.from=partner.example;compauth=fail reason=000\n"
    "From: Partner Billing <billing@partner.example>\n"
    "To: alice@northwind.example\n"
    "Subject: Invoice overdue\n"
)
