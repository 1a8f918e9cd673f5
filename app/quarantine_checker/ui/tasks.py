"""The one background helper: run a blocking call on a thread pool, hear about it on the UI thread.

Every network call, sign-in step and bulk computation goes through ``TaskRunner.run``. The callable
runs on a ``QThreadPool`` worker and must not touch widgets; its return value (or the exception it
raised) comes back to the UI thread through a queued signal, so callbacks may freely update the UI.

A task may carry a ``key`` (for example ``("release", identity)``): while a task with that key is
running, starting another with the same key is refused. That is what makes a double click, or a
second click while the first request is in flight, never send a second request.

A long pure-Python computation on a worker (building 10,000 display rows) holds the GIL for all of it,
and the UI thread needs the GIL for every model call while it paints, so a repaint that starts during
the computation crawls until the computation ends (the UI freezes for all of it). ``TaskRunner.pacer()``
gives such a computation a callable to call often: every few milliseconds it waits, GIL released, until
the UI thread is back in its event loop, so a paint or keystroke in progress finishes at full speed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)
T = TypeVar("T")  # what a task returns: its on_success gets exactly that


@dataclass
class Task:
    """A handle on one background call. ``cancel`` is handed to the callable if it accepts one."""

    id: int
    key: Hashable | None
    on_success: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    cancel: threading.Event = field(default_factory=threading.Event)
    done: bool = False


class _Relay(QObject):
    """Lives on the UI thread; workers emit through it, so delivery is queued to the UI thread."""

    finished = Signal(int, object)
    failed = Signal(int, object)
    caught_up = Signal(object)  # a threading.Event the UI thread sets when it gets to it


class Pacer:
    """Called often by a long computation on a worker; see ``TaskRunner.pacer``."""

    def __init__(self, relay: _Relay, ui_thread: int, slice_s: float, wait_s: float) -> None:
        self._relay = relay
        self._ui_thread = ui_thread
        self._slice = slice_s
        self._wait = wait_s
        self._since = time.perf_counter()
        self._on: bool | None = None

    def __call__(self) -> None:
        if self._on is None:
            # Called on the UI thread itself (a test running the work directly): nobody to wait for.
            self._on = threading.get_ident() != self._ui_thread
        if not self._on or time.perf_counter() - self._since < self._slice:
            return
        reached = threading.Event()
        try:
            self._relay.caught_up.emit(reached)
        except RuntimeError:  # the window (and its relay) is gone: just finish
            self._on = False
            return
        if not reached.wait(self._wait):
            # The UI thread is blocked (a shutdown waiting for this task): stop pacing, finish quickly.
            self._on = False
        self._since = time.perf_counter()


class _Job(QRunnable):
    def __init__(self, task_id: int, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task_id = task_id
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # every failure must reach the UI as words
            self._relay.failed.emit(self._task_id, exc)
        else:
            self._relay.finished.emit(self._task_id, result)


class TaskRunner(QObject):
    """Runs callables off the UI thread and delivers results on it (see module docstring)."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool(self)
        if pool is None:
            # Network calls wait far more than they compute; a few threads keep actions independent
            # of a slow refresh without letting a bulk action flood the service.
            self._pool.setMaxThreadCount(4)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)
        self._relay.caught_up.connect(self._on_caught_up)
        self._ui_thread = threading.get_ident()  # the relay's thread: built on the UI thread
        self._tasks: dict[int, Task] = {}
        self._keys: dict[Hashable, int] = {}
        self._next_id = 1

    # --- API ---------------------------------------------------------------------------------------
    def run(
        self,
        fn: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        key: Hashable | None = None,
    ) -> Task | None:
        """Start ``fn`` in the background. Returns None (and does nothing) if ``key`` is already running."""
        if key is not None and key in self._keys:
            return None
        task = Task(self._next_id, key, on_success, on_error)
        self._next_id += 1
        self._tasks[task.id] = task
        if key is not None:
            self._keys[key] = task.id
        was_busy = len(self._tasks) > 1
        self._pool.start(_Job(task.id, fn, self._relay))
        if not was_busy:
            self.busy_changed.emit(True)
        return task

    def pacer(self, slice_s: float = 0.008, wait_s: float = 0.25) -> Callable[[], None]:
        """For a long computation inside a task: call the result often (a few hundred times a second or
        more). After each ``slice_s`` of work it blocks, GIL released, until the UI thread gets back to its
        event loop (finishing a paint or keystroke it was in), at most ``wait_s``; it stops waiting for good
        the first time the UI thread does not answer in time. One pacer per task run."""
        return Pacer(self._relay, self._ui_thread, slice_s, wait_s)

    def is_running(self, key: Hashable) -> bool:
        return key in self._keys

    def running_count(self) -> int:
        return len(self._tasks)

    def cancel_all(self) -> None:
        """Ask every running task to stop (callables that accept ``cancel`` watch this) and drop callbacks."""
        for task in self._tasks.values():
            task.cancel.set()
            task.on_success = None
            task.on_error = None

    def wait_for_done(self, msecs: int = 30_000) -> bool:
        """For shutdown and tests: block until the pool is idle (never call from a UI callback)."""
        return self._pool.waitForDone(msecs)

    # --- delivery (UI thread) ------------------------------------------------------------------------
    def _finish(self, task_id: int) -> Task | None:
        task = self._tasks.pop(task_id, None)
        if task is None:
            return None
        task.done = True
        if task.key is not None and self._keys.get(task.key) == task_id:
            del self._keys[task.key]
        if not self._tasks:
            self.busy_changed.emit(False)
        return task

    @Slot(object)
    def _on_caught_up(self, reached: object) -> None:
        if isinstance(reached, threading.Event):
            reached.set()

    @Slot(int, object)
    def _on_finished(self, task_id: int, result: object) -> None:
        task = self._finish(task_id)
        if task is not None and task.on_success is not None:
            task.on_success(result)

    @Slot(int, object)
    def _on_failed(self, task_id: int, exc: object) -> None:
        task = self._finish(task_id)
        if task is None:
            return
        if not isinstance(exc, Exception):
            # KeyboardInterrupt/SystemExit raised inside a worker: re-raise on the UI thread.
            raise exc  # type: ignore[misc]
        # Only the class name is logged: messages may quote mail content.
        log.info("background task failed: %s", type(exc).__name__)
        if task.on_error is not None:
            task.on_error(exc)
