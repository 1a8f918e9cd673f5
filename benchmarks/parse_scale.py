"""How fast the record parser is on its own: 10k wire records shaped like the live one (spec §3.2).

list_scale.py measures the whole listing (HTTP, TLS, JSON, paging); this isolates
``parse_messages`` so a change to the model can be judged in seconds without a demo tenant.
Records are varied (statuses, types, timestamps, annotations) so caches are exercised the way
a real listing would exercise them, not with one repeated string.

Run: .venv/bin/python benchmarks/parse_scale.py [count] [--profile]
"""

from __future__ import annotations

import cProfile
import json
import pstats
import sys
import time
from pathlib import Path
from typing import Any

from quarantine_checker.core.model import parse_messages

LIVE = Path(__file__).resolve().parent.parent / "tests" / "core" / "data" / "live_record.json"
STATUSES = ("NOTRELEASED", "REQUESTED", "RELEASED", "DENIED", "APPROVED")
TYPES = ("Spam", "HighConfPhish", "Phish", "Bulk", "Malware", "TransportRule")


def synthetic(count: int) -> list[dict[str, Any]]:
    base = json.loads(LIVE.read_text(encoding="utf-8"))
    out = []
    for i in range(count):
        rec = dict(base)
        rec["Identity"] = f"{i:08x}-b175-4b84-d76c-08dee7cf55a8\\{i:08x}-11a9-58cc-cf4e-784af1dcf73c"
        day, sec = 1 + i % 28, i % 86_400
        clock = f"T{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}.{i:07d}+00:00"
        rec["ReceivedTime"] = f"2026-07-{day:02d}{clock}"
        rec["Expires"] = f"2026-08-{day:02d}{clock}"
        rec["Subject"] = f"Subject number {i}"
        rec["ReleaseStatus"] = STATUSES[i % len(STATUSES)]
        rec["QuarantineTypes"] = rec["Type"] = TYPES[i % len(TYPES)]
        rec["Size"] = 1000 + i
        out.append(json.loads(json.dumps(rec)))  # fresh objects, as a JSON decoder would hand them over
    return out


def main(argv: list[str]) -> int:
    count = int(next((a for a in argv if a.isdigit()), "10000"))
    records = synthetic(count)
    if "--profile" in argv:
        profiler = cProfile.Profile()
        profiler.enable()
        parse_messages(records)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
        return 0
    times = []
    for _ in range(5):
        cpu0 = time.process_time()
        good, bad = parse_messages(records)
        times.append(time.process_time() - cpu0)
        assert len(good) == count and bad == 0
    best = min(times)
    print(f"{'records':>8} {'best CPU s':>11} {'median CPU s':>13} {'µs/record':>10}")
    print(f"{count:>8} {best:>11.3f} {sorted(times)[2]:>13.3f} {1e6 * best / count:>10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
