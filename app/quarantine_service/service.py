"""The running service's parts, built once from the config: database, token validation, the app-only
Exchange client, the directory, the sweep (on its own thread) and the event hub."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from quarantine_checker.exchange.transport import make_session
from quarantine_service.actions import Actions
from quarantine_service.app_token import AppTokenProvider
from quarantine_service.config import ServiceConfig
from quarantine_service.directory import Directory
from quarantine_service.events import EventHub
from quarantine_service.exchange import ServiceExchange
from quarantine_service.store.db import Database, require_current_schema
from quarantine_service.sweep import Sweeper
from quarantine_service.tokens import KeySet, TokenValidator


class StreamSlots:
    """At most ``limit`` open event streams per employee."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._open: dict[str, int] = {}

    def take(self, object_id: str) -> Callable[[], None] | None:
        """A place for one more stream, or None at the cap. Call the returned function to give it back;
        calling it again does nothing (the stream's end and the response's clean-up both call it)."""
        with self._lock:
            if self._open.get(object_id, 0) >= self.limit:
                return None
            self._open[object_id] = self._open.get(object_id, 0) + 1
        given_back = threading.Event()

        def give_back() -> None:
            with self._lock:
                if given_back.is_set():
                    return
                given_back.set()
            self.give_back(object_id)

        return give_back

    def give_back(self, object_id: str) -> None:
        with self._lock:
            left = self._open.get(object_id, 0) - 1
            if left > 0:
                self._open[object_id] = left
            else:
                self._open.pop(object_id, None)

    def count(self, object_id: str) -> int:
        with self._lock:
            return self._open.get(object_id, 0)


class Service:
    def __init__(self, config: ServiceConfig, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.config = config
        self.clock = clock
        self.db = Database(config.database_url)
        require_current_schema(self.db.engine)  # serve never changes the schema: migrate does
        # Two connections: the identity provider's, and Exchange's (its cookies and pinned host are its own).
        self.idp_http = make_session(config.ca_bundle)
        self.exchange_http = make_session(config.ca_bundle)
        self.keys = KeySet(config, self.idp_http)
        self.validator = TokenValidator(config, self.keys)
        self.app_tokens = AppTokenProvider(config, self.idp_http)
        self.exchange = ServiceExchange(config, self.app_tokens, self.exchange_http)
        self.hub = EventHub()
        self.directory = Directory(self.db, self.exchange, config.recipient_cache_seconds, clock)
        self.actions = Actions(self.db, self.exchange, self.hub.notify, clock)
        self.sweeper = Sweeper(config, self.db, self.exchange, self.hub, clock=clock)
        self.streams = StreamSlots(config.max_streams_per_employee)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start_sweeping(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self.sweeper.run_forever, args=(self._stop,),
                                            name="qc-service-sweep", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self.sweeper.trigger()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.db.dispose()
