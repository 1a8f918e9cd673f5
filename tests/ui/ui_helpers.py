"""Helpers shared by the UI tests (imported by name; tests/ui is on sys.path under pytest)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from quarantine_checker import wiring
from quarantine_checker.demo.tenant import DemoTenant
from quarantine_checker.exchange.client import ExoClient

ALICE = "alice@northwind.example"


class UiServices(wiring.Services):
    """The real composition root (wiring.build_services with an in-process demo tenant), except that the
    Exchange client's 1 request/second self-limit is off so the suite stays quick."""

    def exchange_client(self) -> ExoClient:
        assert self.auth.identity is not None
        return ExoClient(
            self.config.exchange_url,
            self.config.tenant_id or "",
            self.auth.identity,
            self.auth.token_provider(),
            ca_bundle=self.config.ca_bundle,
            rate_limit_per_second=None,
        )


def make_services(tenant: DemoTenant) -> UiServices:
    built = wiring.build_services(wiring.demo_config(tenant.describe()), demo=tenant)
    return UiServices(**{f.name: getattr(built, f.name) for f in fields(wiring.Services)})


@dataclass
class Confirmations:
    answer: bool = True
    asked: list[dict[str, Any]] = field(default_factory=list)

    def __call__(
        self,
        parent: Any,
        title: str,
        text: str,
        *,
        informative: str = "",
        yes: str,
        no: str = "",
        warning: bool = False,
    ) -> bool:
        self.asked.append(
            {"title": title, "text": text, "informative": informative, "yes": yes, "warning": warning}
        )
        return self.answer


def signed_in(qtbot: Any, w: Any, timeout: int = 20_000) -> None:
    """Start the window and wait until the first refresh has been shown."""
    with qtbot.waitSignal(w.refreshed, timeout=timeout):
        w.start()


def auth_headers(sender: str, *, name: str = "", result: str = "pass", reply_to: str = "") -> str:
    """An RFC 5322 header block as Exchange would record it, with SPF/DKIM/DMARC all ``result``."""
    domain = sender.rsplit("@", 1)[-1]
    lines = [
        "Received: from mail.example.net (203.0.113.7) by mx.northwind.example;\r\n"
        "\tMon, 1 Jun 2026 08:15:00 +0000",
        f"Authentication-Results: spf={result} (sender IP is 203.0.113.7) smtp.mailfrom={domain}; "
        f"dkim={result} (signature was verified) header.d={domain}; dmarc={result} action=none "
        f"header.from={domain};",
        f"From: {name} <{sender}>" if name else f"From: {sender}",
        f"To: Alice Moreau <{ALICE}>",
        "Subject: held message",
        "Message-ID: <test@example.net>",
    ]
    if reply_to:
        lines.append(f"Reply-To: {reply_to}")
    return "\r\n".join(lines) + "\r\n"


def add(
    tenant: DemoTenant,
    subject: str,
    sender: str = "billing@contoso-supplies.example",
    *,
    kind: str = "Spam",
    policy: str = "DefaultFullAccessPolicy",
    name: str = "",
    checks: str = "pass",
    body: str = "Hello Alice, please find the invoice attached.",
    **extra: Any,
) -> str:
    return tenant.add_message(
        ALICE,
        Subject=subject,
        SenderAddress=sender,
        QuarantineTypes=kind,
        TagName=policy,
        Header=auth_headers(sender, name=name, result=checks),
        Body=body,
        **extra,
    )


def select(qtbot: Any, w: Any, identity: str) -> None:
    w.list.clear_filters()
    assert w.list.select_identities([identity]) == 1
    qtbot.waitUntil(lambda: w.details.row is not None and w.details.row.identity == identity, timeout=5_000)


def status_of(w: Any, identity: str) -> str:
    row = w.list.model.row_for(identity)
    assert row is not None
    return row.pending or row.error or row.cells[5]


def release_calls(tenant: DemoTenant, identity: str) -> int:
    def names(params: dict[str, Any]) -> bool:
        return params.get("Identity") == identity or identity in (params.get("Identities") or [])

    return sum(
        1 for r in tenant.requests_log if r.cmdlet == "Release-QuarantineMessage" and names(r.parameters)
    )
