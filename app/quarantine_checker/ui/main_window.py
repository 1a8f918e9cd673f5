"""The main window: first run, sign-in, then the list of held messages with the details pane.

Layout and reactions only. The signed-in account's quarantine is its ``MailboxSession`` (one per account,
shared with the tray checker and the command line): the window shows its listing and follows its changes,
whoever made them. Sign-in is ``SessionFlow``'s, the selection's details and actions the
``DetailsController``'s. All waiting happens through the one ``TaskRunner``; errors become words only
through ``core.messages``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QDialog, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from quarantine_checker import APP_NAME
from quarantine_checker.ui.icons import icon
from quarantine_checker.ui.tasks import TaskRunner
from quarantine_checker.ui.window_parts import starting_shell

# Only what the "Starting…" shell needs is imported here. The pages, the decisions and the sender checks
# are imported by ``complete()`` and the methods that use them, after the window's first paint. That
# includes every module using the ``Qt`` enum namespace: PySide6 builds its Python enums on first import
# (~17 ms), which a bare window never pays (benchmarks/startup.py).
if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

    from quarantine_checker.core.account import UserIdentity
    from quarantine_checker.core.mailbox import Change, ListResult
    from quarantine_checker.core.mailbox_session import MailboxSession
    from quarantine_checker.core.messages import UserMessage
    from quarantine_checker.ui.action_runner import ActionRunner
    from quarantine_checker.ui.details_controller import DetailsController
    from quarantine_checker.ui.listing_rows import Listed
    from quarantine_checker.ui.session_bridge import SessionBridge
    from quarantine_checker.ui.session_flow import SessionFlow
    from quarantine_checker.wiring import Services


# ≤ 720 px high, menu bar included: fits a 1366×768 laptop less a panel and the title bar. The layout is
# checked from 800×560 up (tests/ui/test_window_fits.py); a smaller screen's window manager shrinks it.
DEFAULT_SIZE = (1200, 700)


class MainWindow(QMainWindow):
    refreshed = Signal()  # a listing has been shown, or its failure (tests, benchmarks)
    details_loaded = Signal(str)  # identity whose preview or checks arrived
    signed_in = Signal(object)  # UserIdentity: the tray's background checker starts
    signed_out = Signal()  # the checker pauses

    # Set by the tray controller: called on close; True means "kept running in the tray, don't quit".
    close_to_tray: Callable[[], bool] | None = None
    # Built by complete() (after the first paint).
    flow: SessionFlow
    bridge: SessionBridge
    action_runner: ActionRunner
    details_controller: DetailsController

    def __init__(self, services: Services | None = None, *, tasks: TaskRunner | None = None,
                 demo: bool = False) -> None:
        """``services`` may come later (``set_services``): the window then opens as a light shell saying
        "Starting…", so it is on screen before its pages are built and before the keyring and the
        settings have been read; ``complete()`` builds the pages. ``demo`` is the title's hint until
        then."""
        super().__init__()
        self.services = services
        self.tasks = tasks or TaskRunner(self)
        self.identity: UserIdentity | None = None
        self.last_checked: datetime | None = None
        self.demo = demo
        self._first_selection: str | None = None  # the guide's message to select after the first listing
        self._open_after_refresh: str | None = None
        self._auto_enabled = True
        self.setWindowTitle(self._title())
        self.setWindowIcon(icon("app"))
        self.setAccessibleName(self._title())
        self.resize(*DEFAULT_SIZE)

        self.stack = QStackedWidget(self)
        self._shell = starting_shell(self)
        self.stack.addWidget(self._shell)
        central = QWidget(self)
        self._outer = QVBoxLayout(central)
        self._outer.setContentsMargins(8, 8, 8, 8)
        self._outer.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._complete = False
        if services is not None:
            self.set_services(services)

    def complete(self) -> None:
        """Build the pages behind the "Starting…" shell: the banners, first run, sign-in, the list and the
        details pane, and the session flow. ``set_services`` calls it; ``Startup`` calls it earlier, right
        after the first paint."""
        if self._complete:
            return
        self._complete = True
        from quarantine_checker.ui.action_runner import ActionRunner
        from quarantine_checker.ui.banner import BannerArea
        from quarantine_checker.ui.details_controller import DetailsController
        from quarantine_checker.ui.first_run_view import FirstRunView
        from quarantine_checker.ui.main_page import MainPage
        from quarantine_checker.ui.session_bridge import SessionBridge
        from quarantine_checker.ui.session_flow import SessionFlow, WindowHooks
        from quarantine_checker.ui.sign_in_view import SignInView

        self.banners = BannerArea(self)
        self._outer.insertWidget(0, self.banners)
        self.first_run = FirstRunView(self)
        self.sign_in = SignInView(self)
        self.sign_in.show_starting(self.tr("Starting…"))
        self.main = MainPage(self)
        # The page's parts the window reacts to (and tests and the tray read).
        self.list, self.details, self.check_now = self.main.list, self.main.details, self.main.check_now
        self.account_label, self.last_checked_label = self.main.account_label, self.main.last_checked_label
        self.sign_out_button = self.main.sign_out_button
        self.check_now.clicked.connect(self.refresh)
        self.sign_out_button.clicked.connect(lambda: self.flow.sign_out())
        self.main.history_button.clicked.connect(self.open_history)
        for page in (self.first_run, self.sign_in, self.main):
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(self.sign_in)
        self.stack.removeWidget(self._shell)
        self._shell.deleteLater()

        self.list.model.rows_replaced.connect(self._update_title)
        self.list.model.dataChanged.connect(self._update_title)
        self.bridge = SessionBridge(self)
        self.bridge.changed.connect(self._on_change)
        mailbox = lambda: self.mailbox  # noqa: E731 - the session of the moment, asked for when needed
        self.action_runner = ActionRunner(self.tasks, self.list.model, mailbox, self)
        self.details_controller = DetailsController(
            self.list, self.details, self.action_runner, self.tasks, mailbox, self
        )
        self.details_controller.details_loaded.connect(self.details_loaded)
        hooks = WindowHooks(services=self._services, replace_services=lambda s: setattr(self, "services", s),
                            show_main=self.show_main, show_signed_out=self.show_signed_out,
                            identity=lambda: self.identity)
        self.flow = SessionFlow(self.stack, self.sign_in, self.first_run, self.tasks, hooks, self)

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

    def show_start_failed(self, msg: UserMessage, retry: Callable[[], None]) -> None:
        """``msg``: plain words, and the facts for IT behind a button."""
        from quarantine_checker.ui.banner import BannerKind

        self.complete()
        self.sign_in.show_starting(msg.title, busy=False)
        self.stack.setCurrentWidget(self.sign_in)
        self.banners.show_banner("start", BannerKind.ERROR, msg.title, msg.text, details=msg.details_for_it,
                                 retry=retry)

    def set_services(self, services: Services) -> None:
        """The built ``wiring.Services`` (settings, keyring status, sign-in). Call ``start()`` next."""
        from quarantine_checker.ui.static_banners import show_static_banners

        self.complete()
        self.services = services
        self.banners.hide_banner("start")
        self.demo = bool(getattr(services.config, "demo", False))
        guide = services.guide
        self._first_selection = guide.first_selection() if guide is not None else None
        self.setWindowTitle(self._title())
        self.setAccessibleName(self._title())
        minutes = int(getattr(services.config, "check_interval_minutes", 15) or 15)
        self._auto.setInterval(max(1, minutes) * 60_000)
        show_static_banners(self.banners, services, demo=self.demo)
        road_reason = getattr(services.config, "road_reason", None)
        self.first_run.set_road(road_reason() if callable(road_reason) else "")
        from quarantine_checker.ui.demo_menu import install_demo_menu

        install_demo_menu(self, services, self.tasks)  # only the in-process demo has one

    def open_history(self) -> QDialog:
        from quarantine_checker.ui.history_view import open_history

        self.history_dialog = open_history(self.services, self.tasks, self)
        return self.history_dialog

    def _services(self) -> Services:
        assert self.services is not None, "the session flow runs only once the services are set"
        return self.services

    # --- layout -------------------------------------------------
    def _title(self) -> str:
        name = self.tr("{0} — DEMO").format(APP_NAME) if self.demo else APP_NAME
        if getattr(self, "_complete", False) and self.identity is not None and self.list.is_loaded():
            from quarantine_checker.ui.list_view import waiting_text

            # The same count as the status line and the tray (core/waiting.py).
            return self.tr("{0} — {1}").format(name, waiting_text(self.list.model.waiting_count()))
        return name

    def _update_title(self, *args: object) -> None:
        title = self._title()
        if title != self.windowTitle():  # a row's progress text changes often; the title rarely
            self.setWindowTitle(title)
            self.setAccessibleName(title)

    def _build_shortcuts(self) -> None:
        from quarantine_checker.core.decision import Action
        from quarantine_checker.ui.window_parts import install_shortcuts

        lv, dc = self.list, self.details_controller
        install_shortcuts(self, lv.search, lv.table, self.details, focus_search=lv.focus_search,
                          clear_search=lv.search.clear, refresh=self.refresh, primary=dc.primary_action,
                          delete=lambda: dc.run_action(Action.DELETE))

    # --- the account's quarantine ---------------------------------------------------------------------
    @property
    def mailbox(self) -> MailboxSession | None:
        """The signed-in account's session while the list shows it (shared with the tray and the CLI)."""
        return self.bridge.session if self._complete else None

    def selected_sender(self) -> str:
        """The sender of the one selected message, or "" (the settings dialog mutes it)."""
        rows = self.list.selected_rows() if self.identity is not None else []
        return rows[0].message.sender_address if len(rows) == 1 else ""

    # --- signed in / out (called by SessionFlow) ------------------------------------------------------------
    def show_main(self, identity: UserIdentity) -> None:
        from quarantine_checker.ui.plain_text import set_plain

        self.identity = identity
        self.bridge.attach(self._services().mailbox_session())
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
        if self._auto_enabled:
            self._auto.start()
        self.signed_in.emit(identity)

    def show_signed_out(self) -> None:
        self.identity = None
        self.bridge.detach()
        if self.services is not None:
            self.services.end_session()
        self._auto.stop()
        self.last_checked = None
        self.list.forget()
        self._update_title()
        for key in ("offline", "service"):
            self.banners.hide_banner(key)
        self.signed_out.emit()

    def set_auto_refresh(self, enabled: bool) -> None:
        """The tray's background checker does the periodic checking; the window then only refreshes
        when asked (and shows what the checker's listings found, through the shared session)."""
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
        mailbox = self.mailbox
        if self.identity is None or mailbox is None or self.tasks.is_running("refresh"):
            return
        self.list.show_loading()
        self.check_now.setEnabled(False)
        self.check_now.setText(self.tr("Checking…"))
        self._show_listing(lambda: mailbox.refresh(), self._refresh_failed)

    def _show_listing(self, listing: Callable[[], ListResult | None],
                      failed: Callable[[BaseException], None]) -> None:
        """``listing`` on the worker (a full listing, or None: what the session holds now), then its rows."""
        from quarantine_checker.ui.listing_rows import read_listing_rows

        mailbox = self.mailbox
        assert mailbox is not None
        order, pause = self.list.model.sort_state(), self.tasks.pacer()  # the model is the UI thread's
        self.tasks.run(lambda: read_listing_rows(listing, mailbox, pause, order), self._refreshed, failed,
                       key="refresh")

    def _refreshed(self, payload: Listed) -> None:
        from quarantine_checker.ui.static_banners import show_listing_shown

        _result, rows, now = payload
        selected = [r.identity for r in self.list.selected_rows()]
        self.list.set_rows(rows)
        if selected:
            self.list.select_identities(selected)
        self.last_checked = now
        self._refresh_done()
        listing = self.mailbox.listing if self.mailbox is not None else None
        show_listing_shown(self.banners, truncated=listing is not None and listing.truncated)
        wanted, self._open_after_refresh = self._open_after_refresh, None
        first, self._first_selection = self._first_selection, None  # the guide's pick: once
        target = next((i for i in (wanted, first) if i and self.list.model.row_for(i) is not None), None)
        if target is not None:
            self.list.clear_filters()
            self.list.select_identities([target])
        elif not selected and self.list.model.rowCount():
            self.list.select_first()
        self.refreshed.emit()

    def _refresh_failed(self, exc: BaseException) -> None:
        from quarantine_checker.core import errors
        from quarantine_checker.ui.static_banners import show_listing_failed

        self._refresh_done()
        if isinstance(exc, errors.NoDirectAccessError):  # only IT can change this: no banner with Retry
            self.flow.show_road_closed(exc)
        else:
            msg = show_listing_failed(self.banners, exc, self.refresh)
            if isinstance(exc, errors.AuthenticationError):
                self.flow.need_sign_in(msg)
            self.list.show_not_checked()
        self.refreshed.emit()

    def _refresh_done(self) -> None:
        self.check_now.setEnabled(True)
        self.check_now.setText(self.tr("Check now"))
        self._update_last_checked()

    def _update_last_checked(self) -> None:
        from quarantine_checker.ui.plain_text import set_plain
        from quarantine_checker.ui.row_view import local_now
        from quarantine_checker.ui.window_parts import last_checked_text

        set_plain(self.last_checked_label, last_checked_text(self.last_checked, local_now()))

    # --- what others did to the shared session -----------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        """A listing, a re-read or a delete, made by anyone (the tray's checker, an action, this window)."""
        from quarantine_checker.ui.row_view import local_now
        from quarantine_checker.ui.window_parts import follow_change

        mailbox = self.mailbox
        if self.identity is None or mailbox is None or self.tasks.is_running("refresh"):
            return  # the refresh on its way shows the session's state when it lands
        if follow_change(self.list.model, change, mailbox, local_now()):
            # A listing the window did not ask for (the tray's check): shown, without a request of its own.
            self._show_listing(lambda: None, lambda exc: None)
        elif change.listing is not None:  # the tray's check, taken in row by row: the list is as new
            self.last_checked = local_now()
            self._update_last_checked()
            self.refreshed.emit()

    # --- lifecycle -------------------------------------------------
    def start(self) -> None:
        self.flow.start()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.close_to_tray is not None and self.close_to_tray():
            event.ignore()
            self.hide()
            return
        if self._complete:
            self.flow.cancel()
        self.tasks.cancel_all()
        super().closeEvent(event)
