"""On the service road: the service's live events become desktop notices and a fresh listing, in seconds.

The tray's checker keeps its slow schedule (a safety net); what makes "within seconds" is the event feed
(orgservice/events.py). For each batch of events: the messages they name are looked up (the account's
session first, else one call each), the notices are worked out (core/service_events.py: once each,
a summary after being away) against the checker's own ``ToldRecord``, so the checker's next listing
finds them told and stays quiet, then the account's session lists again, which updates the window,
the tray and anything else following the session.

The feed's state is said in the window: "can't reach your organisation's quarantine service" while it
is down, gone again (with a fresh listing) when it is back — no restart, no sign-in.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from quarantine_checker.core import errors as e
from quarantine_checker.core.messages import user_message
from quarantine_checker.core.model import QuarantinedMessage
from quarantine_checker.core.service_events import ServiceEvent, service_notices
from quarantine_checker.orgservice.events import LIVE, POLLING, REFUSED, UNREACHABLE, EventFeed
from quarantine_checker.orgservice.mailbox import ServiceMailbox
from quarantine_checker.ui.banner import BannerKind

if TYPE_CHECKING:
    from quarantine_checker.core.mailbox_session import MailboxSession
    from quarantine_checker.ui.watch_controller import WatchController

log = logging.getLogger(__name__)

BANNER = "service-road"


class ServiceWatch(QObject):
    _events = Signal(object)       # list[ServiceEvent], from the feed's thread
    _state = Signal(str, object)   # state, error
    notified = Signal(object)      # list[Notice] shown (tests, benchmarks)

    def __init__(self, controller: WatchController) -> None:
        super().__init__(controller)
        self.controller = controller
        self.feed: EventFeed | None = None
        self.last_event_id: str | None = None
        self._session: MailboxSession | None = None
        self._events.connect(self._on_events)
        self._state.connect(self._on_state)

    # --- life ---------------------------------------------------------------------------------------------
    def follow(self, session: MailboxSession | None) -> None:
        """Start (or restart) the feed for the account's session when it is on the service road."""
        self.stop()
        if session is None or not isinstance(session.mailbox, ServiceMailbox):
            return  # the direct road has no events
        mailbox = session.mailbox
        self._session = session
        self.feed = EventFeed(mailbox, self._events.emit, self._state.emit,
                              last_event_id=self.last_event_id).start()

    def stop(self) -> None:
        feed, self.feed = self.feed, None
        if feed is not None:
            self.last_event_id = feed.last_event_id  # a later start resumes from here
            feed.stop(timeout=2.0)
        self._session = None

    # --- events -------------------------------------------------------------------------------------------
    def _on_events(self, batch: list[ServiceEvent]) -> None:
        session = self._session
        if session is None:
            return

        def look_up() -> dict[str, QuarantinedMessage]:
            found: dict[str, QuarantinedMessage] = {}
            for identity in {ev.identity for ev in batch if ev.identity}:
                message = session.message(identity)
                if message is None and any(ev.kind == "held" for ev in batch if ev.identity == identity):
                    try:
                        message = session.mailbox.get_message(identity)
                    except e.QuarantineCheckerError:
                        message = None
                if message is not None:
                    found[identity] = message
            return found

        self.controller.checker.tasks.run(look_up, lambda found: self._tell(batch, found),
                                          lambda exc: self._refresh())

    def _tell(self, batch: list[ServiceEvent], found: dict[str, QuarantinedMessage]) -> None:
        checker = self.controller.checker
        record = checker.watcher.record
        prefs = self.controller.settings.prefs()
        notices = service_notices(batch, found.get, record, datetime.now(UTC), prefs)
        save = getattr(checker._records, "save", None)
        if callable(save):
            save(record)
        for notice in notices:
            self.controller.notifier.show(notice)
        if notices:
            self.notified.emit(notices)
        self._refresh()

    def _refresh(self) -> None:
        session = self._session
        if session is not None:
            self.controller.checker.tasks.run(lambda: session.refresh(), key=("service-refresh",))

    # --- state --------------------------------------------------------------------------------------------
    def _on_state(self, state: str, error: object) -> None:
        banners = getattr(self.controller.window, "banners", None)
        if banners is None:
            return
        if state in (UNREACHABLE, REFUSED) and isinstance(error, BaseException):
            msg = user_message(error)
            banners.show_banner(BANNER, BannerKind.WARNING, msg.title, msg.text, details=msg.details_for_it)
        elif state in (LIVE, POLLING) and banners.banner(BANNER) is not None:
            banners.hide_banner(BANNER)
            self._refresh()  # back: catch up on what changed meanwhile
        self.controller.update_tray()
