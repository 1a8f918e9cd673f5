"""The background checker: a QTimer on the UI thread that starts one small listing at a time.

The decisions are pure functions (core/schedule.py: when and what to ask; core/watch.py: what's news);
this class only owns the timers, runs the request on the TaskRunner's thread pool and emits what came
of it. One check = one listing through the account's ``MailboxSession`` (a full 30-day listing at start
and hourly, otherwise only what may have changed since the last check), shared with the window: what the
window's own listings, actions and re-reads show reaches the watch through the session too, with no
request of the checker's own. After a failure it backs off (doubling,
never sooner than a 429's Retry-After); it checks at once after a suspend or clock change (a heartbeat
compares the wall and monotonic clocks) and when the network comes back; it does nothing while
stopped (signed out).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from quarantine_checker.core import errors
from quarantine_checker.core.decision import Action
from quarantine_checker.core.mailbox import Change, ChangeKind, ListResult
from quarantine_checker.core.mailbox_session import MailboxSession
from quarantine_checker.core.messages import user_message
from quarantine_checker.core.model import QuarantinedMessage
from quarantine_checker.core.schedule import (
    FULL_EVERY,
    MIN_OVERLAP,
    PENDING_EVERY,
    ClockWatch,
    QueryKind,
    QueryPlan,
    next_delay,
    overlap_for,
    plan_query,
)
from quarantine_checker.core.watch import Notice, Watcher, WatchPrefs, notices
from quarantine_checker.ui.session_bridge import SessionBridge
from quarantine_checker.ui.settings_store import RecordStore
from quarantine_checker.ui.tasks import TaskRunner

if TYPE_CHECKING:  # QtNetwork itself is loaded only when the checker starts watching the network
    from PySide6.QtNetwork import QNetworkInformation

log = logging.getLogger(__name__)

OFFLINE_ATTENTION = timedelta(minutes=30)  # offline this long: the tray says so


class Attention:
    NONE = ""
    SIGNED_OUT = "signed_out"
    REFUSED = "refused"        # the service says no (not allowed, or keeps failing)
    OFFLINE = "offline"        # no connection for OFFLINE_ATTENTION


@dataclass
class CheckStats:
    checks: int = 0
    full_checks: int = 0
    failures_total: int = 0
    last_error: str = ""         # error type and plain title only: no mail content, no tokens
    last_error_at: datetime | None = None
    last_success: datetime | None = None


class BackgroundChecker(QObject):
    notices_ready = Signal(list)     # list[core.watch.Notice]
    changed = Signal()               # counts, attention or status changed (tray tooltip)
    check_started = Signal(str)      # QueryKind value
    check_finished = Signal(bool)    # succeeded?
    sign_in_needed = Signal(object)  # core.messages.UserMessage
    road_closed = Signal(object)     # core.errors.NoDirectAccessError: the account may not check at all

    def __init__(
        self,
        session: Callable[[], MailboxSession],
        records: RecordStore,
        prefs: Callable[[], WatchPrefs],
        *,
        interval_seconds: float = 300.0,
        heartbeat_seconds: float = 30.0,
        full_every: timedelta = FULL_EVERY,
        pending_every: timedelta = PENDING_EVERY,
        wall: Callable[[], float] = time.time,
        mono: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session  # the signed-in account's one session (called on the worker)
        self.bridge = SessionBridge(self)
        self.bridge.changed.connect(self._observe)
        self._records = records
        self._prefs = prefs
        self.interval = float(interval_seconds)
        self.full_every = full_every
        self.pending_every = pending_every
        self.last_pending: datetime | None = None
        self._wall, self._mono, self._rng = wall, mono, rng
        self.tasks = TaskRunner(self)
        self.watcher = Watcher(records.load())
        self.stats = CheckStats()
        self.running = False
        self.failures = 0
        self.retry_after: float | None = None
        self.network_down_since: datetime | None = None
        self.attention = Attention.NONE
        self.last_until: datetime | None = None
        self.last_full: datetime | None = None
        self.overlap = overlap_for(self.watcher.lags())
        self.next_due: datetime | None = None
        self._force_full = False

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # Coarse timers (Qt's default) may fire up to 5 % early; a server's Retry-After is a floor.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._due)
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(max(50, int(heartbeat_seconds * 1000)))
        self._heartbeat.timeout.connect(self._beat)
        self._clock = ClockWatch(wall(), mono(), heartbeat_seconds)
        self._network: QNetworkInformation | None = None
        self._watch_network()

    # --- control -----------------------------------------------------------------------------------
    def now(self) -> datetime:
        return datetime.fromtimestamp(self._wall(), UTC)

    def start(self) -> None:
        """Start (after sign-in): check at once, then every interval."""
        self.running = True
        self.attention = Attention.NONE
        self._clock = ClockWatch(self._wall(), self._mono(), self._heartbeat.interval() / 1000)
        self._heartbeat.start()
        self._schedule(0)
        self.changed.emit()

    def follow(self, session: MailboxSession | None) -> None:
        """Watch what everyone else does with this account's session (None: signed out)."""
        self.bridge.attach(session)

    def stop(self, attention: str = Attention.SIGNED_OUT) -> None:
        """Pause (signed out): no timers, no requests."""
        self.running = False
        self.bridge.detach()
        self._timer.stop()
        self._heartbeat.stop()
        self.tasks.cancel_all()
        self.next_due = None
        self.attention = attention
        self.changed.emit()

    def forget(self) -> None:
        """Sign-out: drop what we knew about this account (the record file goes too)."""
        self.watcher = Watcher()
        self._records.delete()
        self.last_until = self.last_full = None

    def check_now(self, reason: str = "asked") -> None:
        if not self.running:
            return
        log.info("checking now (%s)", reason)
        self.last_pending = None  # someone asked: this check also reaches back to open requests
        self._schedule(0)

    def watch_request(self, message: QuarantinedMessage) -> None:
        """The app sent a release request: every later check looks for IT's answer to it."""
        if not self.running:
            return
        self.watcher.note_request_sent(message, self.now())
        self.last_pending = None  # the next check reaches back to it, whatever the pending interval
        self._records.save(self.watcher.record)

    def set_interval(self, seconds: float) -> None:
        self.interval = max(1.0, float(seconds))
        if self.running and not self.tasks.is_running("check") and self.failures == 0:
            self._schedule(next_delay(self.interval, rng=self._rng))

    def feed_full_listing(self, messages: list[QuarantinedMessage], when: datetime | None = None) -> None:
        """Someone else (the window) listed everything: it counts as a full listing (no extra request)."""
        if not self.running:
            return
        now = when or self.now()
        self._handle(QueryPlan(QueryKind.FULL), messages, now, truncated=False)

    def _observe(self, change: Change) -> None:
        """The shared session changed. Our own check's listing is handled when it finishes; the rest is
        news: the window's listings, what actions and re-reads showed (a release made anywhere lowers the
        tray's count) and every request sent from anywhere (watched for IT's answer)."""
        if not self.running or (change.listing is not None and self.tasks.is_running("check")):
            return
        now = self.now()
        if change.kind is ChangeKind.LISTED:
            self.feed_full_listing(list(change.messages), now)
            return
        if change.kind is ChangeKind.SENT and change.action is Action.REQUEST_RELEASE:
            for message in change.messages:
                self.watch_request(message)
            for ident in change.identities:  # sent for a message no listing had shown here yet
                self.watcher.record.mark(ident, "requested", now)
        elif change.kind is ChangeKind.UPDATED:
            found = notices(self.watcher.apply_updates(change.messages, now), self._prefs(), now)
            if found:
                self.notices_ready.emit(found)
        elif change.kind is ChangeKind.REMOVED:
            self.watcher.forget_messages(change.identities)
        else:
            return
        self._records.save(self.watcher.record)
        self.changed.emit()

    # --- state for the tray ---------------------------------------------------------------------------
    def waiting(self) -> list[QuarantinedMessage]:
        return self.watcher.waiting(self.now())

    # --- timers -------------------------------------------------------------------------------------
    def _schedule(self, delay: float) -> None:
        self.next_due = self.now() + timedelta(seconds=delay)
        self._timer.start(max(0, int(delay * 1000)))

    def _beat(self) -> None:
        gap = self._clock.tick(self._wall(), self._mono())
        if gap is not None and self.running:
            log.info("clock gap of %.0f s (suspend/resume or clock change): checking now", gap)
            self._force_full = self._force_full or gap < 0
            self.check_now("clock gap")

    def _watch_network(self) -> None:
        try:
            from PySide6.QtNetwork import QNetworkInformation

            if not QNetworkInformation.loadDefaultBackend():
                return
            info = QNetworkInformation.instance()
            if info is None:
                return
            info.reachabilityChanged.connect(self._reachability)
            self._network = info
        except Exception:  # no backend on this system: the back-off still retries every few minutes
            log.info("no network-reachability backend; relying on retries")

    def _reachability(self, reachability: QNetworkInformation.Reachability) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability == QNetworkInformation.Reachability.Online and self.network_down_since is not None:
            self.check_now("network back")

    # --- one check ------------------------------------------------------------------------------------
    def _due(self) -> None:
        if not self.running or self.tasks.is_running("check"):
            return
        now = self.now()
        plan = plan_query(now, last_until=self.last_until, last_full=self.last_full,
                          oldest_pending=self.watcher.oldest_pending(), overlap=self.overlap,
                          full_every=self.full_every, force_full=self._force_full,
                          last_pending=self.last_pending, pending_every=self.pending_every)
        self._force_full = False
        provide = self._session

        pause = self.tasks.pacer()

        def work() -> ListResult:
            from quarantine_checker.core.pacing import paced

            # Impatient: a 429 comes back at once with its Retry-After, and the back-off below honours it.
            # Paced like the window's own refresh: parsing a big listing must not stall the window.
            session = provide()
            with paced(pause):
                if plan.kind is QueryKind.FULL:
                    return session.refresh(patient=False, now=now)
                assert plan.since is not None
                return session.check(plan.since, overlap=plan.overlap, patient=False, now=now)

        self.stats.checks += 1
        if plan.kind is QueryKind.FULL:
            self.stats.full_checks += 1
        self.check_started.emit(plan.kind.value)
        self.tasks.run(work, lambda result: self._succeeded(plan, now, result), self._failed, key="check")

    def _succeeded(self, plan: QueryPlan, now: datetime, result: ListResult) -> None:
        if not self.running:
            return
        self._handle(plan, list(result.messages), now, truncated=bool(getattr(result, "truncated", False)))
        self.failures, self.retry_after, self.network_down_since = 0, None, None
        self.attention = Attention.NONE
        self.stats.last_success = now
        self._schedule(next_delay(self.interval, rng=self._rng))
        self.changed.emit()
        self.check_finished.emit(True)

    def _handle(self, plan: QueryPlan, messages: list[QuarantinedMessage], now: datetime, *,
                truncated: bool) -> None:
        if plan.kind is QueryKind.FULL:
            events = self.watcher.apply_full(messages, now)
            self.last_full = now
        else:
            assert plan.since is not None
            events = self.watcher.apply_changes(messages, plan.since - plan.overlap, now)
        if truncated:
            self._force_full = True
        if plan.covers_pending:
            self.last_pending = now
        events += self.watcher.expiring(now)
        self.last_until = now if self.last_until is None else max(self.last_until, now)
        self.overlap = max(MIN_OVERLAP, overlap_for(self.watcher.lags()))
        self._records.save(self.watcher.record)
        found = notices(events, self._prefs(), now)
        if found:
            log.info("%d notification(s): %s", len(found), ", ".join(str(n.kind) for n in found))
            self.notices_ready.emit(found)
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        if not self.running:
            return
        now = self.now()
        msg = user_message(exc, action="refresh")
        self.stats.failures_total += 1
        self.stats.last_error = f"{type(exc).__name__}: {msg.title}"
        self.stats.last_error_at = now
        self.check_finished.emit(False)
        if isinstance(exc, errors.AuthenticationError):
            self.stop(Attention.SIGNED_OUT)
            self.sign_in_needed.emit(msg)
            return
        if isinstance(exc, errors.NoDirectAccessError):
            self.stop(Attention.REFUSED)  # only IT can open the road: checking again cannot help
            self.road_closed.emit(exc)
            return
        self.failures += 1
        network = isinstance(exc, errors.NetworkError)
        throttled = isinstance(exc, errors.ThrottledError)
        self.retry_after = getattr(exc, "retry_after", None) if throttled else None
        if network:
            self.network_down_since = self.network_down_since or now
            if now - self.network_down_since >= OFFLINE_ATTENTION:
                self.attention = Attention.OFFLINE
        elif isinstance(exc, errors.NotAllowedError) or self.failures >= 3:
            self.attention = Attention.REFUSED
        delay = next_delay(self.interval, failures=self.failures, retry_after=self.retry_after,
                           network=network, rng=self._rng)
        log.info("check failed (%s); next try in %.0f s", type(exc).__name__, delay)
        self._schedule(delay)
        self.changed.emit()


__all__ = ["Attention", "BackgroundChecker", "CheckStats", "Notice"]
