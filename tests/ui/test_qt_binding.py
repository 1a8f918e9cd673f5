"""The Qt binding must not lose references to None: PySide6 6.12.0 drops one on every call of a method
that returns nothing (setVisible, setText, QFormLayout.setRowVisible...), so the tray app, which makes
such calls all day, aborted after a few thousand of them ("Fatal Python error: none_dealloc"; found by
benchmarks/idle.py on the service road). pyproject.toml excludes that release; this catches a
return of the bug in whatever version is installed."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from quarantine_checker.ui.app import ensure_application


def test_calls_that_return_nothing_keep_none_alive() -> None:
    ensure_application()
    page = QWidget()
    form = QFormLayout(page)
    label = QLabel("x")
    form.addRow("Received", label)
    before = sys.getrefcount(None)
    for i in range(500):
        label.setVisible(bool(i % 2))
        label.setText("y")
        form.setRowVisible(0, bool(i % 2))
    # A little drift is other objects coming and going; the bug loses 1,500 here.
    assert abs(sys.getrefcount(None) - before) < 100
