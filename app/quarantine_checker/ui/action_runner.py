"""Carrying out Release / Request release / Delete / Report as not junk on one or many messages.

Rules the user can rely on: only what ``decide`` allows is sent; every bulk action and every delete
is confirmed with a sentence that names what will happen; delivering mail to the Inbox (Release, and
Report as not junk, which releases too) needs a second, explicit yes unless the sender checks confirmed
the sender (``decision.needs_sender_warning``); each row shows its own progress; a row with a request in
flight never gets a second one; afterwards the message is re-read and its real new status shown; a
failure leaves the row as it was, says why, and offers Retry.

Sending, re-reading and the sender checks are the account's ``MailboxSession``'s (the tray hears of every
request sent from there); this class asks the questions, shows progress in the rows and remembers what to
say about each message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QWidget

from quarantine_checker.core import bulk_report, vocabulary
from quarantine_checker.core.bulk_report import BulkReport, Entry, Result
from quarantine_checker.core.decision import (
    Action,
    SenderDoubt,
    delivers_to_inbox,
    needs_sender_warning,
    sender_doubt,
)
from quarantine_checker.core.mailbox import SenderCheck
from quarantine_checker.core.mailbox_session import MailboxSession
from quarantine_checker.core.messages import user_message
from quarantine_checker.core.model import QuarantinedMessage, ReleaseStatus
from quarantine_checker.core.sender_checks import SenderReport
from quarantine_checker.ui import dialogs
from quarantine_checker.ui.message_model import MessageRow, MessageTableModel
from quarantine_checker.ui.row_view import local_now, received_text, session_row, translate
from quarantine_checker.ui.tasks import TaskRunner


def _show_bulk_results(parent: QWidget, report: BulkReport) -> object:
    from quarantine_checker.ui.bulk_results import show_bulk_results

    return show_bulk_results(parent, report)


@dataclass
class Outcome:
    """What the details pane says about the last action on a message."""

    text: str
    details: str = ""
    action: Action | None = None  # set when Retry makes sense
    failed: bool = False
    status: tuple[ReleaseStatus, bool] | None = None  # (release status, released) the text is about


class ActionRunner(QObject):
    outcome_changed = Signal(str)  # identity
    report_loaded = Signal(str)  # identity
    bulk_finished = Signal(object)  # core.bulk_report.BulkReport: every message of a bulk action answered

    def __init__(
        self,
        tasks: TaskRunner,
        model: MessageTableModel,
        session: Callable[[], MailboxSession | None],
        parent_widget: QWidget,
        *,
        confirm: Callable[..., bool] = dialogs.confirm,
        show_results: Callable[[QWidget, BulkReport], object] | None = None,
    ) -> None:
        super().__init__(parent_widget)
        self.tasks = tasks
        self.model = model
        self._session = session
        self._parent = parent_widget
        self.confirm = confirm
        self.show_results = show_results or _show_bulk_results
        self.outcomes: dict[str, Outcome] = {}
        self._batches: list[BulkReport] = []  # bulk actions still running, each told once all answered
        self.last_bulk: BulkReport | None = None
        self.results_dialog: object | None = None
        model.rows_replaced.connect(self._drop_stale_outcomes)
        model.dataChanged.connect(self._drop_stale_outcomes)  # one row's new state (the tray's check)

    def _report(self, identity: str) -> SenderReport | None:
        session = self._session()
        found = session.cached_sender_check(identity) if session is not None else None
        return found.report if found is not None else None

    # --- labels -------------------------------------------------
    def verb(self, action: Action, n: int = 1) -> str:
        if n == 1:  # the one vocabulary's name for the action, as the CLI says it
            return translate(vocabulary.TRANSLATION_CONTEXT, vocabulary.ACTION_WORDS[action])
        if action is Action.RELEASE:
            return self.tr("Release {0} messages").format(n)
        if action is Action.REQUEST_RELEASE:
            return self.tr("Request release of {0} messages").format(n)
        if action is Action.DELETE:
            return self.tr("Delete {0} messages").format(n)
        # It delivers to the Inbox like Release, so the button says it releases.
        return self.tr("Release {0} messages and report as not junk").format(n)

    def _progress(self, action: Action) -> str:
        return {
            Action.RELEASE: self.tr("Releasing…"),
            Action.REQUEST_RELEASE: self.tr("Requesting…"),
            Action.DELETE: self.tr("Deleting…"),
            Action.REPORT_NOT_JUNK: self.tr("Releasing…"),
        }[action]

    # --- entry point -------------------------------------------------
    def eligible(
        self, action: Action, rows: list[MessageRow], now: datetime | None = None
    ) -> list[MessageRow]:
        session = self._session()
        if session is None:
            return []
        now = now or local_now()
        return [
            r
            for r in rows
            if not r.pending
            and not self.is_busy(r.identity)
            and session.decision(r.message, now).is_available(action)
        ]

    def is_busy(self, identity: str) -> bool:
        session = self._session()
        return (
            self.tasks.is_running(("action", identity))
            or self.tasks.is_running(("precheck", identity))
            or (session is not None and session.is_busy(identity))
        )

    def run(self, action: Action, rows: list[MessageRow], *, confirmed: bool = False) -> int:
        """Start ``action`` on every row it is allowed for; ``confirmed`` skips the bulk/delete question."""
        targets = self.eligible(action, rows)
        if not targets:
            return 0
        skipped = len(rows) - len(targets)
        if not confirmed and not self._confirm(action, targets, skipped):
            return 0
        if len(rows) > 1:  # a bulk action reports back, message by message, once every one has answered
            self._batches.append(self._bulk_report(action, rows, targets))
        # The sender warning is never skipped, not even on Retry: it is about the mail, not the click.
        if delivers_to_inbox(action):
            missing = [r for r in targets if self._report(r.identity) is None]
            if missing:
                self._precheck_then(action, targets, missing)
                return len(targets)
            if not self._warn_unconfirmed_sender(action, targets):
                self._drop_batch(targets)
                return 0
        for row in targets:
            self._start(action, row)
        return len(targets)

    # --- confirmation -------------------------------------------------
    def _confirm(self, action: Action, targets: list[MessageRow], skipped: int) -> bool:
        n = len(targets)
        if action is Action.DELETE:
            text = (
                self.tr("Delete this message from your quarantine?")
                if n == 1
                else self.tr("Delete these {0} messages from your quarantine?").format(n)
            )
            info = self.tr("You won't be able to release them afterwards. They will not be delivered to you.")
        elif n == 1:
            return (
                True  # one message, a clearly named button: no extra question (sender warning still applies)
            )
        elif action is Action.REQUEST_RELEASE:
            text = self.tr("Ask IT to release these {0} messages?").format(n)
            info = self.tr("IT will look at each one; you'll see their answer here.")
        elif action is Action.REPORT_NOT_JUNK:
            text = self.tr(
                "Release these {0} messages to your Inbox and report them to Microsoft as not junk?"
            ).format(n)
            info = ""
        else:
            text = self.tr("Release these {0} messages to your Inbox?").format(n)
            info = self.tr("They will appear in your Inbox within a few minutes.")
        if skipped:
            info = (info + "\n\n" if info else "") + self.tr(
                "{0} other selected messages can't get this action and will be left as they are."
            ).format(skipped)
        return self.confirm(
            self._parent,
            self.verb(action, n),
            text,
            informative=info,
            yes=self.verb(action, n),
            warning=action is Action.DELETE,
        )

    def _warn_unconfirmed_sender(self, action: Action, targets: list[MessageRow]) -> bool:
        """Ask before delivering mail whose sender checks failed or could not confirm the sender."""
        doubtful = [r for r in targets if needs_sender_warning(action, self._report(r.identity))]
        if not doubtful:
            return True
        if len(doubtful) == 1:
            report = self._report(doubtful[0].identity)
            if sender_doubt(report) is SenderDoubt.FAILED:
                text = translate(vocabulary.TRANSLATION_CONTEXT, vocabulary.SENDER_WARNING_FAILED)
                marks: tuple[str, ...] = ("fail", "softfail")
            else:
                text = translate(vocabulary.TRANSLATION_CONTEXT, vocabulary.SENDER_WARNING_UNCONFIRMED)
                marks = ("fail", "softfail", "none", "unknown")
            checks = getattr(report, "auth_checks", ())
            reasons = [*getattr(report, "warnings", ()), *(c.sentence for c in checks if c.result in marks)]
            info = "\n".join(f"• {r}" for r in reasons[:6])
        else:
            text = self.tr(
                "{0} of these messages may not be from who they claim to be. Release them anyway?"
            ).format(len(doubtful))
            info = self.tr("Open each one to see what the sender checks found.")
        # The same words as the CLI's refusal (cli/commands.confirm_sender).
        info += "\n\n" + translate(vocabulary.TRANSLATION_CONTEXT, vocabulary.SENDER_WARNING_ADVICE)
        return self.confirm(
            self._parent,
            translate(vocabulary.TRANSLATION_CONTEXT, vocabulary.SENDER_WARNING_TITLE),
            text,
            informative=info.strip(),
            yes=self.tr("Release anyway"),
            warning=True,
        )

    def _precheck_then(self, action: Action, targets: list[MessageRow], missing: list[MessageRow]) -> None:
        """Read the headers of messages not checked yet, then warn (if needed) and run."""
        session = self._session()
        if session is None:
            return
        identities = [r.identity for r in missing]
        for ident in identities:
            self.model.set_pending(ident, self.tr("Checking the sender…"))
        senders = {r.identity: r.message.sender_address for r in missing}

        def work() -> dict[str, SenderCheck]:
            return {ident: session.sender_check(ident, senders[ident]) for ident in identities}

        def done(found: dict[str, SenderCheck]) -> None:
            for ident in found:
                self.model.set_pending(ident, "")
                self.report_loaded.emit(ident)
            fresh = [self.model.row_for(r.identity) or r for r in targets]
            if self._warn_unconfirmed_sender(action, fresh):
                for row in fresh:
                    self._start(action, row)
            else:
                self._drop_batch(targets)

        def failed(exc: BaseException) -> None:
            for ident in identities:
                self.model.set_pending(ident, "")
            msg = user_message(exc, action=str(action))
            for ident in identities:
                self._fail(ident, action, msg.title, msg.text, msg.details_for_it)

        self.tasks.run(work, done, failed, key=("precheck", identities[0]))

    # --- doing it -------------------------------------------------
    def _start(self, action: Action, row: MessageRow) -> None:
        identity = row.identity
        session = self._session()
        if session is None:
            self._answered(identity, Result.SKIPPED, self._t(bulk_report.NOT_AVAILABLE))
            return

        def work() -> QuarantinedMessage | None:
            # Sent, then re-read until Microsoft has finished. The session tells the list and the tray
            # (which then watches a request for IT's answer).
            return session.act(action, identity)

        def done(message: QuarantinedMessage | None) -> None:
            if message is None:
                self.model.remove_identities([identity])
                self.outcomes.pop(identity, None)
                self._answered(identity, Result.DONE, self._t(bulk_report.DONE_WORDS[action]))
                return
            new_row = session_row(message, session, local_now())
            self.model.replace_row(new_row)
            self.outcomes[identity] = Outcome(self._success_text(action, message),
                                              status=(message.release_status, message.released))
            self.outcome_changed.emit(identity)
            self._answered(identity, Result.DONE, self._done_words(action, new_row))

        def failed(exc: BaseException) -> None:
            msg = user_message(exc, action=str(action))
            self._fail(identity, action, msg.title, msg.text, msg.details_for_it)

        started = self.tasks.run(work, done, failed, key=("action", identity))
        if started is not None:
            self.outcomes.pop(identity, None)
            self.model.set_pending(identity, self._progress(action))
        else:
            self._answered(identity, Result.SKIPPED, self._t(bulk_report.BUSY))

    def _drop_stale_outcomes(self, *args: object) -> None:
        """A refresh showed a newer status (IT approved a request): the old "Release requested…" text
        would contradict it, so it goes; the status line says what is true now."""
        for identity, outcome in list(self.outcomes.items()):
            if outcome.status is None:
                continue
            row = self.model.row_for(identity)
            if row is None or (row.message.release_status, row.message.released) != outcome.status:
                del self.outcomes[identity]
                self.outcome_changed.emit(identity)

    def _fail(self, identity: str, action: Action, title: str, text: str, details: str) -> None:
        self.model.set_error(identity, self.tr("{0} failed").format(self.verb(action)))
        self.outcomes[identity] = Outcome(f"{title}\n{text}", details, action, failed=True)
        self.outcome_changed.emit(identity)
        self._answered(identity, Result.FAILED, f"{title}. {text}", details)

    # --- reporting back after a bulk action -----------------------------------------------------------
    @staticmethod
    def _t(text: str) -> str:
        return QCoreApplication.translate(bulk_report.TRANSLATION_CONTEXT, text)

    def _bulk_report(self, action: Action, rows: list[MessageRow], targets: list[MessageRow]) -> BulkReport:
        report = BulkReport(action)
        session = self._session()
        going = {r.identity for r in targets}
        now = local_now()
        for row in rows:
            label = " — ".join(p for p in (row.cells[1], row.sender_shown or row.cells[0]) if p)
            entry = Entry(row.identity, label)
            if row.identity not in going:
                # Not tried: say why in the decision's own words (the same as the disabled button's).
                why = None
                if row.pending or self.is_busy(row.identity):
                    why = self._t(bulk_report.BUSY)
                elif session is not None:
                    why = session.decision(row.message, now).reason(action)
                entry.result, entry.words = Result.SKIPPED, why or self._t(bulk_report.NOT_AVAILABLE)
            report.entries.append(entry)
        return report

    def _done_words(self, action: Action, row: MessageRow) -> str:
        expected = {Action.RELEASE: "released", Action.REPORT_NOT_JUNK: "released",
                    Action.REQUEST_RELEASE: "requested"}.get(action)
        if expected is None or row.status_key == expected:
            return self._t(bulk_report.DONE_WORDS[action])
        return self.tr("Sent; it now shows: {0}").format(row.cells[5])

    def _answered(self, identity: str, result: Result, words: str, details: str = "") -> None:
        for report in list(self._batches):
            entry = report.entry(identity)
            if entry is None or entry.result is not None:
                continue
            entry.result, entry.words, entry.details_for_it = result, words, details
            if report.finished():
                self._batches.remove(report)
                self._tell(report)

    def _drop_batch(self, targets: list[MessageRow]) -> None:
        """The person said no at the sender warning: nothing was sent, so there is nothing to report."""
        going = {r.identity for r in targets}
        self._batches = [b for b in self._batches
                         if not going & {e.identity for e in b.entries if e.result is None}]

    def _tell(self, report: BulkReport) -> None:
        self.last_bulk = report
        self.results_dialog = self.show_results(self._parent, report)
        self.bulk_finished.emit(report)

    def _success_text(self, action: Action, message: QuarantinedMessage) -> str:
        received = received_text(message.received_time, local_now()) if message.received_time else ""
        status = message.release_status
        if status in (ReleaseStatus.RELEASED, ReleaseStatus.APPROVED) or message.released:
            return self.tr(
                "Released — it is in your Inbox; originally received {0}. Inbox rules may have "
                "moved it to another folder."
            ).format(received)
        if status is ReleaseStatus.PREPARINGTORELEASE:
            return self.tr(
                "Releasing — it should be in your Inbox within a few minutes (originally received {0})."
            ).format(received)
        if status is ReleaseStatus.REQUESTED:
            return self.tr(
                "Release requested — IT has been asked to release it. You'll see their answer here."
            )
        row = self.model.row_for(message.identity)
        return self.tr("Done. The message now shows: {0}").format(row.cells[5] if row else "")

    def retry(self, identity: str) -> None:
        outcome = self.outcomes.get(identity)
        row = self.model.row_for(identity)
        if outcome is None or outcome.action is None or row is None:
            return
        row.error = ""
        self.run(outcome.action, [row], confirmed=True)
