"""No road open: the demo tenant in the "denied" world (org-service.md §1.1), the real window, real MSAL.

Alice may not run the quarantine cmdlets. After sign-in the capability probe finds that out once and the
road-closed page says so in plain words, with what IT can do, the helpdesk contact and a button to
Microsoft's own quarantine page; there is no "Try again", no second sign-in and at most one silent token
refresh (counted in the demo IdP's own request log). The demo administrator keeps his road and still sees
only his own mail. Opening the browser is the one thing replaced (``open_url``): none can be launched here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QPushButton
from test_screenshot import artifacts_dir
from ui_helpers import ALICE, add, signed_in

HERE = Path(__file__).resolve().parent
ADMIN = "it-admin@northwind.example"
PORTAL = "https://security.microsoft.com/quarantine?viewid=Email"


def _page(w):
    page = w.flow._road_closed
    return page if page is not None and w.stack.currentWidget() is page else None


def _grants(tenant) -> list[str]:
    return tenant.idp.grant_types_seen()


def _authorize_requests(tenant) -> int:
    return sum(1 for r in tenant.idp.request_log if r["path"].endswith("/authorize"))


def _visible_buttons(w) -> list[str]:
    return [b.text() for b in w.findChildren(QPushButton) if b.isVisible()]


def test_denied_alice_gets_the_road_closed_page_once(qtbot, window, tenant):
    add(tenant, "Invoice INV-2291")
    tenant.set_end_user_cmdlets("denied")
    started: list[object] = []
    window.signed_in.connect(started.append)

    window.start()
    qtbot.waitUntil(lambda: _page(window) is not None, timeout=20_000)
    page = _page(window)
    assert page.heading.text() == "Your organisation hasn't opened quarantine to this app"
    assert ALICE in page.account.text()
    assert "Signing in again won't change that" in page.explain.text()
    assert "organisation service" in page.it_text.text() and "docs/it/direct-access.md" in page.it_text.text()
    assert page.helpdesk.text() == "Your IT contact: the demo IT team (it-admin@northwind.example)"
    buttons = _visible_buttons(window)
    assert "Open Microsoft's quarantine page" in buttons and "Copy details for IT" in buttons
    assert not [b for b in buttons if "try" in b.lower() or "retry" in b.lower()], buttons

    opened: list[str] = []
    page.open_url = lambda url: opened.append(url.toString())
    qtbot.mouseClick(page.portal_button, Qt.MouseButton.LeftButton)
    assert opened == [PORTAL]
    qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    details = QApplication.clipboard().text()
    assert "NoDirectAccessError" in details and "cmdlets_not_exported" in details

    qtbot.wait(1500)  # a loop would show itself by now
    assert _page(window) is page and started == [], "the list and the tray checker never started"
    assert [r for r in tenant.requests_log if r.cmdlet == "Get-QuarantineMessage"] == []
    assert _authorize_requests(tenant) == 1 and _grants(tenant).count("authorization_code") == 1
    assert _grants(tenant).count("refresh_token") <= 1


def test_a_refused_refresh_leads_to_the_page_without_a_sign_in_loop(qtbot, window, tenant):
    add(tenant, "Invoice INV-2291")
    signed_in(qtbot, window)  # the allowed world: the list is shown
    assert window.list.model.rowCount() == 1
    tenant.set_end_user_cmdlets("denied")  # IT takes the role away while the app runs
    tenant.clear_log()
    authorize_before, grants_before = _authorize_requests(tenant), len(_grants(tenant))

    with qtbot.waitSignal(window.refreshed, timeout=10_000):
        window.refresh()
    qtbot.waitUntil(lambda: _page(window) is not None, timeout=5_000)
    qtbot.wait(1500)
    refused = [r for r in tenant.requests_log if r.cmdlet == "Get-QuarantineMessage"]
    assert [r.status for r in refused] == [401], "one call, no retry"
    assert _authorize_requests(tenant) == authorize_before, "no interactive sign-in"
    new_grants = _grants(tenant)[grants_before:]
    assert "authorization_code" not in new_grants and new_grants.count("refresh_token") <= 1
    assert window.list.model.rowCount() == 0 and window.identity is None
    assert not window.sign_in.isVisible() and _page(window) is not None


def test_sign_out_from_the_page_returns_to_sign_in(qtbot, window, tenant):
    tenant.set_end_user_cmdlets("denied")
    window.start()
    qtbot.waitUntil(lambda: _page(window) is not None, timeout=20_000)
    qtbot.mouseClick(window.flow.road_closed.sign_out_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.sign_in, timeout=10_000)
    assert window.services.auth.identity is None


def test_denied_world_admin_still_lists_only_his_own_mail(qtbot, window, tenant):
    tenant.set_end_user_cmdlets("denied")
    tenant.idp.default_user = ADMIN  # the demo sign-in page approves the administrator
    own = tenant.add_message(ADMIN, Subject="Admin's own", TagName="AdminOnlyAccessPolicy")
    add(tenant, "Alice's invoice")
    signed_in(qtbot, window)
    assert _page(window) is None
    assert [r.identity for r in window.list.model.rows()] == [own]
    lists = [r for r in tenant.requests_log
             if r.cmdlet == "Get-QuarantineMessage" and "Identity" not in r.parameters]
    assert lists and all(r.parameters.get("MyItems") is True and r.caller == ADMIN for r in lists)


@pytest.mark.xvfb
@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs an X display: run via tests/run-suite.sh")
def test_road_closed_screenshot_is_saved() -> None:
    out = artifacts_dir() / "screenshots" / "road-closed.png"
    if out.exists():
        out.unlink()
    env = dict(os.environ, QT_QPA_PLATFORM="xcb",
               PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, str(HERE / "screenshot_road_closed.py"), str(out)], env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    image = QImage(str(out))
    assert not image.isNull() and image.width() >= 800 and image.height() >= 500
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 10, f"screenshot looks blank ({len(colours)} colours)"
