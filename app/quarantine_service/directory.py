"""Who the caller is, as far as mail goes: their addresses from Get-Recipient, looked up by the object id of
their validated token (never from ``upn``/``email``/``preferred_username`` claims, a header or a body),
and cached in the database for ``recipient_cache_seconds``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from quarantine_service.exchange import ServiceExchange
from quarantine_service.store import repo
from quarantine_service.store.db import Database


@dataclass(frozen=True)
class Person:
    object_id: str
    display_name: str
    primary_address: str
    addresses: tuple[str, ...]


class NoMailbox(Exception):
    """The directory has no mail recipient with this object id."""


class Directory:
    def __init__(self, db: Database, exchange: ServiceExchange, cache_seconds: float,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.db = db
        self.exchange = exchange
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.lookups = 0

    def person(self, object_id: str) -> Person:
        now = self.clock()
        with self.db.session() as s:
            row = repo.cached_employee(s, object_id, now, self.cache_seconds)
            if row is not None:
                return Person(row.object_id, row.display_name, row.primary_address, tuple(row.addresses))
        with self._guard:
            lock = self._locks.setdefault(object_id, threading.Lock())
        with lock:  # one lookup per person at a time, however many of their requests arrive together
            with self.db.session() as s:
                row = repo.cached_employee(s, object_id, now, self.cache_seconds)
                if row is not None:
                    return Person(row.object_id, row.display_name, row.primary_address, tuple(row.addresses))
            self.lookups += 1
            info = self.exchange.recipient(object_id)
            if info is None:
                raise NoMailbox(object_id)
            with self.db.session() as s:
                repo.save_employee(s, object_id, info.display_name, info.primary_address,
                                   list(info.addresses), now)
            return Person(object_id, info.display_name, info.primary_address, info.addresses)
