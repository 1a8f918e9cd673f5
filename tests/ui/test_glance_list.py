"""Issue 14, item 1: a list a person reads at a glance, with one count of what waits for them.

Real window, real tray controller and checker, the demo tenant over HTTPS (the seeded story where it says
"demo seed"). What is asserted is what a person sees: the words in the title, the status line, the tray's
badge and tooltip, the cells and the order of the rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from ui_helpers import add, make_services, select, signed_in

from quarantine_checker.core.glance import Group
from quarantine_checker.demo import seed
from quarantine_checker.demo.tenant import DemoTenant
from quarantine_checker.ui.app import ensure_application
from quarantine_checker.ui.main_window import MainWindow
from quarantine_checker.ui.message_model import COL_SENDER, COL_STATUS


def shown_rows(window: Any) -> list[Any]:
    proxy = window.list.proxy
    return [proxy.source_row(i) for i in range(proxy.rowCount())]


def cell(window: Any, identity: str, column: int, role: Any = Qt.ItemDataRole.DisplayRole) -> Any:
    model = window.list.model
    row = model.row_of(identity)
    assert row is not None
    return model.data(model.index(row, column), role)


def waiting_in(text: str) -> int:
    found = re.search(r"(\d+) (?:messages are )?waiting for you", text)
    assert found, text
    return int(found.group(1))


@pytest.fixture
def seeded(qtbot: Any, confirmations: Any, tmp_path: Path) -> Iterator[tuple[Any, Any, DemoTenant]]:
    from quarantine_checker.ui.settings_store import SettingsStore
    from quarantine_checker.ui.watch_controller import WatchController

    ensure_application()
    with DemoTenant(seed=True, release_delay=0.3, end_user_cmdlets="allowed") as tenant:
        w = MainWindow(make_services(tenant))
        w.action_runner.confirm = confirmations
        qtbot.addWidget(w)
        w.show()
        watch = WatchController(w, w.services, settings_store=SettingsStore(tmp_path / "s.json"),
                                interval_seconds=3600, heartbeat_seconds=3600)
        yield w, watch, tenant
        watch.shutdown()
        w.tasks.cancel_all()
        w.tasks.wait_for_done(10_000)


def test_window_title_status_line_and_tray_count_the_same_waiting_messages(qtbot: Any, seeded: Any) -> None:
    window, watch, _tenant = seeded
    signed_in(qtbot, window)
    checker = watch.checker
    qtbot.waitUntil(lambda: checker.stats.checks >= 1 and not checker.tasks.is_running("check"),
                    timeout=20_000)
    watch.update_tray()
    rows = window.list.model.rows()
    title, line, tray = window.windowTitle(), window.list.count_label.text(), watch.tray.state
    n = waiting_in(title)
    # Released, requested and declined messages are in the list but do not wait for the person: the old
    # status line counted every row ("38 held") while the tray said "35 waiting".
    assert 0 < n < len(rows)
    assert waiting_in(line) == n and f"{len(rows)} messages in your quarantine" in line
    assert tray.count == n and waiting_in(tray.tooltip) == n
    # A release makes all three say one fewer.
    runner = window.action_runner
    target = next(r for r in shown_rows(window) if r.waiting and runner.eligible(_release(), [r]))
    assert window.action_runner.run(_release(), [target], confirmed=True) == 1
    qtbot.waitUntil(lambda: waiting_in(window.windowTitle()) == n - 1, timeout=20_000)
    assert waiting_in(window.list.count_label.text()) == n - 1
    qtbot.waitUntil(lambda: (watch.update_tray(), watch.tray.state.count)[1] == n - 1, timeout=10_000)
    assert waiting_in(watch.tray.state.tooltip) == n - 1


def _release() -> Any:
    from quarantine_checker.core.decision import Action

    return Action.RELEASE


def test_seeded_list_puts_likely_mistakes_before_junk_and_says_deletion_only_when_near(
    qtbot: Any, seeded: Any
) -> None:
    window, _watch, _tenant = seeded
    signed_in(qtbot, window)
    rows = shown_rows(window)
    groups = [r.group for r in rows]
    assert groups == sorted(groups), "the suggested order: likely wanted first, junk and settled last"
    first_junk = groups.index(Group.JUNK)
    # Microsoft released partner.example's maintenance mail as held by mistake: the held invoice from the
    # same sender's domain is a likely mistake too, and comes before every bulk mail.
    order = [r.identity for r in rows]
    invoice = order.index(seed.INVOICE_IDENTITY)
    assert rows[invoice].group is Group.LIKELY_WANTED and invoice < first_junk
    bulk = [i for i, r in enumerate(rows) if r.waiting and r.message.quarantine_type.name == "BULK"]
    assert bulk and min(bulk) > invoice
    now = dt.datetime.now(dt.UTC)
    for r in rows:
        status = r.cells[COL_STATUS]
        near = r.message.expires is not None and r.message.expires - now <= dt.timedelta(days=2)
        if "deleted" in status.casefold() and "deleted from quarantine" not in status.casefold():
            assert near, f"{status!r}: deletion said on a row that is not near it"
        assert "30 days" not in status and "29 days" not in status
    # Look-alike senders keep their ⚠ and sort with the junk.
    for r in rows:
        if r.cells[COL_SENDER].startswith("⚠") and r.waiting:
            assert r.group is Group.JUNK


def test_row_says_who_by_name_once_known_and_urgency_where_it_matters(qtbot: Any, window: Any,
                                                                      tenant: DemoTenant) -> None:
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=30)).isoformat()
    urgent = add(tenant, "Signed contract — please countersign", "legal@fabrikam.example",
                 name="Fabrikam Legal", Expires=soon)
    calm = add(tenant, "Quarterly figures", "cfo@fabrikam.example")
    add(tenant, "Team lunch", "hr@northwind-events.example", ReleaseStatus="RELEASED", Released=True)
    liked = add(tenant, "Team lunch: the menu", "chef@northwind-events.example")
    declined = add(tenant, "Wire transfer details", "pay@fabrikam.example", ReleaseStatus="DENIED")
    signed_in(qtbot, window)
    # Who: the address until the headers give a name.
    assert cell(window, urgent, COL_SENDER) == "legal@fabrikam.example"
    assert re.search(r"deleted (tomorrow|today|in 2 days)", cell(window, urgent, COL_STATUS))
    assert cell(window, urgent, COL_STATUS, Qt.ItemDataRole.FontRole).bold()
    assert "deleted" not in cell(window, calm, COL_STATUS).casefold()
    assert cell(window, calm, COL_STATUS, Qt.ItemDataRole.FontRole) is None
    # Mail from a domain whose mail was released before comes first; the rest after.
    assert window.list.model.row_for(liked).group is Group.LIKELY_WANTED
    assert window.list.model.row_for(calm).group is Group.WAITING
    order = [r.identity for r in shown_rows(window)]
    assert order.index(liked) < order.index(calm)
    assert "IT answered" in cell(window, declined, COL_STATUS)
    assert window.list.table.isColumnHidden(4), "no Deleted column repeating 'in 30 days' on every row"
    select(qtbot, window, urgent)
    qtbot.waitUntil(lambda: cell(window, urgent, COL_SENDER) == "Fabrikam Legal", timeout=20_000)
    assert "legal@fabrikam.example" in cell(window, urgent, COL_SENDER, Qt.ItemDataRole.ToolTipRole)
    # Its sender checked out, so a fresh listing puts it with the likely wanted, above the unchecked one.
    with qtbot.waitSignal(window.refreshed, timeout=20_000):
        window.refresh()
    order = [r.identity for r in shown_rows(window)]
    assert window.list.model.row_for(urgent).group is Group.LIKELY_WANTED
    assert order.index(urgent) < order.index(calm)


def test_a_header_click_sorts_and_a_third_click_goes_back_to_the_suggested_order(
    qtbot: Any, window: Any, tenant: DemoTenant
) -> None:
    add(tenant, "Team lunch", "hr@northwind-events.example", ReleaseStatus="RELEASED", Released=True)
    liked = add(tenant, "Team lunch: the menu", "chef@northwind-events.example")
    newer = add(tenant, "Quarterly figures", "cfo@fabrikam.example")
    signed_in(qtbot, window)
    suggested = [r.identity for r in shown_rows(window)]
    assert suggested.index(liked) < suggested.index(newer)
    header = window.list.table.horizontalHeader()
    x = header.sectionViewportPosition(3) + header.sectionSize(3) // 2  # Received
    where = QPoint(x, header.height() // 2)
    orders = []
    for _ in range(3):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
        orders.append([r.identity for r in shown_rows(window)])
    assert orders[0] != suggested or orders[1] != suggested, "a click sorts by the column"
    assert orders[2] == suggested
