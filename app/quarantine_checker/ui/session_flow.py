"""Signing in and out from the window: first run, silent restore, browser sign-in with Cancel, sign-out.

``AuthSession`` is synchronous and may block for minutes (the user is in the browser), so every call
goes through the window's TaskRunner; Cancel sets the event the session watches.

After every sign-in the capability probe asks once whether the direct road to quarantine is open
(exchange/direct_road.py). If not, the road-closed page says so; it is never a reason to sign in again.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from quarantine_checker.core.errors import AuthenticationError, NoDirectAccessError, SignInCancelled
from quarantine_checker.core.messages import user_message
from quarantine_checker.ui.plain_text import set_plain

if TYPE_CHECKING:
    from quarantine_checker.ui.main_window import MainWindow
    from quarantine_checker.ui.road_closed_view import RoadClosedView

log = logging.getLogger(__name__)


class SessionFlow(QObject):
    # New services after the first-run screen saved the organisation; whoever holds the old ones
    # (the tray checker) switches over.
    services_replaced = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self._cancel: threading.Event | None = None
        self._road_closed: RoadClosedView | None = None
        v = window.sign_in
        v.sign_in_requested.connect(self.sign_in)
        v.cancel_requested.connect(self.cancel)
        v.change_organisation_requested.connect(self.change_organisation)
        window.first_run.tenant_chosen.connect(self._tenant_chosen)

    @property
    def auth(self) -> Any:
        return self.w.services.auth

    # --- start -------------------------------------------------
    def start(self) -> None:
        config = self.w.services.config
        if getattr(config, "needs_tenant", False):
            self.w.stack.setCurrentWidget(self.w.first_run)
            self.w.first_run.setFocus()
            return
        self._show_sign_in()
        self.w.sign_in.show_waiting()
        set_plain(self.w.sign_in.waiting_text, self.tr("Checking whether you are already signed in…"))
        auth = self.auth

        def restore() -> Any:
            auth.start()
            return auth.restore()

        self.w.tasks.run(restore, self._restored, self._failed, key="sign-in")

    def _show_sign_in(self) -> None:
        config = self.w.services.config
        org = getattr(config, "tenant_id", "") or ""
        self.w.sign_in.set_organisation(self.tr("Organisation: {0}").format(org) if org else "")
        self.w.sign_in.change_org_button.setVisible(not getattr(config, "demo", False))
        self.w.stack.setCurrentWidget(self.w.sign_in)

    def _restored(self, identity: Any) -> None:
        if identity is not None:
            self._signed_in(identity)
            return
        self.w.sign_in.show_idle()
        if getattr(self.w.services.config, "demo", False):
            # The demo opens already signed in: its sign-in page approves the demo employee by itself.
            self.sign_in()
        else:
            self.w.sign_in.sign_in_button.setFocus()

    # --- interactive -------------------------------------------------
    def sign_in(self) -> None:
        if self.w.tasks.is_running("sign-in"):
            return
        self._show_sign_in()
        self.w.sign_in.show_waiting()
        set_plain(
            self.w.sign_in.waiting_text,
            self.tr(
                "Your browser has opened. Finish signing in there — this window will continue by itself."
            ),
        )
        cancel = self._cancel = threading.Event()
        auth = self.auth
        # Windows' sign-in broker (WAM) opens its window over ours: it needs our window's handle.
        auth.parent_window_handle = int(self.w.winId())

        def work() -> Any:
            auth.start()
            return auth.sign_in_interactive(cancel=cancel)

        self.w.tasks.run(work, self._signed_in, self._failed, key="sign-in")

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def _signed_in(self, identity: Any) -> None:
        self._cancel = None
        self.w.sign_in.show_starting(self.tr("Checking what your account may do…"))
        services = self.w.services

        def probe() -> None:
            from quarantine_checker.exchange.direct_road import require_direct_road

            require_direct_road(services.exchange_client())

        self.w.tasks.run(probe, lambda _: self._road_open(identity),
                         lambda exc: self._probe_failed(identity, exc), key="road-probe")

    def _road_open(self, identity: Any) -> None:
        self.w.sign_in.show_idle()
        self.w.show_main(identity)

    def _probe_failed(self, identity: Any, exc: BaseException) -> None:
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

            self._road_closed = RoadClosedView(self.w)
            self._road_closed.sign_out_requested.connect(self.sign_out)
            self.w.stack.addWidget(self._road_closed)
        return self._road_closed

    def show_road_closed(self, exc: BaseException, identity: Any = None) -> None:
        """No road to quarantine is open for this account: say so and what IT can do. The sign-in stays
        (it is fine); the list, its timer and the tray's checker stop, and nothing retries."""
        identity = identity or self.w.identity
        if self.w.identity is not None:
            self.w.show_signed_out()
        self.w.sign_in.show_idle()
        config = self.w.services.config
        page = self.road_closed
        page.show_closed(user_message(exc), helpdesk=str(getattr(config, "helpdesk", "") or ""),
                         account=str(getattr(identity, "upn", "") or ""))
        self.w.stack.setCurrentWidget(page)

    def _failed(self, exc: BaseException) -> None:
        self._cancel = None
        msg = user_message(exc, action="sign_in")
        if isinstance(exc, SignInCancelled):
            self.w.sign_in.show_idle()
            self.w.sign_in.show_error(msg.title, msg.text, "")
        else:
            self.w.sign_in.show_error(msg.title, msg.text, msg.details_for_it)

    def need_sign_in(self, msg: Any) -> None:
        """The service no longer accepts our sign-in: go back to the sign-in screen and say why."""
        self.w.show_signed_out()
        self._show_sign_in()
        self.w.sign_in.show_error(msg.title, msg.text, msg.details_for_it)

    # --- sign out -------------------------------------------------
    def sign_out(self) -> None:
        auth = self.auth

        def done(report: Any) -> None:
            self.w.show_signed_out()
            self._show_sign_in()
            self.w.sign_in.show_idle()
            left = list(getattr(report, "left_behind", ()))
            if left:  # never claim a clean sign-out that wasn't one
                self.w.sign_in.show_error(
                    self.tr("Signed out, but not everything could be removed"),
                    self.tr("Some sign-in data is still on this computer. Copy the details for IT."),
                    "Left behind after sign-out:\n" + "\n".join(left))

        def failed(exc: BaseException) -> None:
            msg = user_message(exc, action="sign_out")
            done(None)
            self.w.sign_in.show_error(msg.title, msg.text, msg.details_for_it)

        self.w.tasks.run(auth.sign_out, done, failed, key="sign-out")

    # --- first run -------------------------------------------------
    def change_organisation(self) -> None:
        self.w.stack.setCurrentWidget(self.w.first_run)
        self.w.first_run.setFocus()

    def _tenant_chosen(self, tenant: str) -> None:
        def work() -> Any:
            from quarantine_checker import wiring
            from quarantine_checker.config import load_config, save_user_config

            save_user_config({"tenant_id": tenant})
            return wiring.build_services(load_config())

        def done(services: Any) -> None:
            old, self.w.services = self.w.services, services
            self.services_replaced.emit(services)
            close = getattr(old, "close", None)
            if callable(close) and old is not services:
                close()
            self.start()

        def failed(exc: BaseException) -> None:
            msg = user_message(exc)
            self.w.first_run.show_error(f"{msg.title}\n{msg.text}")

        self.w.tasks.run(work, done, failed, key="first-run")
