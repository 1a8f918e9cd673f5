"""How the desktop window copes with 1k / 10k / 100k held messages.

For each size, in a fresh child process (so resident memory is that size's alone), offscreen Qt:
  painted    time from the refresh result reaching the UI thread to the rows painted (model reset,
             filters, selection, one synchronous repaint)
  build      time to turn the messages into display rows (runs on the worker thread, for context)
  keystroke  search latency per keystroke: filter + repaint, worst of a typed sequence
  stall      longest gap of a 5 ms UI-thread timer during a whole refresh cycle (worker builds the rows,
             UI thread shows them) — the network part is left out: the emulator cannot page 100k rows
             (page cap) and its speed is not the window's
  memory     resident set size after the list is shown

Budgets (from the issue): at 10k painted <= 300 ms, keystroke <= 30 ms, stall <= 50 ms;
at 100k keystroke <= 100 ms, memory <= 400 MB.

Run: .venv/bin/python benchmarks/ui_scale.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SIZES = (1_000, 10_000, 100_000)
BUDGETS = {
    10_000: {"painted_ms": 300, "keystroke_ms": 30, "stall_ms": 50},
    100_000: {"keystroke_ms": 100, "rss_mb": 400},
}
ALICE = "alice@northwind.example"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class _ListedMailbox:
    """Stands in for the network during the measurement (the direct road's ``Mailbox``): hands over an
    already-parsed listing."""

    def __init__(self, result: Any, account: Any) -> None:
        self.result = result
        self.account = account
        self.carries_notes = False

    def list_messages(self, now: Any = None, *, patient: bool = True) -> Any:
        return self.result


def measure(count: int) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from quarantine_checker.core.account import UserIdentity
    from quarantine_checker.core.mailbox_session import MailboxSession
    from quarantine_checker.core.model import parse_messages
    from quarantine_checker.demo.synthetic import synthetic_records
    from quarantine_checker.demo.wire import wire_time
    from quarantine_checker.exchange.results import ListResult
    from quarantine_checker.storage.keyring_facade import StorageStatus
    from quarantine_checker.storage.token_cache import CacheStatus
    from quarantine_checker.ui.app import ensure_application
    from quarantine_checker.ui.main_window import MainWindow
    from quarantine_checker.ui.row_view import build_rows, local_now

    app = ensure_application()
    now = dt.datetime.now(dt.UTC)

    def to_wire(record: dict[str, Any]) -> dict[str, Any]:
        return {
            k: wire_time(v) if isinstance(v, dt.datetime) else v
            for k, v in record.items()
            if not k.startswith("_")
        }

    records = [to_wire(r) for r in synthetic_records(ALICE, count, now=now, days=29, seed=7)]
    messages, _ = parse_messages(records)
    messages.sort(key=lambda m: m.received_time or now, reverse=True)
    del records
    result = ListResult(messages=messages, pages=1)

    identity = UserIdentity(ALICE, "bench", "Alice", frozenset({ALICE}))
    session = MailboxSession(_ListedMailbox(result, identity))

    class Services:
        config = type("Config", (), {"demo": False, "check_interval_minutes": 15, "tenant_id": "bench"})()
        storage_status = StorageStatus(True, "bench", "")
        cache_status = CacheStatus(True, "")
        guide = None
        auth = None

        def mailbox_session(self) -> Any:
            return session

        def end_session(self) -> None:
            pass

    window = MainWindow(Services())  # type: ignore[arg-type]
    window.resize(1280, 800)
    window.show()
    window.identity = identity
    window.bridge.attach(session)
    window.stack.setCurrentWidget(window.main)
    app.processEvents()

    started = time.perf_counter()
    rows = build_rows(messages, local_now())
    build_ms = (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    if os.environ.get("QC_BENCH_PROFILE"):
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        window._refreshed((result, rows, local_now()))
        window.list.table.viewport().repaint()
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumtime").print_stats(25)
    window._refreshed((result, rows, local_now()))
    window.list.table.viewport().repaint()
    painted_ms = (time.perf_counter() - started) * 1000
    app.processEvents()

    # Keystrokes: type a query that narrows, widen it again, then a term that matches nothing.
    sequence = ["s", "st", "sta", "stat", "state", "statem", "stat", "st", "", "z", "zq", "", "in", "inv"]
    worst = 0.0
    for text in sequence:
        started = time.perf_counter()
        window.list.search.setText(text)
        window.list.table.viewport().repaint()
        worst = max(worst, (time.perf_counter() - started) * 1000)
    window.list.search.setText("")
    app.processEvents()

    # A whole refresh cycle through the one background helper, timed by a UI-thread timer.
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        t = time.perf_counter()
        gaps.append(t - last[0])
        if os.environ.get("QC_BENCH_DEBUG") and t - last[0] > 0.05:
            print(f"gap {1000 * (t - last[0]):.0f} ms ending at +{1000 * (t - t0):.0f}", file=sys.stderr)
        last[0] = t

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(5)
    timer.timeout.connect(tick)
    loop = QEventLoop()
    window.refreshed.connect(loop.quit)
    last[0] = t0 = time.perf_counter()
    if os.environ.get("QC_BENCH_DEBUG"):
        import quarantine_checker.ui.main_window as mw

        original = mw.build_rows

        def traced(*a: Any, **k: Any) -> Any:
            print(f"build starts +{1000 * (time.perf_counter() - t0):.0f}", file=sys.stderr)
            out = original(*a, **k)
            print(f"build ends +{1000 * (time.perf_counter() - t0):.0f}", file=sys.stderr)
            return out

        mw.build_rows = traced
    timer.start()
    window.refresh()
    loop.exec()
    timer.stop()
    tick()
    rss = _rss_mb()
    window.tasks.wait_for_done(10_000)
    return {
        "count": count,
        "painted_ms": painted_ms,
        "build_ms": build_ms,
        "keystroke_ms": worst,
        "stall_ms": max(gaps) * 1000,
        "rss_mb": rss,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one)), flush=True)
        # Skip interpreter teardown: PySide6 6.12 sometimes aborts while garbage-collecting at exit in this
        # script (bool_dealloc); the numbers are already out and the child holds nothing to flush.
        os._exit(0)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size)],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if out.returncode != 0:
            print(f"{size}: failed\n{out.stderr[-2000:]}", file=sys.stderr)
            return 1
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    header = (
        f"{'messages':>9} | {'painted ms':>10} | {'build ms*':>9} | {'keystroke ms':>12} | {'stall ms':>8} | "
        f"{'RSS MB':>7} | budget"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        budget = BUDGETS.get(int(r["count"]), {})
        verdict = ", ".join(
            f"{k.split('_')[0]} {'ok' if r[k] <= v else 'OVER'} (≤{v})" for k, v in budget.items()
        )
        print(
            f"{int(r['count']):>9} | {r['painted_ms']:>10.1f} | {r['build_ms']:>9.1f} | "
            f"{r['keystroke_ms']:>12.1f} | "
            f"{r['stall_ms']:>8.1f} | {r['rss_mb']:>7.0f} | {verdict or '-'}"
        )
    print("* build runs on the worker thread, not the UI thread")
    return 0


if __name__ == "__main__":
    sys.exit(main())
