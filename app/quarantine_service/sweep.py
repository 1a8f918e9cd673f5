"""The tenant sweep (org-service.md §2.1, issue item 3).

Each sweep: app-only ``Get-QuarantineMessage`` for everyone, from the watermark minus an overlap, paged
with Page/PageSize; then every message with an open request or a pending release is re-read, so an
answer given in the Defender portal is seen within one sweep. Less often, a reconciliation lists the
whole 30-day window: it finds late holds (quarantined long after their received time, as zero-hour purge
does), expiry, deletions and ``SystemReleased``, and refreshes the quarantine policies.

Each page is committed on its own; a failed page leaves the watermark where it was, so the next sweep
resumes from it. One sweeper at a time: a lease row in the database.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from quarantine_checker.core.errors import MessageNotFoundError, QuarantineCheckerError
from quarantine_checker.core.model import QuarantineType, parse_messages
from quarantine_service import events as ev
from quarantine_service.config import ServiceConfig
from quarantine_service.exchange import ServiceExchange
from quarantine_service.permissions import PolicyInfo, rights_for
from quarantine_service.store import repo
from quarantine_service.store.db import Database
from quarantine_service.store.models import Action, Message
from quarantine_service.views import released_for

log = logging.getLogger(__name__)

WINDOW = timedelta(days=30)
CLOCK_SLACK = timedelta(hours=1)
PAGE_SIZE = 1000
MAX_PAGES = 1000
LEASE = timedelta(minutes=5)
WATERMARK_KEY = "sweep_watermark"
RECONCILED_KEY = "last_reconcile"
SWEPT_KEY = "last_sweep"
LOCK_KEY = "sweep_lock"


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class SweepResult:
    ok: bool = True
    reconciled: bool = False
    pages: int = 0
    new: int = 0
    changed: int = 0
    gone: int = 0
    reread: int = 0
    error: str | None = None
    skipped: bool = False  # another sweeper holds the lease
    notes: list[str] = field(default_factory=list)


class Sweeper:
    def __init__(self, config: ServiceConfig, db: Database, exchange: ServiceExchange, hub: ev.EventHub,
                 *, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 page_size: int = PAGE_SIZE) -> None:
        self.config = config
        self.db = db
        self.exchange = exchange
        self.hub = hub
        self.clock = clock
        self.page_size = page_size
        self.holder = uuid.uuid4().hex
        self._wake = threading.Event()
        self._reconcile_asked = False
        self._run_lock = threading.Lock()
        self.last: SweepResult | None = None
        self.completed = 0
        self._done = threading.Condition()

    # --------------------------------------------------------------------------------- the loop
    def trigger(self, *, reconcile: bool = False) -> int:
        """Ask the loop to sweep now; returns the number of completed sweeps to wait past."""
        with self._done:
            seen = self.completed
        self._reconcile_asked = self._reconcile_asked or reconcile
        self._wake.set()
        return seen

    def wait_past(self, seen: int, timeout: float) -> bool:
        with self._done:
            return self._done.wait_for(lambda: self.completed > seen, timeout)

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:  # the loop must survive anything; the error is in the result and the log
                log.exception("sweep failed unexpectedly")
            self._wake.wait(self.config.sweep_interval_seconds)
            self._wake.clear()

    # ------------------------------------------------------------------------------- one sweep
    def run_once(self, *, reconcile: bool | None = None) -> SweepResult:
        with self._run_lock:
            now = self.clock()
            result = SweepResult()
            if not self._take_lease(now):
                result.skipped = True
                return self._finish(result)
            try:
                if reconcile is None:
                    reconcile = self._reconcile_asked or self._reconcile_due(now)
                self._reconcile_asked = False
                result.reconciled = reconcile
                if reconcile or not self._have_policies():
                    self._refresh_policies(now)
                self._sweep(now, reconcile, result)
                self._reread_open(now, result)
                with self.db.session() as s:
                    repo.set_state(s, SWEPT_KEY, iso_utc(now))
                    if reconcile and result.ok:
                        repo.set_state(s, RECONCILED_KEY, iso_utc(now))
                        repo.purge(s, now, self.config.retention_days)
            except QuarantineCheckerError as exc:
                result.ok = False
                result.error = type(exc).__name__
                log.warning("sweep stopped: %s (%s)", type(exc).__name__, exc)
            finally:
                self._release_lease()
            return self._finish(result)

    def _finish(self, result: SweepResult) -> SweepResult:
        self.last = result
        with self._done:
            self.completed += 1
            self._done.notify_all()
        self.hub.notify()
        return result

    # --------------------------------------------------------------------------------- the lease
    def _take_lease(self, now: datetime) -> bool:
        with self.db.session() as s:
            repo.lock_row(s, LOCK_KEY)  # the write lock first: two sweepers cannot both read "free"
            value = repo.get_state(s, LOCK_KEY) or ""
            holder, _, until = value.partition("|")
            if holder and holder != self.holder and until and datetime.fromisoformat(until) > now:
                return False
            repo.set_state(s, LOCK_KEY, f"{self.holder}|{(now + LEASE).isoformat()}")
            return True

    def _release_lease(self) -> None:
        with self.db.session() as s:
            if (repo.get_state(s, LOCK_KEY) or "").startswith(self.holder + "|"):
                repo.set_state(s, LOCK_KEY, "")

    # ------------------------------------------------------------------------------ the listing
    def _reconcile_due(self, now: datetime) -> bool:
        with self.db.session() as s:
            last = repo.get_state(s, RECONCILED_KEY)
        return last is None or now - datetime.fromisoformat(last.replace("Z", "+00:00")) >= timedelta(
            seconds=self.config.reconcile_interval_seconds)

    def _have_policies(self) -> bool:
        with self.db.session() as s:
            return bool(repo.load_policies(s))

    def _refresh_policies(self, now: datetime) -> None:
        policies = self.exchange.policies()
        with self.db.session() as s:
            repo.save_policies(s, policies, now)

    def _sweep(self, now: datetime, reconcile: bool, result: SweepResult) -> None:
        with self.db.session() as s:
            mark = repo.get_state(s, WATERMARK_KEY)
        overlap = timedelta(seconds=self.config.sweep_overlap_seconds)
        floor = now - WINDOW
        start = floor if reconcile or mark is None else max(floor, datetime.fromisoformat(mark) - overlap)
        end = now + CLOCK_SLACK
        seen: set[str] = set()
        newest: datetime | None = datetime.fromisoformat(mark) if mark else None
        complete = False
        for page in range(1, MAX_PAGES + 1):
            records, cut_short = self.exchange.list_page(iso_utc(start), iso_utc(end), page, self.page_size)
            result.pages = page
            messages, bad = parse_messages(records)
            if bad:
                result.notes.append(f"{bad} unreadable record(s) on page {page}")
            with self.db.session() as s:
                policies = repo.load_policies(s)
                for message in messages:
                    seen.add(message.identity)
                    row, what = repo.upsert_message(s, message, now)
                    if what != "same":
                        self._announce(s, row, what, policies, now)
                        result.new += what == "new"
                        result.changed += what == "changed"
                    if message.received_time and (newest is None or message.received_time > newest):
                        newest = message.received_time
            if cut_short:
                result.notes.append(f"page {page} was cut short by the server")
                break
            if len(records) < self.page_size:
                complete = True
                break
        # The watermark moves only after the whole window was read: a failed page raised above. It never
        # passes our own "now": a received time from a clock running ahead would hide the mail after it.
        if newest is not None:
            newest = min(newest, now)
            with self.db.session() as s:
                repo.set_state(s, WATERMARK_KEY, newest.isoformat())
        if reconcile and complete:
            self._find_gone(now, floor, seen, result)

    def _find_gone(self, now: datetime, floor: datetime, seen: set[str], result: SweepResult) -> None:
        """After a complete listing of the whole window: what is no longer there was deleted, expired
        or released and purged by Exchange. The record stays (IT's report); the employee is told."""
        with self.db.session() as s:
            rows = s.scalars(select(Message).where(Message.gone_at.is_(None)))
            policies = repo.load_policies(s)
            for row in rows:
                expired = row.expires is not None and row.expires <= now
                if row.identity in seen and not expired:
                    continue
                if repo.mark_gone(s, row, now):
                    result.gone += 1
                    self._announce(s, row, "gone", policies, now)

    def _reread_open(self, now: datetime, result: SweepResult) -> None:
        with self.db.session() as s:
            identities = [m.identity for m in repo.open_work(s)]
        for identity in identities:
            try:
                record = self.exchange.get(identity)
            except MessageNotFoundError:
                with self.db.session() as s:
                    row = s.get(Message, identity)
                    if row is not None and repo.mark_gone(s, row, now):
                        result.gone += 1
                        self._announce(s, row, "gone", repo.load_policies(s), now)
                continue
            messages, _ = parse_messages([record])
            if not messages:
                continue
            result.reread += 1
            with self.db.session() as s:
                row, what = repo.upsert_message(s, messages[0], now)
                if what != "same":
                    self._announce(s, row, what, repo.load_policies(s), now)

    # ------------------------------------------------------------------------------- the events
    def _announce(self, s: Session, row: Message, what: str, policies: dict[str, PolicyInfo],
                  now: datetime) -> None:
        """Events for each recipient who may see the message, and the answers to open requests."""
        rights = rights_for(QuarantineType.from_wire(row.quarantine_type), row.tag_name, policies)
        status = row.release_status.upper()
        pending = s.scalars(select(Action).where(Action.identity == row.identity,
                                                 Action.state == "pending")).all()
        for action in pending:
            answer = None
            mine = released_for(row, action.address)
            if action.kind == "release" and mine:
                answer = ("done", ev.RELEASED)
            elif action.kind == "release" and status == "ERROR":
                answer = ("failed", ev.RELEASE_FAILED)
            elif action.kind == "request":
                if mine:
                    answer = ("approved", ev.REQUEST_APPROVED)
                elif status == "DENIED":
                    answer = ("declined", ev.REQUEST_DECLINED)
            if answer is not None:
                action.state = answer[0]
                action.answered_at = now
                action.answered_by = action.answered_by or "exchange"
                action.change_seq = repo.next_seq(s)
                repo.add_event(s, action.address, answer[1], row.identity, now)
                repo.audit(s, now, "sweep", "service", f"{action.kind}_{answer[0]}", "seen_in_exchange",
                           row.identity, for_object_id=action.object_id)
        if not rights.visible:
            return
        kind = {"new": ev.HELD, "gone": ev.GONE}.get(what, ev.CHANGED)
        if what == "changed" and row.system_released:
            kind = ev.SYSTEM_RELEASED
        for address in repo.recipients_of(s, row.identity):
            repo.add_event(s, address, kind, row.identity, now)
