"""The allow-list refuses anything that could reach someone else's mail, before it is sent."""

from __future__ import annotations

import pytest

from quarantine_checker.exchange import guard
from quarantine_checker.exchange.guard import UnsafeRequestError, check_command

ID = "86bab6ca-b175-4b84-d76c-08dee7cf55a8\\3423484b-11a9-58cc-cf4e-784af1dcf73c"
LIST = {"MyItems": True, "StartReceivedDate": "2026-10-28T00:00:00Z",
        "EndReceivedDate": "2026-11-27T00:00:00Z", "PageSize": 1000, "Page": 1}


@pytest.mark.parametrize(("cmdlet", "params"), [
    (guard.GET, LIST),
    (guard.GET, {**LIST, "PageSize": 1, "Page": 1000}),
    (guard.GET, {"Identity": ID}),
    (guard.RELEASE, {"Identity": ID}),
    (guard.RELEASE, {"Identity": ID, "ReportFalsePositive": True}),
    (guard.RELEASE, {"Identities": [ID], "Identity": ID, "ActionType": "Request"}),
    (guard.PREVIEW, {"Identity": ID}),
    (guard.HEADER, {"Identity": ID}),
    (guard.DELETE, {"Identity": ID}),
])
def test_the_calls_the_app_makes_are_allowed(cmdlet, params):
    check_command(cmdlet, params)


@pytest.mark.parametrize(("cmdlet", "params"), [
    ("Export-QuarantineMessage", {"Identity": ID}),
    ("Set-QuarantinePolicy", {}),
    ("get-quarantinemessage", LIST),                                   # not the exact name
    ("", {}),
    (guard.GET, {**LIST, "MyItems": False}),
    (guard.GET, {k: v for k, v in LIST.items() if k != "MyItems"}),
    (guard.GET, {**LIST, "MyItems": "true"}),
    (guard.GET, {**LIST, "PageSize": 0}),
    (guard.GET, {**LIST, "PageSize": 1001}),
    (guard.GET, {**LIST, "PageSize": True}),                            # bool is not a page size
    (guard.GET, {**LIST, "Page": 0}),
    (guard.GET, {**LIST, "EntityType": "Email"}),
    (guard.GET, {**LIST, "IncludeMessagesFromBlockedSenderAddress": True}),
    (guard.GET, {**LIST, "RecipientAddress": ["bob@northwind.example"]}),
    (guard.GET, {**LIST, "StartReceivedDate": "28/10/2026"}),
    (guard.GET, {"Identity": None}),                                    # null Identity returns everything
    (guard.GET, {"Identity": "000"}),
    (guard.GET, {"Identity": ID + "\n"}),
    (guard.GET, {"Identity": ID, "MyItems": True}),                     # mixing parameter sets
    (guard.RELEASE, {"Identity": ID, "ReleaseToAll": True}),
    (guard.RELEASE, {"Identity": ID, "User": ["bob@northwind.example"]}),
    (guard.RELEASE, {"Identity": ID, "AllowSender": True}),
    (guard.RELEASE, {"Identity": ID, "ReportFalsePositive": False}),
    (guard.RELEASE, {"Identities": [ID], "Identity": ID, "ActionType": "Release"}),   # approving is IT's job
    (guard.RELEASE, {"Identities": [ID], "Identity": ID, "ActionType": "Deny"}),
    (guard.RELEASE, {"Identities": [ID, ID], "Identity": ID, "ActionType": "Request"}),
    (guard.RELEASE, {"Identities": [ID], "Identity": "000", "ActionType": "Request"}),
    (guard.PREVIEW, {"Identity": ID, "RecipientAddress": "accounts@northwind.example"}),
    (guard.HEADER, {"Identity": ID, "EntityType": "Email"}),
    (guard.DELETE, {"Identity": ID, "HardDelete": True}),
    (guard.DELETE, {}),
    (guard.GET, ["MyItems"]),
])
def test_everything_else_is_refused(cmdlet, params):
    with pytest.raises(UnsafeRequestError) as info:
        check_command(cmdlet, params)
    # The refusal names parameters, never values such as addresses.
    assert "northwind" not in str(info.value)


def test_the_transport_refuses_before_sending_anything():
    """The guard sits inside Transport.invoke: a refused call never opens a connection."""
    from quarantine_checker.exchange.transport import Transport

    class NoTokens:
        def access_token(self, *, force_refresh: bool = False) -> str:
            raise AssertionError("a refused call must not even ask for a token")

    transport = Transport("https://127.0.0.1:9", "tenant", "alice@northwind.example", NoTokens())
    with pytest.raises(UnsafeRequestError):
        transport.invoke("Export-QuarantineMessage", {"Identity": ID}, idempotent=True)
    assert transport.requests_sent == 0


def test_no_code_path_names_export():
    """Export-QuarantineMessage appears nowhere in the client's code (only in this guard's docs)."""
    from pathlib import Path

    import quarantine_checker.exchange as pkg

    for path in Path(pkg.__file__).parent.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        code = "\n".join(line for line in text.splitlines()
                         if not line.lstrip().startswith("#") and "``" not in line)
        assert "Export-QuarantineMessage" not in code, path.name
