"""Issue 14, item 5: a bulk action reports back — per message, what was done, what was not and why, in
plain words, and copyable. Real window, real results panel, the demo tenant over HTTPS (one release made to
fail by the tenant's fault injection, as Microsoft 365 sometimes answers)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from ui_helpers import add, signed_in, status_of

from quarantine_checker.core.decision import Action


def test_bulk_release_says_what_was_done_what_was_not_and_why(qtbot: Any, window: Any, tenant: Any) -> None:
    spam = [add(tenant, f"Statement {i}", sender="statements@fabrikam-bank.example") for i in range(3)]
    phish = add(tenant, "Signed NDA", sender="legal@fabrikam-bank.example", kind="HighConfPhish")
    signed_in(qtbot, window)
    assert window.list.select_identities([*spam, phish]) == 4
    tenant.inject_fault("forbidden_nul", count=1, cmdlet="Release-QuarantineMessage")
    assert window.details.action_bar.primary.text() == "Release 3 messages"
    qtbot.mouseClick(window.details.action_bar.primary, Qt.MouseButton.LeftButton)

    runner = window.action_runner
    qtbot.waitUntil(lambda: runner.last_bulk is not None, timeout=30_000)
    report = runner.last_bulk
    dialog = runner.results_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "Release: 2 of 4 done · 2 not done"
    text = dialog.view.toPlainText()
    released = [i for i in spam if status_of(window, i) == "Released"]
    assert len(released) == 2
    failed = next(i for i in spam if i not in released)
    # Each message by its subject, with what happened to it.
    for i in range(3):
        assert f"Statement {i}" in text
    assert text.count("✓ ") == 2 and text.count("Released to your Inbox") == 2
    assert text.count("✗ ") == 2 and text.count("Not done: ") == 2
    by_id = {e.identity: e for e in report.entries}
    assert by_id[failed].words and "Traceback" not in text and "403" not in text
    # Not tried: the reason is the disabled button's, in plain words (no wire enum).
    assert "Signed NDA" in text and "IT" in by_id[phish].words and "HighConfPhish" not in text
    # What was not done is listed first: that is what the person has to look at.
    assert text.index("✗ ") < text.index("✓ ")
    assert dialog.contact.text(), "who to ask is named beside what failed"

    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert "Statement 0" in copied and "Not done: " in copied and "For IT:" in copied


def test_bulk_request_all_done_and_declining_the_sender_warning_reports_nothing(
    qtbot: Any, window: Any, tenant: Any, confirmations: Any
) -> None:
    asks = [add(tenant, f"Wire details {i}", sender="pay@woodgrove.example", kind="HighConfPhish")
            for i in range(2)]
    doubtful = [add(tenant, f"Mailbox full {i}", sender="it@n0rthwind.example", checks="fail")
                for i in range(2)]
    signed_in(qtbot, window)
    runner = window.action_runner
    window.list.select_identities(asks)
    window.details_controller.run_action(Action.REQUEST_RELEASE)
    qtbot.waitUntil(lambda: runner.last_bulk is not None, timeout=30_000)
    assert runner.results_dialog.windowTitle() == "Request release: 2 of 2 done"
    assert runner.results_dialog.view.toPlainText().count("Release requested: IT will answer") == 2
    runner.results_dialog.close()

    # The person says no at "Check the sender first": nothing was sent, so no report claims otherwise.
    first = runner.last_bulk
    confirmations.answer = False
    window.list.select_identities(doubtful)
    runner.run(Action.RELEASE, window.list.selected_rows(), confirmed=True)  # past "Release these 2…?"
    qtbot.waitUntil(lambda: any(a["yes"] == "Release anyway" for a in confirmations.asked), timeout=20_000)
    qtbot.wait(500)
    assert runner.last_bulk is first and not runner._batches
    assert all(status_of(window, i) != "Released" for i in doubtful)
