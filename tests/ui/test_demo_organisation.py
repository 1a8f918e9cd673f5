"""``make demo`` runs the organisation (issue 13 item 6): the tenant in the "denied" world, the service
beside it, the window signed in as Alice on the service road. A newcomer finishes the story without a
terminal: Request release on the invoice, then the Demo menu's "IT approves" (the reviewer API), and the
invoice is released in the window; History says IT released it. Real tenant, service, MSAL and window."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMenu
from ui_helpers import ALICE, signed_in

from quarantine_checker import wiring
from quarantine_checker.demo import organisation
from quarantine_checker.demo.seed import INVOICE_SUBJECT, story_identity


@pytest.fixture
def demo_window(qtbot: Any, confirmations: Any) -> Iterator[Any]:
    from quarantine_checker.ui.app import ensure_application
    from quarantine_checker.ui.main_window import MainWindow

    org = organisation.start_organisation(sweep_interval=0.5)
    tenant = org.tenant
    tenant.organisation = org
    try:
        config = organisation.organisation_config(wiring.demo_config(tenant.describe()), org)
        services = wiring.build_services(config, demo=tenant)
        ensure_application()
        w = MainWindow(services)
        w.action_runner.confirm = confirmations
        qtbot.addWidget(w)
        w.show()
        yield w
        w.tasks.cancel_all()
        w.tasks.wait_for_done(10_000)
        services.end_session()
    finally:
        org.stop()


def _status(window: Any, identity: str) -> str:
    row = next((r for r in window.list.model.rows() if r.identity == identity), None)
    return row.status_key if row is not None else ""


def test_a_newcomer_gets_the_invoice_back_through_the_service_with_the_demo_menu(qtbot, demo_window) -> None:
    w = demo_window
    assert w.services.config.road == "service"
    assert "organisation service" in w.banners.banner("demo").text.text()
    invoice = story_identity("inc-invoice")
    signed_in(qtbot, w)

    def listed() -> bool:
        if not _status(w, invoice):
            w.refresh()  # the service's first sweep may still be on its way
            return False
        return True

    qtbot.waitUntil(listed, timeout=20_000)
    assert all(ALICE in r.message.recipient_address for r in w.list.model.rows())
    assert w.list.select_identities([invoice]) == 1
    primary = w.details.action_bar.primary
    assert primary.text().startswith("Request release") and primary.isEnabled()
    primary.click()
    qtbot.waitUntil(lambda: _status(w, invoice) == "requested", timeout=15_000)

    [menu] = [m for m in w.menuBar().findChildren(QMenu) if m.objectName() == "demo-menu"]
    assert "demo only" in menu.title()
    approve = next(a for a in menu.actions() if a.objectName() == "demo-approve")
    assert approve.isEnabled()
    approve.trigger()
    qtbot.waitUntil(lambda: _status(w, invoice) == "released", timeout=20_000)

    def delivered() -> bool:  # from "Releasing…" to released, seen by the service's next sweeps
        row = next(r for r in w.list.model.rows() if r.identity == invoice)
        if row.message.released:
            return True
        if not w.tasks.running_count():
            w.refresh()
        return False

    qtbot.waitUntil(delivered, timeout=30_000)

    dialog = w.open_history()
    qtbot.waitUntil(lambda: bool(dialog.entries), timeout=10_000)
    entry = next(h for h in dialog.entries if h.identity == invoice)
    assert entry.subject == INVOICE_SUBJECT and entry.outcome_text == "Released by IT"
    dialog.close()
    # The end of the story, for the artifacts (CI keeps artifacts/): the invoice released by IT.
    assert w.list.select_identities([invoice]) == 1
    out = Path(os.environ.get("QC_ARTIFACTS") or Path.cwd() / "artifacts") / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    assert w.grab().save(str(out / "demo-organisation-invoice-released.png"))


def test_the_installed_app_without_a_service_keeps_the_direct_road_and_says_so(qtbot, confirmations) -> None:
    from quarantine_checker.ui.app import ensure_application
    from quarantine_checker.ui.main_window import MainWindow

    org = organisation.start_organisation(with_service=False)
    tenant = org.tenant
    tenant.organisation = org
    try:
        assert tenant.end_user_cmdlets == "allowed"
        config = organisation.organisation_config(wiring.demo_config(tenant.describe()), org)
        assert config.road == "direct"
        services = wiring.build_services(config, demo=tenant)
        ensure_application()
        w = MainWindow(services)
        qtbot.addWidget(w)
        w.show()
        assert "no organisation service" in w.banners.banner("demo").text.text()
        [menu] = [m for m in w.menuBar().findChildren(QMenu) if m.objectName() == "demo-menu"]
        approve = next(a for a in menu.actions() if a.objectName() == "demo-approve")
        assert not approve.isEnabled() and approve.toolTip()  # a disabled control says why
        dialog = w.open_history()
        assert not dialog.refresh_button.isEnabled() and "quarantine service" in dialog.status.text()
        dialog.close()
        w.tasks.cancel_all()
        w.tasks.wait_for_done(10_000)
    finally:
        org.stop()
