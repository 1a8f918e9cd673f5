"""The list's selection drives the details pane and the action bar.

Selecting one message shows what is known at once (the row, a cached preview and sender check, the last
outcome), then, once the selection settles, asks the account's session for what is missing. The actions
go to the ``ActionRunner``; the decisions come from the session (made once per message version).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from quarantine_checker.core.decision import Action, ActionDecision
from quarantine_checker.core.mailbox import Preview, SenderCheck
from quarantine_checker.core.mailbox_session import MailboxSession
from quarantine_checker.core.messages import user_message
from quarantine_checker.ui import dialogs
from quarantine_checker.ui.action_runner import ActionRunner
from quarantine_checker.ui.action_state import action_bar_state, primary_action
from quarantine_checker.ui.details_pane import DetailsPane
from quarantine_checker.ui.list_view import MessageListView
from quarantine_checker.ui.message_model import MessageRow
from quarantine_checker.ui.row_view import local_now, session_row
from quarantine_checker.ui.tasks import TaskRunner

DETAILS_DELAY_MS = 150  # wait for the selection to settle (arrow-key scrolling) before asking the service


class DetailsController(QObject):
    details_loaded = Signal(str)  # identity whose preview or sender check arrived

    def __init__(
        self,
        messages: MessageListView,
        details: DetailsPane,
        runner: ActionRunner,
        tasks: TaskRunner,
        session: Callable[[], MailboxSession | None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.messages, self.details, self.runner, self.tasks = messages, details, runner, tasks
        self._session = session
        self._parent = parent
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DETAILS_DELAY_MS)
        self._timer.timeout.connect(self._load)

        messages.selection_changed.connect(self.on_selection)
        messages.model.dataChanged.connect(self._on_rows_changed)
        messages.model.rows_replaced.connect(self.on_selection)
        runner.outcome_changed.connect(self._on_outcome)
        runner.report_loaded.connect(self.show_sender_check)
        bar = details.action_bar
        bar.primary_clicked.connect(self.primary_action)
        bar.delete_clicked.connect(lambda: self.run_action(Action.DELETE))
        bar.not_junk_clicked.connect(lambda: self.run_action(Action.REPORT_NOT_JUNK))
        bar.headers_clicked.connect(self.show_headers)
        details.retry_clicked.connect(self._retry)
        details.same_sender_clicked.connect(self.select_same_sender)

    # --- what is selected -----------------------------------------------------------------------------
    def selected_identity(self) -> str | None:
        rows = self.messages.selected_rows()
        return rows[0].identity if len(rows) == 1 else None

    def _refresh_bar(self, rows: list[MessageRow]) -> None:
        session = self._session()
        if session is None or not rows:
            self.details.action_bar.set_state(action_bar_state([], [], self.runner.verb, busy=False))
            return
        now = local_now()
        decisions = [session.decision(r.message, now) for r in rows]
        busy = any(r.pending or self.runner.is_busy(r.identity) for r in rows)
        self.details.action_bar.set_state(action_bar_state(rows, decisions, self.runner.verb, busy=busy))

    def on_selection(self) -> None:
        rows = self.messages.selected_rows()
        if not rows:
            if self.messages.model.rowCount() == 0:
                self.details.show_nothing(self.tr("Nothing is being held for you."))
            else:
                self.details.show_nothing(
                    self.tr("Select a message to see why it was held and what you can do.")
                )
        elif len(rows) > 1:
            self.details.show_many(len(rows))
        else:
            row = rows[0]
            same = self.messages.model.sender_count(row.message.sender_address)
            self.details.show_row(row, local_now(), same)
            self._show_cached(row)
            self._show_outcome(row.identity)
            self._timer.start()
        self._refresh_bar(rows)

    def _on_rows_changed(self, *args: object) -> None:
        rows = self.messages.selected_rows()
        if len(rows) == 1:
            same = self.messages.model.sender_count(rows[0].message.sender_address)
            self.details.show_row(rows[0], local_now(), same)
            self._show_outcome(rows[0].identity)
        if rows:
            self._refresh_bar(rows)

    # --- preview and sender checks --------------------------------------------------------------------
    def _show_cached(self, row: MessageRow) -> None:
        session = self._session()
        if session is None:
            return
        check = session.cached_sender_check(row.identity)
        if check is not None:
            self.details.set_sender_report(check.report)
        preview = session.cached_preview(row.identity)
        decision = session.decision(row.message, local_now())
        self.details.set_release_outcome(self._outcome_words(decision))
        if preview is not None:
            self.details.set_preview(preview)
        elif not decision.is_available(Action.PREVIEW):
            self.details.set_preview_unavailable(decision.reason(Action.PREVIEW) or "")

    def _outcome_words(self, decision: ActionDecision) -> str:
        """The answer to "what happens if I release it?" for what the primary button would do."""
        if decision.primary == Action.RELEASE:
            return self.tr(
                "It goes to your Inbox, with any links and attachments it has. Only do this if you expected "
                "it and the sender checks above look right."
            )
        if decision.primary == Action.REQUEST_RELEASE:
            return self.tr(
                "Your IT team is asked to check it. It stays here until they release it to your Inbox or "
                "decline; this window shows which."
            )
        return decision.reason(Action.RELEASE) or decision.reason(Action.REQUEST_RELEASE) or ""

    def _load(self) -> None:
        rows = self.messages.selected_rows()
        session = self._session()
        if len(rows) != 1 or session is None:
            return
        row = rows[0]
        ident, sender = row.identity, row.message.sender_address
        if session.cached_sender_check(ident) is None:

            def checks_failed(exc: BaseException) -> None:
                msg = user_message(exc, action=str(Action.VIEW_HEADERS))
                if self.selected_identity() == ident:
                    self.details.set_checks_unavailable(
                        self.tr("The sender could not be checked: {0}").format(msg.title)
                    )

            self.tasks.run(lambda: session.sender_check(ident, sender),
                           lambda _found: self.show_sender_check(ident), checks_failed,
                           key=("headers", ident))
        wanted = session.decision(row.message, local_now()).is_available(Action.PREVIEW)
        if session.cached_preview(ident) is None and wanted:

            def preview_done(preview: Preview) -> None:
                if self.selected_identity() == ident:
                    self.details.set_preview(preview)
                self.details_loaded.emit(ident)

            def preview_failed(exc: BaseException) -> None:
                msg = user_message(exc, action=str(Action.PREVIEW))
                if self.selected_identity() == ident:
                    self.details.set_preview_unavailable(f"{msg.title}\n{msg.text}")

            self.tasks.run(lambda: session.preview(ident), preview_done, preview_failed,
                           key=("preview", ident))

    def show_sender_check(self, ident: str) -> None:
        """A sender check arrived: the sender's display name joins the row, the pane shows the checks."""
        session = self._session()
        check: SenderCheck | None = session.cached_sender_check(ident) if session is not None else None
        if check is None:
            return
        name = check.report.display_name
        row = self.messages.model.row_for(ident)
        if name and row is not None and not row.cells[0].startswith(name):
            assert session is not None
            fresh = session_row(row.message, session, local_now())
            fresh.pending, fresh.error = row.pending, row.error
            self.messages.model.replace_row(fresh)
        if self.selected_identity() == ident:
            self.details.set_sender_report(check.report)
        self.details_loaded.emit(ident)

    # --- actions ----------------------------------------------------------------------------------------
    def primary_action(self) -> None:
        rows = self.messages.selected_rows()
        session = self._session()
        if session is None:
            return
        now = local_now()
        ready = [r for r in rows if not r.pending and not self.runner.is_busy(r.identity)] or rows
        action = primary_action(ready, [session.decision(r.message, now) for r in ready])
        if action is not None:
            self.run_action(action)

    def run_action(self, action: Action) -> None:
        rows = self.messages.selected_rows()
        if rows:
            self.runner.run(action, rows)
            self._refresh_bar(self.messages.selected_rows())

    def _retry(self) -> None:
        ident = self.selected_identity()
        if ident:
            self.details.hide_note()
            self.runner.retry(ident)

    def _on_outcome(self, ident: str) -> None:
        if self.selected_identity() == ident:
            self._show_outcome(ident)

    def _show_outcome(self, ident: str) -> None:
        outcome = self.runner.outcomes.get(ident)
        if outcome is None:
            self.details.hide_note()
        else:
            self.details.show_note(outcome.text, details=outcome.details, retry=outcome.failed)

    def select_same_sender(self) -> None:
        rows = self.messages.selected_rows()
        if len(rows) != 1:
            return
        sender = rows[0].message.sender_address.lower()
        model = self.messages.model
        same = [r.identity for r in model.rows() if r.message.sender_address.lower() == sender]
        self.messages.clear_filters()
        self.messages.select_identities(same)

    def show_headers(self) -> None:
        ident = self.selected_identity()
        session = self._session()
        if ident is None or session is None:
            return
        row = self.messages.model.row_for(ident)
        subject = row.message.subject if row else ""
        sender = row.message.sender_address if row else None
        cached = session.cached_sender_check(ident)
        if cached is not None:
            dialogs.HeadersDialog(self._parent, subject, cached.headers).open()
            return

        def shown(found: SenderCheck) -> None:
            dialogs.HeadersDialog(self._parent, subject, found.headers).open()
            self.show_sender_check(ident)

        def failed(exc: BaseException) -> None:
            msg = user_message(exc, action=str(Action.VIEW_HEADERS))
            dialogs.ErrorDialog(self._parent, msg.title, msg.text, msg.details_for_it).open()

        self.tasks.run(lambda: session.sender_check(ident, sender), shown, failed,
                       key=("headers-dialog", ident))
