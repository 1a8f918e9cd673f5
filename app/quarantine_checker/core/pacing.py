"""Long loops on a worker thread give the UI thread its turn: one hook, set per task, called in the loops.

A pure-Python loop over 100k messages (parsing a listing, taking it into the session, building rows) holds
the GIL, and the UI thread needs the GIL for every cell it paints; so a window that paints meanwhile
stalls for the whole loop. The window's background helper (ui/tasks.py) has a pacer that, every few
milliseconds, waits (GIL released) until the UI thread has caught up. ``paced(pacer)`` installs it for the
current thread; the loops call ``pace()`` every ``EVERY`` items, which costs nothing when none is
installed (the command line, the tests' direct calls). No Qt here: core stays free of it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

EVERY = 256  # items between calls: well under a millisecond of work for any loop that uses it

_local = threading.local()


@contextmanager
def paced(pause: Callable[[], None] | None) -> Iterator[None]:
    """Within the block, ``pace()`` on this thread calls ``pause``."""
    before = getattr(_local, "pause", None)
    _local.pause = pause
    try:
        yield
    finally:
        _local.pause = before


def pace() -> None:
    pause = getattr(_local, "pause", None)
    if pause is not None:
        pause()
