"""Signing in and out from the window: first run, silent restore, browser sign-in with Cancel, sign-out.

``AuthSession`` is synchronous and may block for minutes (the user is in the browser), so every call
goes through the window's TaskRunner; Cancel sets the event the session watches.

After every sign-in the capability probe asks once whether the direct road to quarantine is open
(exchange/direct_road.py). If not, the road-closed page says so; it is never a reason to sign in again.

It is given what it works with (the pages, the sign-in and first-run views, the task runner, the
services) and tells the window what happened through ``WindowHooks``; it never reaches into the window.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QStackedWidget, QWidget

from quarantine_checker.core.account import UserIdentity
from quarantine_checker.core.errors import AuthenticationError, NoDirectAccessError, SignInCancelled
from quarantine_checker.core.messages import UserMessage, user_message
from quarantine_checker.core.vocabulary import organisation_line
from quarantine_checker.ui.first_run_view import FirstRunView
from quarantine_checker.ui.sign_in_view import SignInView
from quarantine_checker.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from quarantine_checker.auth.session import AuthSession
    from quarantine_checker.ui.road_closed_view import RoadClosedView
    from quarantine_checker.wiring import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WindowHooks:
    """What the flow tells the window, and the few things it asks it."""

    services: Callable[[], Services]
    replace_services: Callable[[Services], None]
    show_main: Callable[[UserIdentity], None]      # signed in, a road is open: show the list
    show_signed_out: Callable[[], None]            # stop listing, forget what was shown
    identity: Callable[[], UserIdentity | None]    # who the list is showing, if anyone


class SessionFlow(QObject):
    # New services after the first-run screen saved the organisation; whoever holds the old ones
    # (the tray checker) switches over.
    services_replaced = Signal(object)

    def __init__(self, stack: QStackedWidget, sign_in: SignInView, first_run: FirstRunView,
                 tasks: TaskRunner, hooks: WindowHooks, parent: QWidget) -> None:
        super().__init__(parent)
        self.stack, self.sign_in_view, self.first_run, self.tasks = stack, sign_in, first_run, tasks
        self.hooks = hooks
        self._parent = parent
        self._cancel: threading.Event | None = None
        self._road_closed: RoadClosedView | None = None
        sign_in.sign_in_requested.connect(self.sign_in)
        sign_in.cancel_requested.connect(self.cancel)
        sign_in.change_organisation_requested.connect(self.change_organisation)
        first_run.tenant_chosen.connect(self._tenant_chosen)

    @property
    def services(self) -> Services:
        return self.hooks.services()

    @property
    def auth(self) -> AuthSession:
        return self.services.auth

    # --- start -------------------------------------------------
    def start(self) -> None:
        config = self.services.config
        if getattr(config, "needs_tenant", False):
            self.stack.setCurrentWidget(self.first_run)
            self.first_run.setFocus()
            return
        self._show_sign_in()
        self.sign_in_view.show_waiting(self.tr("Checking whether you are already signed in…"))
        auth = self.auth

        def restore() -> UserIdentity | None:
            auth.start()
            return auth.restore()

        self.tasks.run(restore, self._restored, self._failed, key="sign-in")

    def _show_sign_in(self) -> None:
        config = self.services.config
        self.sign_in_view.set_organisation(organisation_line(getattr(config, "tenant_id", "") or ""))
        self.sign_in_view.allow_change_organisation(not getattr(config, "demo", False))
        self.stack.setCurrentWidget(self.sign_in_view)

    def _restored(self, identity: UserIdentity | None) -> None:
        if identity is not None:
            self._signed_in(identity)
            return
        self.sign_in_view.show_idle()
        if getattr(self.services.config, "demo", False):
            # The demo opens already signed in: its sign-in page approves the demo employee by itself.
            self.sign_in()
        else:
            self.sign_in_view.focus_sign_in()

    # --- interactive -------------------------------------------------
    def sign_in(self) -> None:
        if self.tasks.is_running("sign-in"):
            return
        self._show_sign_in()
        self.sign_in_view.show_waiting(
            self.tr("Your browser has opened. Finish signing in there — this window will continue by itself.")
        )
        cancel = self._cancel = threading.Event()
        auth = self.auth
        # Windows' sign-in broker (WAM) opens its window over ours: it needs our window's handle.
        auth.parent_window_handle = int(self._parent.winId())

        def work() -> UserIdentity:
            auth.start()
            return auth.sign_in_interactive(cancel=cancel)

        self.tasks.run(work, self._signed_in, self._failed, key="sign-in")

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def _signed_in(self, identity: UserIdentity) -> None:
        self._cancel = None
        self.sign_in_view.show_starting(self.tr("Checking what your account may do…"))
        services = self.services

        def probe() -> None:
            # The account's one session (and its one client) is made here and used by everyone after.
            services.mailbox_session().mailbox.require_open()

        self.tasks.run(probe, lambda _: self._road_open(identity),
                       lambda exc: self._probe_failed(identity, exc), key="road-probe")

    def _road_open(self, identity: UserIdentity) -> None:
        self.sign_in_view.show_idle()
        self.hooks.show_main(identity)

    def _probe_failed(self, identity: UserIdentity, exc: BaseException) -> None:
        if isinstance(exc, NoDirectAccessError):
            self.show_road_closed(exc, identity)
        elif isinstance(exc, AuthenticationError):
            self._show_sign_in()
            self._failed(exc)
        else:
            # The question could not be answered (offline, busy): nothing is concluded. The list reports
            # its own trouble, and a refusal there still leads to the road-closed page.
            log.info("road probe inconclusive (%s); showing the list", type(exc).__name__)
            self._road_open(identity)

    # --- no road open -------------------------------------------------
    @property
    def road_closed(self) -> RoadClosedView:
        if self._road_closed is None:  # built on first need: most people never see it
            from quarantine_checker.ui.road_closed_view import RoadClosedView

            self._road_closed = RoadClosedView(self._parent)
            self._road_closed.sign_out_requested.connect(self.sign_out)
            self.stack.addWidget(self._road_closed)
        return self._road_closed

    def show_road_closed(self, exc: BaseException, identity: UserIdentity | None = None) -> None:
        """No road to quarantine is open for this account: say so and what IT can do. The sign-in stays
        (it is fine); the list, its timer and the tray's checker stop, and nothing retries."""
        identity = identity or self.hooks.identity()
        if self.hooks.identity() is not None:
            self.hooks.show_signed_out()
        self.sign_in_view.show_idle()
        config = self.services.config
        page = self.road_closed
        page.show_closed(user_message(exc), helpdesk=str(getattr(config, "helpdesk", "") or ""),
                         account=str(getattr(identity, "upn", "") or ""))
        self.stack.setCurrentWidget(page)

    def _failed(self, exc: BaseException) -> None:
        self._cancel = None
        msg = user_message(exc, action="sign_in")
        if isinstance(exc, SignInCancelled):
            self.sign_in_view.show_idle()
            self.sign_in_view.show_error(msg.title, msg.text, "")
        else:
            self.sign_in_view.show_error(msg.title, msg.text, msg.details_for_it)

    def need_sign_in(self, msg: UserMessage) -> None:
        """The service no longer accepts our sign-in: go back to the sign-in screen and say why."""
        self.hooks.show_signed_out()
        self._show_sign_in()
        self.sign_in_view.show_error(msg.title, msg.text, msg.details_for_it)

    # --- sign out -------------------------------------------------
    def sign_out(self) -> None:
        auth = self.auth

        def done(report: object) -> None:
            self.hooks.show_signed_out()
            self._show_sign_in()
            self.sign_in_view.show_idle()
            left = list(getattr(report, "left_behind", ()))
            if left:  # never claim a clean sign-out that wasn't one
                self.sign_in_view.show_error(
                    self.tr("Signed out, but not everything could be removed"),
                    self.tr("Some sign-in data is still on this computer. Copy the details for IT."),
                    "Left behind after sign-out:\n" + "\n".join(left))

        def failed(exc: BaseException) -> None:
            msg = user_message(exc, action="sign_out")
            done(None)
            self.sign_in_view.show_error(msg.title, msg.text, msg.details_for_it)

        self.tasks.run(auth.sign_out, done, failed, key="sign-out")

    # --- first run -------------------------------------------------
    def change_organisation(self) -> None:
        self.stack.setCurrentWidget(self.first_run)
        self.first_run.setFocus()

    def _tenant_chosen(self, tenant: str) -> None:
        def work() -> Services:
            from quarantine_checker import wiring
            from quarantine_checker.config import load_config, save_user_config

            save_user_config({"tenant_id": tenant})
            return wiring.build_services(load_config())

        def done(services: Services) -> None:
            old = self.services
            self.hooks.replace_services(services)
            self.services_replaced.emit(services)
            close = getattr(old, "close", None)
            if callable(close) and old is not services:
                close()
            self.start()

        def failed(exc: BaseException) -> None:
            msg = user_message(exc)
            self.first_run.show_error(f"{msg.title}\n{msg.text}")

        self.tasks.run(work, done, failed, key="first-run")
