"""A listing read and its rows made on the worker: paced, and without the cyclic GC in the way.

The window hands ``read_listing_rows`` to the ``TaskRunner``; nothing here touches a widget, so it is safe
on the worker thread. Row building is imported on first use (a refresh runs only after the first paint).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quarantine_checker.core.mailbox import ListResult
    from quarantine_checker.core.mailbox_session import MailboxSession
    from quarantine_checker.ui.message_model import MessageRow, PreparedRows

Listed = tuple["ListResult | None", "PreparedRows", datetime]


def build_rows(*args: Any, **kwargs: Any) -> list[MessageRow]:
    """``row_view.build_rows``, imported on first use."""
    from quarantine_checker.ui.row_view import build_rows as build

    return build(*args, **kwargs)


def read_listing_rows(listing: Callable[[], ListResult | None], mailbox: MailboxSession,
                      pause: Callable[[], None], order: Any) -> Listed:
    """``listing`` (a full listing, or None: what the session holds now), then the session's rows, sorted
    by ``order`` (the model's sort state, read on the UI thread)."""
    from quarantine_checker.core.pacing import paced
    from quarantine_checker.ui.message_model import prepare_rows
    from quarantine_checker.ui.row_view import local_now

    now = local_now()
    # The cyclic GC would otherwise walk every message and row ever loaded, holding the GIL (and so the UI
    # thread) for 100+ ms per full pass at 100k messages, several times while a listing is read and its
    # rows built. Rows and messages are plain acyclic data freed by reference counting: no collection
    # while they are made, then what exists is exempted for good.
    was_enabled = gc.isenabled()
    gc.disable()
    # Paced: 10k rows are ~100 ms of pure Python holding the GIL, and a repaint that starts meanwhile (a
    # scroll, a keystroke) needs the GIL for every cell; unpaced it waits it out. The listing's parsing and
    # the session taking it in are paced by the same pacer (core/pacing.py).
    try:
        with paced(pause):
            result = listing()
            rows = build_rows(mailbox.messages(), now, mailbox.sender_names(), pause=pause,
                              conflicting=mailbox.conflicting(), confirmed=mailbox.confirmed_senders())
        # Sorted and indexed here, not on the UI thread (200+ ms there at 100k rows).
        prepared = prepare_rows(rows, order)
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
    return result, prepared, now
