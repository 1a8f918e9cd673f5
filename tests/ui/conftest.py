"""Fixtures for the desktop window: a real demo tenant over HTTPS, real MSAL through AuthSession and the
demo IdP's sign-in page, the real Exchange client, and the real window under offscreen Qt.

Only one thing is replaced: modal confirmation boxes answer through ``Confirmations`` (recording the
exact words), because a modal ``exec()`` would block the test thread. One test drives the real
QMessageBox to prove the wiring.
"""

from __future__ import annotations

import os

# Must happen before anything imports Qt. The Xvfb screenshot test runs in its own process with xcb.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from typing import Any

import pytest
from ui_helpers import Confirmations, make_services

from quarantine_checker.demo.tenant import DemoTenant


@pytest.fixture
def tenant() -> Iterator[DemoTenant]:
    with DemoTenant(seed=False, release_delay=0.3, end_user_cmdlets="allowed") as t:
        yield t


@pytest.fixture
def confirmations() -> Confirmations:
    return Confirmations()


@pytest.fixture
def window(qtbot: Any, tenant: DemoTenant, confirmations: Confirmations) -> Iterator[Any]:
    from quarantine_checker.ui.app import ensure_application
    from quarantine_checker.ui.main_window import MainWindow

    ensure_application()
    w = MainWindow(make_services(tenant))
    w.action_runner.confirm = confirmations
    qtbot.addWidget(w)
    w.show()
    yield w
    w.tasks.cancel_all()
    w.tasks.wait_for_done(10_000)
