"""The service's allow-list (org-service.md §3): what it refuses to send, before anything is sent.
Pure: the end-to-end tests show the same calls reaching the demo tenant only in their allowed shape."""

from __future__ import annotations

import pytest

from quarantine_checker.exchange.guard import UnsafeRequestError
from quarantine_service import exchange_guard as g

ID = "11111111-2222-3333-4444-555555555555\\66666666-7777-8888-9999-000000000000"
ALICE = ["alice@northwind.example", "a.moreau@northwind.example"]
WINDOW = {"StartReceivedDate": "2026-11-01T00:00:00Z", "EndReceivedDate": "2026-12-01T00:00:00Z",
          "PageSize": 1000, "Page": 1}


@pytest.mark.parametrize(("cmdlet", "params", "acting_for"), [
    ("Release-QuarantineMessage", {"Identity": ID, "User": ["alice@northwind.example"]}, ALICE),
    ("Release-QuarantineMessage", {"Identity": ID, "User": ["a.moreau@northwind.example"],
                                   "ReportFalsePositive": True}, ALICE),
    ("Release-QuarantineMessage", {"Identities": [ID], "Identity": ID, "ActionType": "Request",
                                   "User": ["alice@northwind.example"]}, ALICE),
    ("Release-QuarantineMessage", {"Identities": [ID], "Identity": ID, "ActionType": "Deny"}, ALICE),
    ("Delete-QuarantineMessage", {"Identity": ID, "RecipientAddress": ["alice@northwind.example"]}, ALICE),
    ("Preview-QuarantineMessage", {"Identity": ID}, None),
    ("Get-QuarantineMessageHeader", {"Identity": ID}, None),
    ("Get-QuarantineMessage", {"Identity": ID}, None),
    ("Get-QuarantineMessage", WINDOW, None),
    ("Get-QuarantinePolicy", {}, None),
    ("Get-Recipient", {"Identity": "7aa05ac6-2f8d-5b8b-b8ad-bf818ee2059c"}, None),
])
def test_allowed(cmdlet: str, params: dict, acting_for: list[str] | None) -> None:
    g.check(cmdlet, params, acting_for)
    g.check_shape(cmdlet, params)


@pytest.mark.parametrize(("cmdlet", "params", "acting_for"), [
    # Never to everyone, never to someone else, never for nobody in particular.
    ("Release-QuarantineMessage", {"Identity": ID, "ReleaseToAll": True}, ALICE),
    ("Release-QuarantineMessage", {"Identity": ID, "User": ["bob@northwind.example"]}, ALICE),
    ("Release-QuarantineMessage", {"Identity": ID, "User": ["alice@northwind.example"]}, None),
    ("Release-QuarantineMessage", {"Identity": ID, "User": []}, ALICE),
    ("Release-QuarantineMessage", {"Identity": ID}, ALICE),  # without User: to every recipient
    ("Release-QuarantineMessage", {"Identities": [ID, ID], "Identity": ID, "ActionType": "Request",
                                   "User": ALICE[:1]}, ALICE),
    ("Release-QuarantineMessage", {"Identities": [ID], "Identity": ID, "ActionType": "Release"}, ALICE),
    ("Release-QuarantineMessage", {"Identities": [ID], "Identity": ID, "ActionType": "Deny"}, None),
    # Never a null, placeholder or malformed Identity: some of them make Exchange return everything.
    ("Get-QuarantineMessage", {"Identity": None}, None),
    ("Get-QuarantineMessageHeader", {"Identity": "000"}, None),
    ("Preview-QuarantineMessage", {"Identity": f"{ID}*"}, None),
    # A delete is for the employee only.
    ("Delete-QuarantineMessage", {"Identity": ID}, ALICE),
    ("Delete-QuarantineMessage", {"Identity": ID, "RecipientAddress": ["bob@northwind.example"]}, ALICE),
    # The sweep names nobody and stays within a window of pages.
    ("Get-QuarantineMessage", {**WINDOW, "RecipientAddress": ["alice@northwind.example"]}, None),
    ("Get-QuarantineMessage", {**WINDOW, "PageSize": 0}, None),
    ("Get-QuarantineMessage", {**WINDOW, "EntityType": "Email"}, None),
    ("Get-QuarantineMessage", {"PageSize": 10, "Page": 1}, None),
    ("Get-Recipient", {"Identity": "alice@northwind.example"}, None),
    ("Get-Recipient", {"Filter": "*"}, None),
    ("Export-QuarantineMessage", {"Identity": ID}, ALICE),
    ("Set-QuarantinePolicy", {"Identity": "x"}, None),
])
def test_refused(cmdlet: str, params: dict, acting_for: list[str] | None) -> None:
    with pytest.raises(UnsafeRequestError):
        g.check(cmdlet, params, acting_for)


def test_the_transports_last_check_still_refuses_everything_but_whose_address() -> None:
    for cmdlet, params in [("Release-QuarantineMessage", {"Identity": ID, "ReleaseToAll": True}),
                           ("Export-QuarantineMessage", {"Identity": ID}),
                           ("Delete-QuarantineMessage", {"Identity": ID})]:
        with pytest.raises(UnsafeRequestError):
            g.check_shape(cmdlet, params)
