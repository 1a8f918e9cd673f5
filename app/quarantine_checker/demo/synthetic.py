"""Bulk synthetic quarantine records for benchmarks and paging tests (deterministic per seed)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

_SENDERS = (
    "offers@deals.example",
    "newsletter@bulkmail.example",
    "noreply@parcel-track.example",
    "billing@invoices.example",
    "events@conference.example",
    "security@account-alerts.example",
)
_SUBJECTS = (
    "Your weekly digest",
    "Invoice overdue",
    "Parcel waiting for delivery",
    "Exclusive offer inside",
    "Conference early-bird tickets",
    "Verify your account",
    "Quarterly newsletter",
)
_KINDS = (
    ("Spam", "DefaultFullAccessPolicy", 6),
    ("Bulk", "DefaultFullAccessPolicy", 3),
    ("Phish", "LimitedAccessWithNotificationPolicy", 1),
)


def _guid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def synthetic_records(
    recipient: str, count: int, *, now: dt.datetime, days: int = 29, seed: int = 1
) -> list[dict[str, Any]]:
    """``count`` messages to ``recipient`` received over the last ``days`` days, newest within a minute."""
    rng = random.Random(seed)
    kinds = [k for k in _KINDS for _ in range(k[2])]
    span = max(days, 1) * 86400.0 - 60.0
    out = []
    for i in range(count):
        received = now - dt.timedelta(seconds=60.0 + rng.random() * span)
        qtype, tag, _ = rng.choice(kinds)
        sender = rng.choice(_SENDERS)
        out.append(
            {
                "Identity": f"{_guid(rng)}\\{_guid(rng)}",
                "ReceivedTime": received,
                "Expires": received + dt.timedelta(days=30),
                "SenderAddress": sender,
                "RecipientAddress": [recipient],
                "Subject": f"{rng.choice(_SUBJECTS)} #{i + 1}",
                "Size": rng.randint(2_000, 400_000),
                "QuarantineTypes": qtype,
                "TagName": tag,
                "MessageId": f"<{_guid(rng)}@{sender.rpartition('@')[2]}>",
            }
        )
    return out
