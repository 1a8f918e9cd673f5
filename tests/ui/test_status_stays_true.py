"""What the window says about a check or an action stays true after things change.

Real window, real demo tenant over HTTPS; the demo's control API plays IT and the failing service.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ui_helpers import ALICE, signed_in


def _visible_texts(w: Any) -> list[str]:
    from PySide6.QtWidgets import QLabel

    return [label.text() for label in w.findChildren(QLabel) if label.isVisible() and label.text()]


def test_a_failed_first_check_does_not_keep_saying_checking(qtbot, window, tenant):
    tenant.inject_fault("unavailable", count=50, cmdlet="Get-QuarantineMessage")
    signed_in(qtbot, window)
    qtbot.waitUntil(lambda: window.banners.banner("service") is not None
                    or window.banners.banner("offline") is not None, timeout=30_000)
    texts = _visible_texts(window)
    assert not any("Checking your quarantine" in t for t in texts), texts
    assert not any("usually takes a few seconds" in t for t in texts), texts
    assert any("couldn't be checked" in t for t in texts), texts


def test_after_it_approves_the_details_no_longer_say_release_requested(qtbot, window, tenant):
    ident = tenant.add_message(ALICE, Subject="Contract draft", SenderAddress="legal@partner.example",
                               QuarantineTypes="HighConfPhish", TagName="DefaultFullAccessPolicy",
                               ReceivedTime=datetime.now(UTC) - timedelta(days=3))
    signed_in(qtbot, window)
    assert window.list.select_identities([ident]) == 1
    primary = window.details.action_bar.primary
    qtbot.waitUntil(lambda: primary.isEnabled() and primary.text().startswith("Request release"),
                    timeout=10_000)
    primary.click()
    qtbot.waitUntil(lambda: window.details.note.isVisible()
                    and "Release requested" in window.details.note_text.text(), timeout=15_000)

    control = tenant.session()
    assert control.post(f"{tenant.control_url}/approve", json={"identity": ident}, timeout=10).ok
    with qtbot.waitSignal(window.refreshed, timeout=20_000):
        window.check_now.click()
    qtbot.waitUntil(lambda: "Released" in window.details.status.text()
                    or "Releasing" in window.details.status.text(), timeout=10_000)
    shown = _visible_texts(window)
    assert not any("Release requested" in t or "Waiting for IT" in t for t in shown), shown
