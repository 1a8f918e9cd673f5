"""Message fields are shown literally: no HTML, no resources, no direction tricks, nowhere in the UI."""

from __future__ import annotations

import re
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QPlainTextEdit, QTextBrowser, QTextEdit
from ui_helpers import add, select, signed_in

from quarantine_checker.ui import dialogs
from quarantine_checker.ui.message_model import COL_SENDER, COL_SUBJECT

HOSTILE_SUBJECT = '<img src="file:///etc/passwd"><b>x</b>'
RTL_NAME = "Payroll \u202eexe.pdf"


def _all_text_widgets(w: Any) -> list[Any]:
    return w.findChildren(QLabel) + w.findChildren(QTextEdit) + w.findChildren(QPlainTextEdit)


def test_html_subject_and_rtl_sender_are_literal_everywhere(qtbot: Any, window: Any, tenant: Any) -> None:
    ident = add(
        tenant,
        HOSTILE_SUBJECT,
        sender="hr@payroll-\u202eexample.test",
        name=RTL_NAME,
        body='<p>Click <a href="http://evil.example/login">https://bank.example</a></p>'
        '<img src="http://tracker.example/pixel.gif">',
        IsHtml=True,
    )
    signed_in(qtbot, window)
    select(qtbot, window, ident)
    qtbot.waitUntil(lambda: "evil" in window.details.links.text(), timeout=10_000)
    qtbot.waitUntil(lambda: "Checking" not in window.details.checks.text(), timeout=10_000)

    proxy_row = window.list.proxy.proxy_row_of(ident)
    subject_cell = window.list.proxy.index(proxy_row, COL_SUBJECT).data()
    sender_cell = window.list.proxy.index(proxy_row, COL_SENDER).data()
    assert subject_cell == HOSTILE_SUBJECT
    assert "\u202e" not in sender_cell and "[U+202E]" in sender_cell

    assert window.details.subject.text() == HOSTILE_SUBJECT
    assert window.details.subject.textFormat() == Qt.TextFormat.PlainText
    # Nothing anywhere holds a raw override character or would interpret markup or open links.
    assert not window.findChildren(QTextBrowser)
    for widget in _all_text_widgets(window):
        text = widget.text() if isinstance(widget, QLabel) else widget.toPlainText()
        assert "\u202e" not in text
        if isinstance(widget, QLabel):
            assert widget.textFormat() == Qt.TextFormat.PlainText, widget.accessibleName()
            assert not widget.openExternalLinks()
    # The preview is text only; each link names where it really goes and says it is off, never clickable,
    # in words (no "hxxp://evil[.]example" notation for a person to decode).
    preview = window.details.preview.toPlainText()
    assert "<img" not in preview and "Click" in preview
    assert "https://bank.example [evil.example (link turned off)]" in preview
    links = window.details.links.text()
    assert links.startswith("evil.example (link turned off)")
    assert "names a different site" in links
    assert "hxxp" not in links + preview and "[.]" not in links + preview


def test_confirmation_box_shows_message_data_as_plain_text(qtbot: Any) -> None:
    box = dialogs._plain_box(None, QMessageBox.Icon.Question, "t", HOSTILE_SUBJECT)
    qtbot.addWidget(box)
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.text() == HOSTILE_SUBJECT


def test_real_confirmation_dialog_names_the_action(qtbot: Any) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    seen: dict[str, Any] = {}

    def answer() -> None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        assert len(boxes) == 1
        box = boxes[0]
        seen["buttons"] = [b.text() for b in box.buttons()]
        seen["default"] = box.defaultButton().text()
        yes = next(b for b in box.buttons() if b.text() == "Release 3 messages")
        yes.click()

    QTimer.singleShot(200, answer)
    assert dialogs.confirm(
        None, "Release", "Release these 3 messages to your Inbox?", yes="Release 3 messages"
    )
    assert "Release 3 messages" in seen["buttons"]
    assert seen["default"] == "Cancel"  # the safe answer is the default


@pytest.mark.parametrize("length", [20_000, 1_000_000])
def test_a_huge_subject_is_cut_with_its_length_and_wraps_inside_the_pane(
    qtbot: Any, window: Any, tenant: Any, length: int
) -> None:
    ident = add(tenant, "Y" * length, kind="Spam")
    signed_in(qtbot, window)
    select(qtbot, window, ident)
    d = window.details
    title = d.subject.text()
    # Cut for display, and it says how long the whole subject is (in the user's number format).
    assert len(title) < 2_000
    said = re.search(r"\(([^()]*) characters in all\)", title)
    assert said and re.sub(r"\D", "", said.group(1)) == str(length)
    # It wraps over several lines instead of widening the pane.
    assert d.subject.height() > 3 * d.subject.fontMetrics().height()
    pane = QRect(d.mapToGlobal(QPoint(0, 0)), d.size())
    bar = d.action_bar
    for widget in (d.subject, bar.primary, bar.delete, bar.not_junk, bar.headers):
        assert widget.isVisible(), widget.accessibleName()
        shown = QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
        assert pane.contains(shown), (widget.accessibleName(), shown, pane)
    # The action row is on screen and readable, not pushed off to the side.
    assert bar.primary.text() == "Release" and not bar.primary.visibleRegion().isEmpty()
