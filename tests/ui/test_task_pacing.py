"""TaskRunner.pacer: a long computation on a worker lets the UI thread run, and never holds up a shutdown.

Timings here are relative or generous on purpose (shared machine); the 10k-row case with real paints is
tests/ui/test_responsiveness.py.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, QTimer

from quarantine_checker.ui.tasks import TaskRunner


def _busy(pause: Any, seconds: float) -> float:
    """``seconds`` of this thread's CPU in pure Python (holding the GIL), calling ``pause`` often like
    build_rows does. Returns when it finished."""
    end = time.thread_time() + seconds
    n = 0
    while time.thread_time() < end:
        for _ in range(200):
            n += 1
        pause()
    return time.perf_counter()


def test_paced_work_lets_a_gil_hungry_ui_thread_run(qtbot: Any) -> None:
    runner = TaskRunner()
    ticks: list[float] = []

    def ui_work() -> None:
        # Like a paint: it takes the GIL again and again (a paint re-enters Python for every cell).
        for _ in range(20):
            time.sleep(0)
        ticks.append(time.perf_counter())

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(5)
    timer.timeout.connect(ui_work)
    finished: list[float] = []
    timer.start()
    runner.run(lambda: _busy(runner.pacer(), 0.3), finished.append)
    qtbot.waitUntil(lambda: bool(finished), timeout=10_000)
    timer.stop()
    during = [t for t in ticks if t < finished[0]]
    # Unpaced, the UI work cannot finish once until the worker is done; paced, it keeps running.
    assert len(during) >= 10


def test_pacer_gives_up_waiting_when_the_ui_thread_is_blocked(qtbot: Any) -> None:
    runner = TaskRunner()
    runner.run(lambda: _busy(runner.pacer(wait_s=0.25), 0.2))
    started = time.perf_counter()
    # A shutdown blocks the UI thread until the pool is idle: the pacer waits once, not every 8 ms slice
    # (25 slices here, over 6 s if it waited each time).
    assert runner.wait_for_done(10_000)
    assert time.perf_counter() - started < 2.0


def test_pacer_on_the_ui_thread_does_not_wait(qtbot: Any) -> None:
    runner = TaskRunner()
    pause = runner.pacer(slice_s=0.0, wait_s=5.0)
    started = time.perf_counter()
    for _ in range(100):
        pause()
    assert time.perf_counter() - started < 1.0
