"""A bug that raises inside a slot: the app keeps running, says so in plain words with "Copy details for
IT", and neither the screen, stderr nor the log carries a traceback or the exception's text."""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from quarantine_checker.ui import crash_guard
from quarantine_checker.ui.dialogs import ErrorDialog

SECRET = "Invoice <b>4471</b> from billing@contoso.example"


def _visible_error_dialogs() -> list[ErrorDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible()]


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_slot_shows_plain_words_and_logs_only_the_class(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture,
) -> None:
    from quarantine_checker.ui.app import ensure_application

    ensure_application()
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    crash_guard.install()
    ran_after: list[bool] = []

    def buggy_slot() -> None:
        raise ValueError(SECRET)

    with caplog.at_level(logging.INFO):
        QTimer.singleShot(0, buggy_slot)
        QTimer.singleShot(50, lambda: ran_after.append(True))  # the event loop goes on
        qtbot.waitUntil(lambda: bool(_visible_error_dialogs()) and bool(ran_after), timeout=5_000)

    (dialog,) = _visible_error_dialogs()
    qtbot.addWidget(dialog)
    words = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "went wrong" in words
    assert "Traceback" not in words and "ValueError" not in words and "4471" not in words
    copy = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Copy details for IT")
    assert copy.isVisibleTo(dialog)
    copy.click()
    details = QApplication.clipboard().text()
    assert "ValueError" in details and "buggy_slot" in details and "4471" not in details

    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "ValueError" in logged
    assert "4471" not in logged and "billing@" not in logged and "Traceback" not in logged
    err = capfd.readouterr().err
    assert "Traceback" not in err and "4471" not in err

    # A second failure while the window is up does not pile up more windows.
    QTimer.singleShot(0, buggy_slot)
    qtbot.wait(100)
    assert len(_visible_error_dialogs()) == 1
    dialog.close()


def test_exception_in_a_plain_thread_logs_only_the_class(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    crash_guard.install()

    def worker() -> None:
        raise KeyError(SECRET)

    with caplog.at_level(logging.INFO):
        t = threading.Thread(target=worker, name="qc-test-worker")
        t.start()
        t.join()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "KeyError" in logged and "qc-test-worker" in logged and "4471" not in logged
    err = capfd.readouterr().err
    assert "Traceback" not in err and "4471" not in err
