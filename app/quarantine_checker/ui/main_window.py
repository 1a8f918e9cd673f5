"""The main window: first run, sign-in, then the list of held messages with the details pane.

All waiting (sign-in, refresh, details, actions) happens through the one ``TaskRunner``; this class
only reacts to results on the UI thread. Errors become words only through ``core.messages``.
"""

from __future__ import annotations

import gc
import importlib.util
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from quarantine_checker import APP_NAME
from quarantine_checker.ui.icons import icon
from quarantine_checker.ui.tasks import TaskRunner

# Only what the "Starting…" shell needs is imported here. The pages, the decisions and the sender checks
# are imported by ``complete()`` and the methods that use them, after the window's first paint. That
# includes every module using the ``Qt`` enum namespace: PySide6 builds its Python enums on first import
# (~17 ms), which a bare window never pays (benchmarks/startup.py).
if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

    from quarantine_checker.core.decision import Action
    from quarantine_checker.ui.action_bar import ActionBarState, ButtonState
    from quarantine_checker.ui.message_model import MessageRow


def build_rows(*args: Any, **kwargs: Any) -> list[MessageRow]:
    """``row_view.build_rows``, imported on first use (a refresh runs only after the first paint)."""
    from quarantine_checker.ui.row_view import build_rows as build

    return build(*args, **kwargs)


DETAILS_DELAY_MS = 150  # wait for the selection to settle (arrow-key scrolling) before asking the service


