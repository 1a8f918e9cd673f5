"""The words test's one rule, shared by the window, tray and CLI tests: what a person reads never holds
a policy id, a raw GUID, a wire enum value or security notation for links.

Imported by name (tests/ is on sys.path through tests/conftest.py). Text meant for IT ("Copy details
for IT", `headers`) is out of scope: callers only pass what a person reads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from quarantine_checker.demo.policies import POLICIES
from quarantine_checker.demo.seed import seed_messages

GUID = re.compile(r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
# The wire's spellings of types, statuses, policy kinds and fields (docs: exchange-quarantine-api.md).
WIRE_ENUMS = re.compile(
    r"\b(HighConfPhish|SPOMalware|FileTypeBlock|DataLossPrevention|TransportRule|AdminTriggered|"
    r"NOTRELEASED|PREPARINGTORELEASE|REQUESTED|APPROVED|DENIED|RELEASED|NotReleased|PreparingToRelease|"
    r"HostedContentFilterPolicy|AntiMalwarePolicy|AntiPhishPolicy|ExchangeTransportRule|"
    r"PermissionTo\w*|QuarantineTypes|ReleaseStatus|TagName|PolicyName|PolicyType)\b"
)
DEFANGED = re.compile(r"(?i)hxxps?|fxps?://|\[\.\]|\[:\]|\[@\]")


def seed_policy_names() -> set[str]:
    """Every TagName and PolicyName of the demo seed, and every quarantine policy the demo defines."""
    names = set(POLICIES)
    for record in seed_messages("northwind.example", dt.datetime.now(dt.UTC)):
        names.update(str(record.get(k) or "") for k in ("TagName", "PolicyName"))
    names.discard("")
    names.discard("Default")  # the demo's catch-all PolicyName is an ordinary word
    return names


_POLICIES = sorted(seed_policy_names(), key=len, reverse=True)


def jargon_in(text: str) -> list[str]:
    """What in ``text`` a person must not read (empty when it is plain)."""
    found = [name for name in _POLICIES if name.lower() in text.lower()]
    found += GUID.findall(text)
    found += [m.group(0) for m in WIRE_ENUMS.finditer(text)]
    found += [m.group(0) for m in DEFANGED.finditer(text)]
    return found


def assert_plain(texts: Iterable[tuple[str, str]]) -> int:
    """``texts``: (where, text) pairs. Fails listing every offending place; returns how many were read."""
    bad = []
    count = 0
    for where, text in texts:
        count += 1
        hits = jargon_in(text)
        if hits:
            bad.append(f"{where}: {sorted(set(hits))} in {text[:200]!r}")
    assert not bad, "jargon a person would read:\n" + "\n".join(bad)
    return count
