"""The ownership filter on its own: a record counts as mine only if one of my addresses received it."""

from __future__ import annotations

from quarantine_checker.core.account import UserIdentity
from quarantine_checker.core.model import parse_message
from quarantine_checker.exchange.client import filter_own

ME = UserIdentity("alice@northwind.example", "t", addresses=frozenset({"alice@northwind.example",
                                                                        "a.moreau@northwind.example"}))


def rec(n: int, *recipients: str):
    first = f"00000000-0000-0000-0000-{n:012d}"
    return parse_message({"Identity": first + "\\00000000-0000-0000-0000-000000000001",
                          "RecipientAddress": list(recipients)})


def test_only_records_naming_one_of_my_addresses_survive():
    records = [rec(1, "Alice@Northwind.example"), rec(2, "bob@northwind.example"),
               rec(3, "accounts@northwind.example", "a.moreau@northwind.example"), rec(4),
               rec(5, "alice@northwind.example.evil"), rec(6, "alice@northwind.example\u202e")]
    kept, dropped = filter_own(records, ME)
    assert [int(m.identity.split("\\")[0][-12:]) for m in kept] == [1, 3]
    assert dropped == 4