class MainWindow(QMainWindow):
    refreshed = Signal()  # a refresh result has been shown (tests, benchmarks)
    details_loaded = Signal(str)  # identity whose preview or checks arrived
    signed_in = Signal(object)  # UserIdentity: the tray's background checker starts
    signed_out = Signal()  # the checker pauses
    listing_shown = Signal(list)  # the messages of a full listing the window just showed

    # Set by the tray controller: called on close; True means "kept running in the tray, don't quit".
    close_to_tray: Any = None

    def __init__(self, services: Any = None, *, tasks: TaskRunner | None = None, demo: bool = False) -> None:
        """``services`` may come later (``set_services``): the window then opens as a light shell saying
        "Starting…", so it is on screen before its pages are built and before the keyring and the
        settings have been read; ``complete()`` builds the pages. ``demo`` is the title's hint until
        then."""
        super().__init__()
        self.services = services
        self.tasks = tasks or TaskRunner(self)
        self.identity: Any = None
        self._client: Any = None
        self._client_lock = threading.Lock()
        self.last_checked: datetime | None = None
        self.previews: dict[str, Any] = {}
        self.demo = demo
        self._guide_to_invoice = False  # demo: select the story's held invoice after the first listing
        self._open_after_refresh: str | None = None  # a message asked for before the listing had it
        self.setWindowTitle(self._title())
        self.setWindowIcon(icon("app"))
        self.setAccessibleName(self._title())
        self.resize(1200, 760)

        self.stack = QStackedWidget(self)
        self._shell = self._starting_shell()
        self.stack.addWidget(self._shell)
        central = QWidget(self)
        self._outer = QVBoxLayout(central)
        self._outer.setContentsMargins(8, 8, 8, 8)
        self._outer.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._complete = False
        if services is not None:
            self.set_services(services)

    def _starting_shell(self) -> QWidget:
        # A fixed, translated text (no message data), centred by stretches rather than Qt.AlignmentFlag.
        page = QWidget(self)
        text = QLabel(self.tr("Starting…"), page)
        text.setAccessibleName(self.tr("Starting…"))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(text)
        row.addStretch(1)
        column = QVBoxLayout(page)
        column.addStretch(1)
        column.addLayout(row)
        column.addStretch(1)
        return page

    def complete(self) -> None:
        """Build the pages behind the "Starting…" shell: the banners, first run, sign-in, the list and the
        details pane, and the session flow. ``set_services`` calls it; ``Startup`` calls it earlier, right
        after the first paint."""
        if self._complete:
            return
        self._complete = True
        from quarantine_checker.ui.action_runner import ActionRunner
        from quarantine_checker.ui.banner import BannerArea
        from quarantine_checker.ui.first_run_view import FirstRunView
        from quarantine_checker.ui.session_flow import SessionFlow
        from quarantine_checker.ui.sign_in_view import SignInView

        self.banners = BannerArea(self)
        self._outer.insertWidget(0, self.banners)
        self.first_run = FirstRunView(self)
        self.sign_in = SignInView(self)
        self.sign_in.show_starting(self.tr("Starting…"))
        self.main = QWidget(self)
        for page in (self.first_run, self.sign_in, self.main):
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(self.sign_in)
        self.stack.removeWidget(self._shell)
        self._shell.deleteLater()
        self._build_main_page()

        self.action_runner = ActionRunner(
            self.tasks, self.list.model, self.client, self, own_domains=self._own_domains
        )
        self.action_runner.outcome_changed.connect(self._on_outcome)
        self.action_runner.report_loaded.connect(self._on_report_loaded)
        self.session = SessionFlow(self)

        self._details_timer = QTimer(self)
        self._details_timer.setSingleShot(True)
        self._details_timer.setInterval(DETAILS_DELAY_MS)
        self._details_timer.timeout.connect(self._load_details)
        self._clock = QTimer(self)
        self._clock.setInterval(20_000)
        self._clock.timeout.connect(self._update_last_checked)
        self._clock.start()
        self._auto = QTimer(self)
        self._auto.timeout.connect(self.refresh)
        self._build_shortcuts()
        from quarantine_checker.ui.help_menu import build_help_menu
        from quarantine_checker.ui.keyboard_order import keep_tab_order

        self.menus = build_help_menu(self)  # File (settings, pause) and Help: GNOME shows no tray menu
        keep_tab_order(self)

    # --- start-up: the window first, the parts behind it when they are ready -----------------------------
    def show_starting(self) -> None:
        self.complete()
        self.banners.hide_banner("start")
        self.sign_in.show_starting(self.tr("Starting…"))
        self.stack.setCurrentWidget(self.sign_in)

    def show_start_failed(self, msg: Any, retry: Any) -> None:
        """``msg`` is a core.messages.UserMessage: plain words, and the facts for IT behind a button."""
        from quarantine_checker.ui.banner import BannerKind

        self.complete()
        self.sign_in.show_starting(msg.title, busy=False)
        self.stack.setCurrentWidget(self.sign_in)
        self.banners.show_banner(
            "start", BannerKind.ERROR, msg.title, msg.text, details=msg.details_for_it, retry=retry
        )

    def set_services(self, services: Any) -> None:
        """The built ``wiring.Services`` (settings, keyring status, sign-in). Call ``start()`` next."""
        self.complete()
        self.services = services
        self.banners.hide_banner("start")
        self.demo = bool(getattr(services.config, "demo", False))
        self._guide_to_invoice = self.demo
        self.setWindowTitle(self._title())
        self.setAccessibleName(self._title())
        minutes = int(getattr(services.config, "check_interval_minutes", 15) or 15)
        self._auto.setInterval(max(1, minutes) * 60_000)
        self._show_static_banners()

    # --- layout -------------------------------------------------
    def _title(self) -> str:
        return self.tr("{0} — DEMO").format(APP_NAME) if self.demo else APP_NAME

    def _build_main_page(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QPushButton, QSplitter

        from quarantine_checker.core.decision import Action
        from quarantine_checker.ui.details_pane import DetailsPane
        from quarantine_checker.ui.list_view import MessageListView
        from quarantine_checker.ui.plain_text import plain_label

        self.account_label = plain_label(
            "", self.main, wrap=False, accessible_name=self.tr("Signed-in account")
        )
        self.last_checked_label = plain_label(
            "",
            self.main,
            selectable=False,
            wrap=False,
            accessible_name=self.tr("When the quarantine was last checked"),
        )
        self.check_now = QPushButton(icon("refresh"), self.tr("Check now"), self.main)
        self.check_now.setAccessibleName(self.tr("Check now"))
        self.check_now.setAutoDefault(False)
        self.check_now.clicked.connect(self.refresh)
        self.sign_out_button = QPushButton(self.tr("Sign out"), self.main)
        self.sign_out_button.setAccessibleName(self.tr("Sign out"))
        self.sign_out_button.setAutoDefault(False)
        self.sign_out_button.clicked.connect(lambda: self.session.sign_out())
        header = QHBoxLayout()
        header.addWidget(self.account_label, 1)
        header.addWidget(self.last_checked_label)
        header.addWidget(self.check_now)
        header.addWidget(self.sign_out_button)

        self.list: MessageListView = MessageListView(self.main)
        self.details: DetailsPane = DetailsPane(self.main)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self.main)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([690, 510])

        layout = QVBoxLayout(self.main)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.splitter, 1)

        self.list.selection_changed.connect(self._on_selection)
        self.list.model.dataChanged.connect(self._on_rows_changed)
        self.list.model.rows_replaced.connect(self._on_selection)
        d = self.details
        d.action_bar.primary_clicked.connect(self.primary_action)
        d.action_bar.delete_clicked.connect(lambda: self.run_action(Action.DELETE))
        d.action_bar.not_junk_clicked.connect(lambda: self.run_action(Action.REPORT_NOT_JUNK))
        d.action_bar.headers_clicked.connect(self.show_headers)
        d.retry_clicked.connect(self._retry)
        d.same_sender_clicked.connect(self.select_same_sender)
        self.setTabOrder(self.list.search, self.list.table)
        self.setTabOrder(self.list.table, d.action_bar.primary)

    def _build_shortcuts(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QAction, QKeySequence, QShortcut

        from quarantine_checker.core.decision import Action

        find = QAction(self.tr("Search"), self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.list.focus_search)
        self.addAction(find)
        refresh = QAction(self.tr("Check now"), self)
        refresh.setShortcuts([QKeySequence(QKeySequence.StandardKey.Refresh), QKeySequence("Ctrl+R")])
        refresh.triggered.connect(self.refresh)
        self.addAction(refresh)
        # Enter/Return on the list or the details pane = the primary action; Delete = delete (confirmed).
        for widget in (self.list.table, self.details):
            for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                sc = QShortcut(QKeySequence(key), widget)
                sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                sc.activated.connect(self.primary_action)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list.table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(lambda: self.run_action(Action.DELETE))
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.list.search)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self.list.search.clear)

    def _show_static_banners(self) -> None:
        from quarantine_checker.ui.banner import BannerKind

        if self.demo:
            # The demo keeps nothing on purpose; its banner says so instead of a keyring warning.
            text = self.tr(
                "This window shows a made-up organisation (Northwind) and its mail. Nothing here is "
                "real, and nothing you do here touches real mail."
            )
            story = importlib.util.find_spec("quarantine_checker.demo.seed") is not None
            if story:
                from quarantine_checker.demo.seed import INVOICE_SENDER

                # A new user should find the story without reading docs: name the one message to try.
                text += " " + self.tr(
                    "Try it: the invoice from {0} was held by mistake — Request release asks IT to let it "
                    "through."
                ).format(INVOICE_SENDER)
            self.banners.show_banner("demo", BannerKind.DEMO, self.tr("DEMO — practice mailbox"), text)
            if not story:
                # Say plainly what is missing rather than let an empty demo look like "all clear".
                self.banners.show_banner(
                    "demo-story",
                    BannerKind.INFO,
                    self.tr("The demo story isn't built yet"),
                    self.tr(
                        "This version of the demo starts with an empty quarantine: the sample incident "
                        "mail (the held invoice, contract and payment confirmation) has not been added yet."
                    ),
                )
            return
        storage = getattr(self.services, "storage_status", None)
        if storage is not None and not getattr(storage, "available", True):
            self.banners.show_banner(
                "keyring",
                BannerKind.WARNING,
                self.tr("Your sign-in won't be remembered"),
                self.tr(
                    "This computer's password store (keyring) isn't available, so you will need to sign "
                    "in again each time you open the app. Nothing was saved unprotected."
                ),
                details=str(getattr(storage, "reason", "") or ""),
            )
        cache = getattr(self.services, "cache_status", None)
        if (
            cache is not None
            and not getattr(cache, "persistent", True)
            and storage is not None
            and getattr(storage, "available", True)
        ):
            self.banners.show_banner(
                "cache",
                BannerKind.WARNING,
                self.tr("Your sign-in won't be remembered"),
                str(getattr(cache, "message", "") or ""),
            )

    # --- the Exchange client (one per signed-in identity, shared by all tasks) -------------------------
    def client(self) -> Any:
        with self._client_lock:
            if self._client is None:
                self._client = self.services.exchange_client()
            return self._client

    def _own_domains(self) -> list[str]:
        ident = self.identity
        if ident is None:
            return []
        return sorted({a.rsplit("@", 1)[-1] for a in (*ident.addresses, ident.upn) if "@" in a})

    # --- signed in / out (called by SessionFlow) ------------------------------------------------------------
    def show_main(self, identity: Any) -> None:
        from quarantine_checker.ui.plain_text import set_plain

        self.identity = identity
        with self._client_lock:
            self._client = None
        name = identity.display_name or identity.upn
        set_plain(
            self.account_label,
            self.tr("Signed in as {0} ({1})").format(name, identity.upn)
            if identity.display_name
            else self.tr("Signed in as {0}").format(identity.upn),
            single_line=True,
        )
        self.stack.setCurrentWidget(self.main)
        self.refresh()
        # After refresh(): its "Checking…" page hides the table, and a hidden focus widget hands the
        # keyboard to the next button in line ("Sign out", which Space would then press).
        self.list.focus_list()
        if getattr(self, "_auto_enabled", True):
            self._auto.start()
        self.signed_in.emit(identity)

    def show_signed_out(self) -> None:
        self.identity = None
        with self._client_lock:
            self._client = None
        self._auto.stop()
        self.last_checked = None
        self.list.model.set_rows([])
        self.list._loaded = False
        self.previews.clear()
        self.action_runner.reports.clear()
        self.action_runner.headers.clear()
        for key in ("offline", "service"):
            self.banners.hide_banner(key)
        self.signed_out.emit()

    def set_auto_refresh(self, enabled: bool) -> None:
        """The tray's background checker does the periodic checking; the window then only refreshes
        when asked (or when the checker found news)."""
        if enabled and self.identity is not None:
            self._auto.start()
        elif not enabled:
            self._auto.stop()
        self._auto_enabled = enabled

    def open_message(self, identity: str) -> None:
        """Show ``identity`` in the list and details (a notification or tray menu click)."""
        if not identity:
            return
        if self.list.model.row_for(identity) is not None:
            self.list.clear_filters()
            self.list.select_identities([identity])
            return
        self._open_after_refresh = identity
        self.refresh()

    # --- refresh -------------------------------------------------
    def refresh(self) -> None:
        from quarantine_checker.ui.row_view import local_now

        if self.identity is None or self.tasks.is_running("refresh"):
            return
        self.list.show_loading()
        self.check_now.setEnabled(False)
        self.check_now.setText(self.tr("Checking…"))
        client = self.client
        names = dict(self.action_runner.sender_names)
        tasks = self.tasks

        def work() -> tuple[Any, list[MessageRow], datetime]:
            now = local_now()
            result = client().list_messages()
            # The cyclic GC would otherwise walk every message and row ever loaded, holding the GIL (and
            # so the UI thread) for 100+ ms per full pass at 100k messages. Rows and messages are plain
            # acyclic data freed by reference counting, so exempting what exists now loses nothing.
            gc.freeze()
            # Paced: 10k rows are ~100 ms of pure Python holding the GIL, and a repaint that starts
            # meanwhile (a scroll, a keystroke) needs the GIL for every cell; unpaced it waits it out.
            rows = build_rows(result.messages, now, names, pause=tasks.pacer(),
                              conflicting=getattr(result, "conflicting", frozenset()))
            gc.freeze()
            return result, rows, now

        self.tasks.run(work, self._refreshed, self._refresh_failed, key="refresh")

    def _refreshed(self, payload: tuple[Any, list[MessageRow], datetime]) -> None:
        from quarantine_checker.ui.banner import BannerKind

        result, rows, now = payload
        selected = [r.identity for r in self.list.selected_rows()]
        self.list.set_rows(rows)
        if selected:
            self.list.select_identities(selected)
        self.last_checked = now
        self._refresh_done()
        for key in ("offline", "service"):
            self.banners.hide_banner(key)
        if getattr(result, "truncated", False):
            self.banners.show_banner(
                "truncated",
                BannerKind.INFO,
                self.tr("Some older messages may be missing"),
                self.tr(
                    "You have more held mail than we could fetch in one go. The newest messages are shown."
                ),
            )
        else:
            self.banners.hide_banner("truncated")
        pending_open = getattr(self, "_open_after_refresh", None)
        self._open_after_refresh = None
        if pending_open and self.list.model.row_for(pending_open) is not None:
            self.list.clear_filters()
            self.list.select_identities([pending_open])
        elif self._guide_to_invoice and self._select_demo_invoice():
            pass
        elif not selected and rows:
            self.list.select_first()
        self._guide_to_invoice = False
        self.listing_shown.emit(list(result.messages))
        self.refreshed.emit()

    def _select_demo_invoice(self) -> bool:
        """Demo only, once: the list is newest first, so the story's held invoice sits under newer spam.
        Selecting it puts why it was held, the sender checks and "Request release" on screen."""
        try:
            from quarantine_checker.demo.seed import INVOICE_IDENTITY
        except ImportError:  # a build without the demo story
            return False
        if self.list.model.row_for(INVOICE_IDENTITY) is None:
            return False
        self.list.clear_filters()
        return self.list.select_identities([INVOICE_IDENTITY]) == 1

    def _refresh_failed(self, exc: BaseException) -> None:
        from quarantine_checker.core import errors
        from quarantine_checker.core.messages import user_message
        from quarantine_checker.ui.banner import BannerKind

        self._refresh_done()
        if isinstance(exc, errors.NoDirectAccessError):  # only IT can change this: no banner with Retry
            self.session.show_road_closed(exc)
            self.refreshed.emit()
            return
        msg = user_message(exc, action="refresh")
        key = "offline" if isinstance(exc, errors.NetworkError) else "service"
        self.banners.show_banner(
            key, BannerKind.ERROR, msg.title, msg.text, details=msg.details_for_it, retry=self.refresh
        )
        if isinstance(exc, errors.AuthenticationError):
            self.session.need_sign_in(msg)
        self.list.show_not_checked()
        self.refreshed.emit()

    def _refresh_done(self) -> None:
        self.check_now.setEnabled(True)
        self.check_now.setText(self.tr("Check now"))
        self._update_last_checked()

    def _update_last_checked(self) -> None:
        from quarantine_checker.ui.plain_text import set_plain
        from quarantine_checker.ui.row_view import local_now

        if self.last_checked is None:
            set_plain(self.last_checked_label, self.tr("Not checked yet"))
            return
        minutes = int((local_now() - self.last_checked).total_seconds() // 60)
        if minutes < 1:
            text = self.tr("Last checked just now")
        elif minutes == 1:
            text = self.tr("Last checked 1 minute ago")
        elif minutes < 60:
            text = self.tr("Last checked {0} minutes ago").format(minutes)
        else:
            text = self.tr("Last checked at {0:%H:%M}").format(self.last_checked)
        set_plain(self.last_checked_label, text)

    # --- selection and details -------------------------------------------------
    def _on_selection(self) -> None:
        from quarantine_checker.ui.action_bar import ActionBarState
        from quarantine_checker.ui.row_view import local_now

        rows = self.list.selected_rows()
        now = local_now()
        if not rows:
            if self.list.model.rowCount() == 0:
                self.details.show_nothing(self.tr("Nothing is being held for you."))
            else:
                self.details.show_nothing(
                    self.tr("Select a message to see why it was held and what you can do.")
                )
            self.details.action_bar.set_state(ActionBarState())
            return
        if len(rows) > 1:
            self.details.show_many(len(rows))
        else:
            row = rows[0]
            same = self.list.model.sender_count(row.message.sender_address)
            self.details.show_row(row, now, same)
            self._show_cached_details(row)
            self._show_outcome(row.identity)
            self._details_timer.start()
        self.details.action_bar.set_state(self.action_state(rows, now))

    def _on_rows_changed(self, *args: Any) -> None:
        from quarantine_checker.ui.row_view import local_now

        rows = self.list.selected_rows()
        if len(rows) == 1:
            same = self.list.model.sender_count(rows[0].message.sender_address)
            self.details.show_row(rows[0], local_now(), same)
            self._show_outcome(rows[0].identity)
        if rows:
            self.details.action_bar.set_state(self.action_state(rows, local_now()))

    def _show_cached_details(self, row: MessageRow) -> None:
        from quarantine_checker.core.decision import Action, decide
        from quarantine_checker.ui.row_view import local_now

        report = self.action_runner.reports.get(row.identity)
        if report is not None:
            self.details.set_sender_report(report)
        preview = self.previews.get(row.identity)
        if preview is not None:
            self.details.set_preview(preview)
        elif not decide(row.message, local_now()).is_available(Action.PREVIEW):
            self.details.set_preview_unavailable(
                decide(row.message, local_now()).reason(Action.PREVIEW) or ""
            )

    def _load_details(self) -> None:
        from quarantine_checker.core.decision import Action, decide
        from quarantine_checker.core.messages import user_message
        from quarantine_checker.core.sender_checks import analyse_headers
        from quarantine_checker.ui.row_view import local_now

        rows = self.list.selected_rows()
        if len(rows) != 1:
            return
        row = rows[0]
        ident, sender = row.identity, row.message.sender_address
        client, own = self.client, self._own_domains()
        if ident not in self.action_runner.reports:

            def checks() -> tuple[str, Any]:
                text = client().headers(ident)
                return text, analyse_headers(text, sender, own_domains=own)

            def checks_done(found: tuple[str, Any]) -> None:
                self.action_runner.headers[ident], self.action_runner.reports[ident] = found
                self._on_report_loaded(ident)

            def checks_failed(exc: BaseException) -> None:
                msg = user_message(exc, action=str(Action.VIEW_HEADERS))
                if self._selected_identity() == ident:
                    self.details.set_checks_unavailable(
                        self.tr("The sender could not be checked: {0}").format(msg.title)
                    )

            self.tasks.run(checks, checks_done, checks_failed, key=("headers", ident))
        if ident not in self.previews and decide(row.message, local_now()).is_available(Action.PREVIEW):

            def preview_done(preview: Any) -> None:
                self.previews[ident] = preview
                if self._selected_identity() == ident:
                    self.details.set_preview(preview)
                self.details_loaded.emit(ident)

            def preview_failed(exc: BaseException) -> None:
                msg = user_message(exc, action=str(Action.PREVIEW))
                if self._selected_identity() == ident:
                    self.details.set_preview_unavailable(f"{msg.title}\n{msg.text}")

            self.tasks.run(
                lambda: client().preview(ident), preview_done, preview_failed, key=("preview", ident)
            )

    def _on_report_loaded(self, ident: str) -> None:
        from quarantine_checker.ui.row_view import build_row, local_now

        report = self.action_runner.reports.get(ident)
        if report is None:
            return
        if report.display_name:
            self.action_runner.sender_names[ident] = report.display_name
            row = self.list.model.row_for(ident)
            if row is not None and not row.cells[0].startswith(report.display_name):
                fresh = build_row(row.message, local_now(), sender_name=report.display_name)
                fresh.pending, fresh.error = row.pending, row.error
                self.list.model.replace_row(fresh)
        if self._selected_identity() == ident:
            self.details.set_sender_report(report)
        self.details_loaded.emit(ident)

    def _selected_identity(self) -> str | None:
        rows = self.list.selected_rows()
        return rows[0].identity if len(rows) == 1 else None

    # --- actions -------------------------------------------------
    def action_state(self, rows: list[MessageRow], now: datetime) -> ActionBarState:
        from quarantine_checker.core.decision import NOT_JUNK_TYPES, Action, decide, release_action
        from quarantine_checker.ui.action_bar import ActionBarState, ButtonState

        busy = [r for r in rows if r.pending or self.action_runner.is_busy(r.identity)]
        if len(rows) == 1:
            row = rows[0]
            d = decide(row.message, now)
            # With no allowed release, still show the button the policy would give, greyed out with why.
            primary_action = d.primary or release_action(row.message) or Action.RELEASE
            primary = self._button(primary_action, d, busy=bool(busy))
            delete = self._button(Action.DELETE, d, busy=bool(busy))
            not_junk = self._button(Action.REPORT_NOT_JUNK, d, busy=bool(busy))
            # "Report as not junk" only exists for spam; elsewhere it would be noise.
            not_junk.visible = row.message.quarantine_type in NOT_JUNK_TYPES
            headers = ButtonState(self.tr("View headers"), True, icon="headers")
            return ActionBarState(primary, delete, not_junk, headers)
        # Several rows: a button works if it works for at least one of them.
        decisions = [decide(r.message, now) for r in rows]
        releasable = sum(d.is_available(Action.RELEASE) for d in decisions)
        requestable = sum(d.is_available(Action.REQUEST_RELEASE) for d in decisions)
        deletable = sum(d.is_available(Action.DELETE) for d in decisions)
        junkable = sum(d.is_available(Action.REPORT_NOT_JUNK) for d in decisions)
        act = Action.RELEASE if releasable >= requestable and releasable else Action.REQUEST_RELEASE
        n = releasable if act is Action.RELEASE else requestable
        none_reason = self.tr("None of the selected messages can get this action.")
        primary = ButtonState(
            self.action_runner.verb(act, max(n, 2)) if n else self.action_runner.verb(act),
            n > 0,
            "" if n else none_reason,
            icon="release" if act is Action.RELEASE else "request-release",
        )
        delete = ButtonState(
            self.action_runner.verb(Action.DELETE, max(deletable, 2))
            if deletable
            else self.action_runner.verb(Action.DELETE),
            deletable > 0,
            none_reason,
        )
        not_junk = ButtonState(
            self.action_runner.verb(Action.REPORT_NOT_JUNK, max(junkable, 2)),
            junkable > 0,
            none_reason,
            visible=junkable > 0,
        )
        headers = ButtonState(
            self.tr("View headers"), False, self.tr("Select a single message to see its headers.")
        )
        return ActionBarState(primary, delete, not_junk, headers)

    def _button(self, action: Action, d: Any, *, busy: bool) -> ButtonState:
        from quarantine_checker.core.decision import Action
        from quarantine_checker.ui.action_bar import ButtonState

        icons = {
            Action.RELEASE: "release",
            Action.REQUEST_RELEASE: "request-release",
            Action.DELETE: "delete",
            Action.REPORT_NOT_JUNK: "not-junk",
        }
        text = self.action_runner.verb(action)
        if busy:
            return ButtonState(text, False, self.tr("Working on it…"), icon=icons[action])
        if d.is_available(action):
            return ButtonState(text, True, icon=icons[action])
        return ButtonState(text, False, d.reason(action) or "", icon=icons[action])

    def primary_action(self) -> None:
        from quarantine_checker.core.decision import Action, decide
        from quarantine_checker.ui.row_view import local_now

        rows = self.list.selected_rows()
        if not rows:
            return
        now = local_now()
        if len(rows) == 1:
            action = decide(rows[0].message, now).primary
            if action is None:
                return
        else:
            releasable = len(self.action_runner.eligible(Action.RELEASE, rows, now))
            requestable = len(self.action_runner.eligible(Action.REQUEST_RELEASE, rows, now))
            action = Action.RELEASE if releasable >= requestable and releasable else Action.REQUEST_RELEASE
        self.run_action(action)

    def run_action(self, action: Action) -> None:
        from quarantine_checker.ui.row_view import local_now

        rows = self.list.selected_rows()
        if rows:
            self.action_runner.run(action, rows)
            self.details.action_bar.set_state(self.action_state(self.list.selected_rows(), local_now()))

    def _retry(self) -> None:
        ident = self._selected_identity()
        if ident:
            self.details.hide_note()
            self.action_runner.retry(ident)

    def _on_outcome(self, ident: str) -> None:
        if self._selected_identity() == ident:
            self._show_outcome(ident)

    def _show_outcome(self, ident: str) -> None:
        outcome = self.action_runner.outcomes.get(ident)
        if outcome is None:
            self.details.hide_note()
        else:
            self.details.show_note(outcome.text, details=outcome.details, retry=outcome.failed)

    def select_same_sender(self) -> None:
        rows = self.list.selected_rows()
        if len(rows) != 1:
            return
        sender = rows[0].message.sender_address.lower()
        same = [r.identity for r in self.list.model.rows() if r.message.sender_address.lower() == sender]
        self.list.clear_filters()
        self.list.select_identities(same)

    def show_headers(self) -> None:
        from quarantine_checker.core.decision import Action
        from quarantine_checker.core.messages import user_message
        from quarantine_checker.ui import dialogs

        ident = self._selected_identity()
        if ident is None:
            return
        row = self.list.model.row_for(ident)
        subject = row.message.subject if row else ""
        if ident in self.action_runner.headers:
            dialogs.HeadersDialog(self, subject, self.action_runner.headers[ident]).open()
            return
        client = self.client

        def shown(text: str) -> None:
            self.action_runner.headers[ident] = text
            dialogs.HeadersDialog(self, subject, text).open()

        def failed(exc: BaseException) -> None:
            msg = user_message(exc, action=str(Action.VIEW_HEADERS))
            dialogs.ErrorDialog(self, msg.title, msg.text, msg.details_for_it).open()

        self.tasks.run(lambda: client().headers(ident), shown, failed, key=("headers-dialog", ident))

    # --- lifecycle -------------------------------------------------
    def start(self) -> None:
        self.session.start()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.close_to_tray is not None and self.close_to_tray():
            event.ignore()
            self.hide()
            return
        if self._complete:
            self.session.cancel()
        self.tasks.cancel_all()
        super().closeEvent(event)
