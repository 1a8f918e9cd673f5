"""What happens when a bug raises in the GUI: plain words and "Copy details for IT", never a traceback.

PySide6 hands an exception that escapes a slot or a Qt virtual to ``sys.excepthook``; Python's default
prints the whole traceback, exception message included, to stderr (for a desktop launch that is the
session journal or ~/.xsession-errors). The message of an unexpected exception may quote anything it
touched, such as a subject or an address, so only the class name and where it was raised are logged,
and the user gets the same words as for any other unexpected error. The app keeps running.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

log = logging.getLogger(__name__)

_state: dict[str, Any] = {"dialog": None, "handling": False}


def where(tb: TracebackType | None) -> str:
    """``file.py:line in function`` of the innermost frame: code location only, no values."""
    frames = traceback.extract_tb(tb) if tb is not None else []
    if not frames:
        return "unknown location"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno} in {last.name}"


def _show(exc: BaseException, location: str) -> None:
    from PySide6.QtWidgets import QApplication

    from quarantine_checker.core.messages import user_message  # here, not at install: off the start's path
    from quarantine_checker.ui.dialogs import ErrorDialog

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    shown = _state["dialog"]
    if shown is not None and shown.isVisible():
        return  # one window is enough; a bug that repeats on every repaint must not bury the screen
    msg = user_message(exc)
    dialog = ErrorDialog(app.activeWindow(), msg.title, msg.text, f"{msg.details_for_it}\nWhere: {location}")
    _state["dialog"] = dialog
    dialog.open()


def _gui_hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt | SystemExit):
        sys.__excepthook__(kind, exc, tb)
        return
    location = where(tb)
    log.error("unexpected %s at %s", kind.__name__, location)
    if _state["handling"]:
        return  # the error window itself failed: the log line above is all we can do
    _state["handling"] = True
    try:
        _show(exc, location)
    except Exception as inner:
        log.error("could not show the error window: %s", type(inner).__name__)
    finally:
        _state["handling"] = False


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    log.error("unexpected %s in thread %s at %s", args.exc_type.__name__, name, where(args.exc_traceback))


def install() -> None:
    """Route uncaught exceptions (UI thread and plain threads) to the log and the error window."""
    sys.excepthook = _gui_hook
    threading.excepthook = _thread_hook
