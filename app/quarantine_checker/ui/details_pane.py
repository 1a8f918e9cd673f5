"""The details pane: why the selected message was held, who really sent it, and a safe preview.

Everything that comes from the message goes through plain_text (plain labels, QPlainTextEdit):
no HTML is interpreted, no link is clickable, no image or other resource is ever loaded.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from quarantine_checker.core import expiry, reasons, vocabulary
from quarantine_checker.core.preview_text import describe_attachment, extract_links, html_to_text
from quarantine_checker.core.sender_checks import sender_lines
from quarantine_checker.ui.action_bar import ActionBar
from quarantine_checker.ui.help_dialogs import contact_text
from quarantine_checker.ui.message_model import MessageRow
from quarantine_checker.ui.plain_text import plain_label, plain_text_view, set_plain, set_plain_body, visible
from quarantine_checker.ui.row_view import translate

if TYPE_CHECKING:
    from quarantine_checker.core.sender_checks import SenderReport
    from quarantine_checker.exchange.results import Preview

MAX_LINKS_SHOWN = 25
SUBJECT_LIMIT = 300  # characters of the subject shown as the pane's title; the length of the rest is said


def _bold(label: QLabel, scale: float = 1.0) -> QLabel:
    font = label.font()
    font.setBold(True)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


class DetailsPane(QWidget):
    retry_clicked = Signal()
    same_sender_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("details-pane")
        self.setAccessibleName(self.tr("Message details"))
        self._details_for_it = ""
        self.row: MessageRow | None = None

        self.placeholder = plain_label(
            self.tr("Select a message to see why it was held and what you can do."),
            self,
            selectable=False,
            accessible_name=self.tr("No message selected"),
        )
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)

        body = QWidget(self)
        self.subject = _bold(plain_label("", body, accessible_name=self.tr("Subject")), 1.25)
        self.why_title = _bold(plain_label("", body, accessible_name=self.tr("Why it was held")))
        self.why_text = plain_label("", body, accessible_name=self.tr("Explanation"))
        self.status = plain_label("", body, accessible_name=self.tr("Status"))

        # Outcome of the last action on this message: success in words, or the failure with Retry.
        self.note = QFrame(body)
        self.note.setFrameShape(QFrame.Shape.StyledPanel)
        self.note_text = plain_label("", self.note, accessible_name=self.tr("Result of the last action"))
        self.retry_button = QPushButton(self.tr("Retry"), self.note)
        self.retry_button.setAccessibleName(self.tr("Retry the last action"))
        self.retry_button.clicked.connect(self.retry_clicked)
        self.copy_button = QPushButton(self.tr("Copy details for IT"), self.note)
        self.copy_button.setAccessibleName(self.tr("Copy details for IT"))
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self._details_for_it))
        self.note_contact = plain_label("", self.note, accessible_name=self.tr("Who to contact"))
        note_words = QVBoxLayout()
        note_words.addWidget(self.note_text)
        note_words.addWidget(self.note_contact)
        note_row = QHBoxLayout(self.note)
        note_row.addLayout(note_words, 1)
        note_row.addWidget(self.retry_button)
        note_row.addWidget(self.copy_button)
        self.note.hide()

        self.action_bar = ActionBar(body)
        self.same_sender = QPushButton(body)
        self.same_sender.setFlat(True)
        self.same_sender.setAccessibleName(self.tr("Select everything from this sender"))
        self.same_sender.clicked.connect(self.same_sender_clicked)

        self.facts = QFormLayout()
        self.facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.sender_label = plain_label("", body, accessible_name=self.tr("From"))
        self.recipients = plain_label("", body, accessible_name=self.tr("To"))
        self.received = plain_label("", body, accessible_name=self.tr("Received"))
        self.expires = plain_label("", body, accessible_name=self.tr("Deleted on"))
        for title, widget in (
            (self.tr("From"), self.sender_label),
            (self.tr("To"), self.recipients),
            (self.tr("Received"), self.received),
            (self.tr("Deleted"), self.expires),
        ):
            self.facts.addRow(plain_label(title, body, selectable=False, wrap=False), widget)

        self.checks_title = _bold(
            plain_label(self.tr("Is the sender who they say they are?"), body, selectable=False)
        )
        self.checks = plain_label("", body, accessible_name=self.tr("Sender checks"))
        self.outcome_title = _bold(
            plain_label(self.tr("What happens if you release it?"), body, selectable=False)
        )
        self.outcome = plain_label("", body, accessible_name=self.tr("What happens if you release it"))
        self.links_title = _bold(
            plain_label(self.tr("Where the links in the message go (all turned off)"), body, selectable=False)
        )
        self.links = plain_label("", body, accessible_name=self.tr("Links in the message"))
        self.attachments_title = _bold(plain_label(self.tr("Attachments"), body, selectable=False))
        self.attachments = plain_label("", body, accessible_name=self.tr("Attachments"))
        self.preview_title = _bold(
            plain_label(self.tr("Preview (plain text; pictures and links are off)"), body, selectable=False)
        )
        self.preview = plain_text_view(body, accessible_name=self.tr("Message preview"))
        self.preview.setMinimumHeight(160)

        # Policy, message identity and authentication results are for IT: folded away, labelled for IT,
        # so the first screenful holds what a person needs (and no policy ids).
        self.it_toggle = QToolButton(body)
        self.it_toggle.setText(self.tr("Details for IT"))
        self.it_toggle.setAccessibleName(self.tr("Details for IT (policy, authentication results)"))
        self.it_toggle.setCheckable(True)
        self.it_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.it_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.it_toggle.setAutoRaise(True)
        self.it_details = plain_label("", body, accessible_name=self.tr("Details for IT"))
        self.it_details.hide()
        self.it_toggle.toggled.connect(self._fold_it_details)
        self._it_policy = ""
        self._it_auth = ""

        column = QVBoxLayout(body)
        column.addWidget(self.subject)
        column.addWidget(self.why_title)
        column.addWidget(self.why_text)
        column.addWidget(self.status)
        column.addWidget(self.note)
        column.addWidget(self.action_bar)
        column.addWidget(self.same_sender, 0, Qt.AlignmentFlag.AlignLeft)
        column.addLayout(self.facts)
        for w in (
            self.checks_title,
            self.checks,
            self.outcome_title,
            self.outcome,
            self.links_title,
            self.links,
            self.attachments_title,
            self.attachments,
            self.preview_title,
        ):
            column.addWidget(w)
        column.addWidget(self.preview, 1)
        column.addWidget(self.it_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.it_details)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        # It takes focus (arrow keys scroll the details), so a screen reader must have a name to say.
        scroll.setAccessibleName(self.tr("Details of the selected message"))
        self.body = scroll
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.placeholder)
        outer.addWidget(scroll)
        self.show_nothing()

    # --- states -------------------------------------------------
    def _one_message_sections(self) -> tuple[QWidget, ...]:
        """What only makes sense for one message (hidden when several are selected)."""
        return (
            self.status, self.checks_title, self.checks, self.outcome_title, self.outcome,
            self.links_title, self.links, self.attachments_title, self.attachments, self.preview_title,
            self.preview, self.it_toggle,
        )

    def _fold_it_details(self, shown: bool) -> None:
        self.it_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.it_details.setVisible(shown and self.row is not None)

    def _set_it_details(self) -> None:
        parts = [p for p in (self._it_policy, self._it_auth) if p]
        set_plain(self.it_details, "\n\n".join(parts), limit=20_000)

    def it_details_text(self) -> str:
        """What the folded IT section holds (shown or not): policy, message identity, authentication."""
        return self.it_details.text()

    def show_nothing(self, text: str = "") -> None:
        self.row = None
        if text:
            set_plain(self.placeholder, text)
        self.placeholder.show()
        self.body.hide()

    def show_many(self, count: int) -> None:
        """Several messages selected: the facts of one would mislead, so show the count and the actions."""
        self.row = None
        self.placeholder.hide()
        self.body.show()
        set_plain(self.subject, self.tr("{0} messages selected").format(count))
        set_plain(self.why_title, self.tr("What the buttons below do"))
        set_plain(
            self.why_text,
            self.tr(
                "Each button acts on every selected message it is allowed for, and asks you to confirm first."
            ),
        )
        self.same_sender.hide()
        for w in self._one_message_sections():
            w.hide()
        self._set_facts_visible(False)
        self.it_details.hide()
        self.note.hide()

    def show_row(self, row: MessageRow, now: datetime, same_sender_count: int = 0) -> None:
        same = self.row is not None and self.row.identity == row.identity
        self.row = row
        m = row.message
        self.placeholder.hide()
        self.body.show()
        self._set_facts_visible(True)
        for w in self._one_message_sections():
            w.show()
        self.it_details.setVisible(self.it_toggle.isChecked())
        set_plain(self.subject, m.subject or self.tr("(no subject)"), limit=SUBJECT_LIMIT)
        reason = reasons.reason_for(m.quarantine_type)
        set_plain(self.why_title, translate(reasons.TRANSLATION_CONTEXT, reason.title))
        set_plain(self.why_text, translate(reasons.TRANSLATION_CONTEXT, reason.explanation))
        status = row.pending or row.cells[5]
        set_plain(self.status, self.tr("Status: {0}").format(status))
        set_plain(self.sender_label, row.cells[0])
        set_plain(self.recipients, ", ".join(m.recipient_address) or self.tr("(not given)"))
        set_plain(self.received, self._when(m.received_time, now))
        left = translate(expiry.TRANSLATION_CONTEXT, expiry.expiry_text(m.expires, now))
        when = expiry.format_date(m.expires, now) if m.expires else ""
        shown_expiry = self.tr("{0} ({1})").format(left, when) if when else left or self.tr("(unknown)")
        set_plain(self.expires, shown_expiry)
        self._it_policy = "\n".join(
            line for line in (
                self.tr("Held by policy: {0}").format(m.policy_name) if m.policy_name else "",
                self.tr("Quarantine tag: {0}").format(m.tag_name) if m.tag_name else "",
                self.tr("Message identity: {0}").format(row.identity),
            ) if line
        ) or self.tr("Policy: (not given)")
        if not same:
            self._it_auth = ""
        self._set_it_details()
        if same_sender_count > 1:
            text = self.tr("Select all {0} messages from this sender").format(same_sender_count)
            self.same_sender.setText(text)
            self.same_sender.show()
        else:
            self.same_sender.hide()
        if not same:
            self.note.hide()
            self.set_checks_loading()
            self.set_preview_loading()

    def _set_facts_visible(self, shown: bool) -> None:
        for i in range(self.facts.rowCount()):
            self.facts.setRowVisible(i, shown)

    @staticmethod
    def _when(moment: datetime | None, now: datetime) -> str:
        if moment is None:
            return ""
        return f"{expiry.format_date(moment, now)} {expiry.format_time(moment, now)}"

    def set_release_outcome(self, words: str) -> None:
        """What pressing the primary button would do, in a sentence (from the session's decision)."""
        set_plain(self.outcome, words)
        self.outcome_title.setVisible(bool(words) and self.row is not None)
        self.outcome.setVisible(bool(words) and self.row is not None)

    # --- sender checks -------------------------------------------------
    def set_checks_loading(self) -> None:
        set_plain(self.checks, self.tr("Checking the sender…"))

    def set_checks_unavailable(self, text: str) -> None:
        set_plain(self.checks, text)

    def set_sender_report(self, report: SenderReport) -> None:
        lines = report.check_lines()  # the same lines as ``quarantine-checker show``
        self._it_auth = "\n".join(
            [self.tr("Authentication results:")]
            + [f"{c.method.upper()}: {c.result}" for c in report.auth_checks if getattr(c, "method", "")]
        ) if report.auth_checks else ""
        self._set_it_details()
        if self.row is not None:  # header From and, when different, the envelope sender: both shown
            set_plain(self.sender_label, sender_lines(report, self.row.message.sender_address))
        nothing = translate(vocabulary.TRANSLATION_CONTEXT, vocabulary.SENDER_NO_INFO)
        set_plain(self.checks, "\n".join(lines) or nothing)

    # --- preview -------------------------------------------------
    def set_preview_loading(self) -> None:
        set_plain_body(self.preview, self.tr("Loading the preview…"))
        set_plain(self.links, "")
        set_plain(self.attachments, "")

    def set_preview_unavailable(self, text: str) -> None:
        set_plain_body(self.preview, text)
        set_plain(self.links, self.tr("(not available)"))
        set_plain(self.attachments, self.tr("(not available)"))

    def set_preview(self, preview: Preview) -> None:
        body = preview.body or ""
        text = html_to_text(body) if preview.is_html else body
        set_plain_body(self.preview, text or self.tr("(the message has no text)"))
        links = extract_links(body, preview.is_html)
        if links:
            shown = []
            for link in links[:MAX_LINKS_SHOWN]:
                line = link.shown
                if link.mismatch:
                    line += "\n   " + self.tr("⚠ The text of this link names a different site: “{0}”").format(
                        visible(link.text, limit=120)
                    )
                shown.append(line)
            if len(links) > MAX_LINKS_SHOWN:
                shown.append(self.tr("… and {0} more").format(len(links) - MAX_LINKS_SHOWN))
            set_plain(self.links, "\n".join(shown), limit=20_000)
        else:
            set_plain(self.links, self.tr("No links."))
        if preview.attachments:
            set_plain(
                self.attachments,
                "\n".join(
                    f"{visible(a.name, limit=200)} — {describe_attachment(a.name, a.content_type)}"
                    for a in preview.attachments[:50]
                ),
                limit=20_000,
            )
        else:
            set_plain(self.attachments, self.tr("No attachments."))

    # --- outcome of actions -------------------------------------------------
    def show_note(self, text: str, *, details: str = "", retry: bool = False) -> None:
        set_plain(self.note_text, text)
        self._details_for_it = details
        self.copy_button.setVisible(bool(details))
        set_plain(self.note_contact, contact_text(self.window()) if details else "")
        self.note_contact.setVisible(bool(details))
        self.retry_button.setVisible(retry)
        self.note.show()

    def hide_note(self) -> None:
        self.note.hide()

    def note_shown(self) -> str:
        return self.note_text.text() if self.note.isVisibleTo(self) else ""
