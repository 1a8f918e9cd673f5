"""One signed-in account's quarantine, shared by the window, the tray checker and the command line.

``MailboxSession`` owns what used to be spread over the window, the checker and the action runner: the
one ``Mailbox`` (so one client and one warm connection), the one listing, the caches of previews and
sender checks, the decision per message version, and what happens after an action (re-read the message;
while Microsoft is still preparing a release, look again a few times). Whoever changes something tells
everyone through ``subscribe``: a status changed through the CLI-shaped calls here shows in the window
and the tray alike, because they all watch this object.

Rules it keeps for every caller:

* One listing in flight per account (core/listing_gate.py). A second caller asking while one runs gets
  that one's answer if it answers its question (a full listing also answers "what changed"), otherwise
  it asks next; nothing is sent side by side.
* A server's Retry-After is a floor for every listing, whoever asks: until it has passed nothing is
  sent. An impatient caller (the tray's checker, which paces itself) gets ``ThrottledError`` with the
  remaining wait at once; a patient one (the window) waits it out, up to the gate's ``MAX_PATIENCE``.
* An action is never sent twice at once for one message.
* Every action the app sends is announced (``ChangeKind.SENT``) so the watch (notifications) knows the
  person asked, whoever sent it.

Blocking calls: run them off the UI thread. Observers are called on the calling thread, outside the
session's lock; a UI hands the change over to its own thread (ui/session_bridge.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from quarantine_checker.core.account import UserIdentity
from quarantine_checker.core.decision import Action, ActionDecision, SenderDoubt, decide, sender_doubt
from quarantine_checker.core.errors import CommandError
from quarantine_checker.core.listing_gate import ListingGate
from quarantine_checker.core.mailbox import Change, ChangeKind, ListResult, Mailbox, Preview, SenderCheck
from quarantine_checker.core.model import QuarantinedMessage, ReleaseStatus
from quarantine_checker.core.pacing import EVERY, pace
from quarantine_checker.core.sender_checks import analyse_headers

log = logging.getLogger(__name__)

# PREPARINGTORELEASE usually turns into RELEASED within seconds; look a few times before giving up and
# letting the next listing show it.
RELEASE_POLL_ATTEMPTS = 6
RELEASE_POLL_SECONDS = 1.0

Listener = Callable[[Change], None]


class ActionInProgressError(CommandError):
    """An action for this message is already on its way; a second one is not sent."""


def own_domains_of(account: UserIdentity) -> tuple[str, ...]:
    """The signed-in person's mail domains, to spot senders imitating them."""
    addresses = (*account.addresses, account.upn)
    return tuple(sorted({a.rsplit("@", 1)[-1].lower() for a in addresses if "@" in a}))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


_OLDEST = datetime.min.replace(tzinfo=UTC)


def _newest_first(messages: Iterable[QuarantinedMessage]) -> list[QuarantinedMessage]:
    return sorted(messages, key=lambda m: _aware(m.received_time) if m.received_time else _OLDEST,
                  reverse=True)


@dataclass(frozen=True)
class _Decided:
    message: QuarantinedMessage
    expired: bool
    day: object
    decision: ActionDecision


class MailboxSession:
    def __init__(
        self,
        mailbox: Mailbox,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
        poll_attempts: int = RELEASE_POLL_ATTEMPTS,
        poll_seconds: float = RELEASE_POLL_SECONDS,
    ) -> None:
        self.mailbox = mailbox
        self.account: UserIdentity = mailbox.account
        self.own_domains: tuple[str, ...] = own_domains_of(self.account)
        self._clock = clock
        self._sleep = sleep
        self.poll_attempts = poll_attempts
        self.poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        # The listing: replaced, never changed in place, so a reader holding it sees one consistent state.
        self._messages: dict[str, QuarantinedMessage] = {}
        self._listing: ListResult | None = None
        self._conflicting: frozenset[str] = frozenset()
        self.listed_at: datetime | None = None
        # One listing in flight, and a server's Retry-After, for everyone who lists this account.
        self._gate = ListingGate(clock=lambda: self._clock().timestamp(), sleep=sleep)
        self._key = f"{self.account.tenant_id}/{self.account.upn.lower()}"
        self._listing_now = False
        self._previews: dict[str, Preview] = {}
        self._checks: dict[str, SenderCheck] = {}
        self._decided: dict[str, _Decided] = {}
        self._acting: set[str] = set()
        self.closed = False

    # --- observing -------------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every ``Change``; returns the function that stops it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _tell(self, change: Change) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(change)
            except Exception:  # one observer's bug must not stop the others or the caller
                log.exception("a mailbox observer failed on %s", change.kind.value)

    def close(self) -> None:
        """Signed out: forget the listing and the caches; observers hear nothing more."""
        with self._lock:
            self.closed = True
            self._listeners.clear()
            self._messages, self._listing, self._conflicting = {}, None, frozenset()
            self._previews.clear()
            self._checks.clear()
            self._decided.clear()

    # --- the listing -----------------------------------------------------------------------------------
    @property
    def listing(self) -> ListResult | None:
        """The last full listing's result (its counts and ``truncated``), or None before the first."""
        return self._listing

    def messages(self) -> list[QuarantinedMessage]:
        """The held messages as known now (the last listing plus every change since), newest first."""
        return list(self._messages.values())

    def message(self, identity: str) -> QuarantinedMessage | None:
        return self._messages.get(identity)

    def conflicting(self) -> frozenset[str]:
        """Messages the service last listed in two disagreeing versions (shown as uncertain)."""
        return self._conflicting

    def listing_in_flight(self) -> bool:
        return self._listing_now

    def refresh(self, *, patient: bool = True, now: datetime | None = None) -> ListResult:
        """A full listing (or the one already on its way). Tells observers ``LISTED``, or ``FAILED``.
        ``now``: the caller's clock for the listing's window (the tray checker's, which tests move)."""
        return self._listing_call(full=True, patient=patient, since=None, overlap=timedelta(0), now=now)

    def check(self, since: datetime, *, overlap: timedelta, patient: bool = False,
              now: datetime | None = None) -> ListResult:
        """What may have changed since ``since`` (minus ``overlap``), merged into the listing: a message
        received in that window and no longer listed is gone. Tells observers ``UPDATED``/``REMOVED``.
        A full listing already on its way answers this too."""
        return self._listing_call(full=False, patient=patient, since=since, overlap=overlap, now=now)

    def _listing_call(self, *, full: bool, patient: bool, since: datetime | None,
                      overlap: timedelta, now: datetime | None) -> ListResult:
        def fetch() -> ListResult:
            at = now or self._clock()
            self._listing_now = True
            try:
                if since is None:
                    result = self.mailbox.list_messages(at, patient=patient)
                else:
                    result = self.mailbox.list_changes(since, overlap=overlap, now=at, patient=patient)
            except BaseException as exc:
                self._tell(Change(ChangeKind.FAILED, error=exc, full=full, at=at))
                raise
            finally:
                self._listing_now = False
            changes = self._apply(result, full=full, window_start=None if since is None else since - overlap,
                                  now=at)
            for change in changes:  # before the gate lets a waiting caller on: it sees the applied listing
                self._tell(change)
            return result

        if full:
            return self._gate.run(self._key, "full", fetch, patient=patient)
        return self._gate.run(self._key, f"changes {since} {overlap}", fetch, patient=patient,
                              accepts=("full",))

    def _apply(self, result: ListResult, *, full: bool, window_start: datetime | None,
               now: datetime) -> list[Change]:
        fresh: dict[str, QuarantinedMessage] = {}
        for n, m in enumerate(result.messages):
            if n % EVERY == 0:
                pace()  # a window painting meanwhile gets its turn (core/pacing.py)
            fresh[m.identity] = m
        with self._lock:
            if self.closed:
                return []
            old = self._messages
            if full:
                pace()
                gone = tuple(i for i in old if i not in fresh)
                pace()
                self._messages = fresh
                self._listing = result
                self._conflicting = result.conflicting
                self.listed_at = now
            else:
                assert window_start is not None
                start = _aware(window_start)
                gone = tuple(i for i, m in old.items() if i not in fresh and m.received_time is not None
                             and _aware(m.received_time) >= start)
                merged = {i: m for i, m in old.items() if i not in gone}
                merged.update(fresh)
                self._messages = {m.identity: m for m in _newest_first(merged.values())}
                listed_again = set(fresh) | set(gone)
                self._conflicting = frozenset(
                    {i for i in self._conflicting if i not in listed_again} | result.conflicting)
            for ident in gone:
                self._forget(ident)
        if full:
            return [Change(ChangeKind.LISTED, messages=tuple(result.messages), listing=result,
                           identities=gone, full=True, at=now)]
        changes = [Change(ChangeKind.UPDATED, messages=tuple(result.messages), listing=result, at=now)]
        if gone:
            changes.append(Change(ChangeKind.REMOVED, identities=gone, at=now))
        return changes

    def _forget(self, identity: str) -> None:
        self._previews.pop(identity, None)
        self._checks.pop(identity, None)
        self._decided.pop(identity, None)

    # --- what may be done --------------------------------------------------------------------------------
    def decision(self, message: QuarantinedMessage, now: datetime) -> ActionDecision:
        """``decide`` once per version of a message (and again only when it expires meanwhile)."""
        expired = message.is_expired(now)
        day = now.date() if expired else None
        hit = self._decided.get(message.identity)
        if hit is not None and hit.message is message and hit.expired == expired and hit.day == day:
            return hit.decision
        made = decide(message, now)
        self._decided[message.identity] = _Decided(message, expired, day, made)
        return made

    # --- one message's details ---------------------------------------------------------------------------
    def cached_preview(self, identity: str) -> Preview | None:
        return self._previews.get(identity)

    def preview(self, identity: str) -> Preview:
        hit = self._previews.get(identity)
        if hit is not None:
            return hit
        found = self.mailbox.preview(identity)
        with self._lock:
            self._previews[identity] = found
        self._tell(Change(ChangeKind.DETAILS, identities=(identity,)))
        return found

    def cached_sender_check(self, identity: str) -> SenderCheck | None:
        return self._checks.get(identity)

    def sender_check(self, identity: str, sender_address: str | None = None) -> SenderCheck:
        """The headers and what the sender checks made of them (read once per message)."""
        hit = self._checks.get(identity)
        if hit is not None:
            return hit
        text = self.mailbox.headers(identity)
        if sender_address is None:
            known = self._messages.get(identity)
            sender_address = known.sender_address if known is not None else ""
        found = SenderCheck(text, analyse_headers(text, sender_address, own_domains=self.own_domains))
        with self._lock:
            self._checks[identity] = found
        self._tell(Change(ChangeKind.DETAILS, identities=(identity,)))
        return found

    def headers(self, identity: str) -> str:
        return self.sender_check(identity).headers

    def sender_names(self) -> dict[str, str]:
        """identity -> the sender's display name, for the messages whose headers have been read."""
        return {i: c.report.display_name for i, c in list(self._checks.items()) if c.report.display_name}

    def confirmed_senders(self) -> frozenset[str]:
        """Identities whose sender checks confirmed the sender (the list puts them with the likely wanted)."""
        return frozenset(i for i, c in list(self._checks.items())
                         if sender_doubt(c.report) is SenderDoubt.CONFIRMED)

    # --- actions -------------------------------------------------------------------------------------------
    def is_busy(self, identity: str) -> bool:
        return identity in self._acting

    def act(self, action: Action, identity: str, *, note: str = "") -> QuarantinedMessage | None:
        """Send ``action`` for one message and return its new state (None once deleted)."""
        if action is Action.RELEASE:
            return self.release(identity)
        if action is Action.REPORT_NOT_JUNK:
            return self.release(identity, report_false_positive=True)
        if action is Action.REQUEST_RELEASE:
            return self.request_release(identity, note=note)
        if action is Action.DELETE:
            self.delete(identity)
            return None
        raise ValueError(f"{action} is not an action on the mailbox")

    def release(self, identity: str, *, report_false_positive: bool = False) -> QuarantinedMessage:
        action = Action.REPORT_NOT_JUNK if report_false_positive else Action.RELEASE
        with self._busy(identity):
            self.mailbox.release(identity, report_false_positive=report_false_positive)
            self._sent(identity, action)
            return self._reread(identity, poll=True)

    def request_release(self, identity: str, *, note: str = "") -> QuarantinedMessage:
        with self._busy(identity):
            self.mailbox.request_release(identity, note=note)
            self._sent(identity, Action.REQUEST_RELEASE)
            return self._reread(identity, poll=False)

    def delete(self, identity: str) -> None:
        with self._busy(identity):
            self.mailbox.delete(identity)
            self._sent(identity, Action.DELETE)
            with self._lock:
                self._messages = {i: m for i, m in self._messages.items() if i != identity}
                self._forget(identity)
            self._tell(Change(ChangeKind.REMOVED, identities=(identity,), at=self._clock()))

    def _sent(self, identity: str, action: Action) -> None:
        known = self._messages.get(identity)
        self._tell(Change(ChangeKind.SENT, messages=(known,) if known is not None else (),
                          identities=(identity,), action=action, at=self._clock()))

    def reread(self, identity: str) -> QuarantinedMessage:
        """Read one message again and tell everyone its new state."""
        return self._reread(identity, poll=False)

    def _reread(self, identity: str, *, poll: bool) -> QuarantinedMessage:
        message = self.mailbox.get_message(identity)
        attempts = 0
        while (poll and message.release_status is ReleaseStatus.PREPARINGTORELEASE
               and attempts < self.poll_attempts):
            self._sleep(self.poll_seconds)
            message = self.mailbox.get_message(identity)
            attempts += 1
        with self._lock:
            if identity in self._messages:  # same place in the list, new state
                self._messages = {i: (message if i == identity else m) for i, m in self._messages.items()}
            elif not self.closed:
                self._messages = {m.identity: m for m in _newest_first([*self._messages.values(), message])}
        self._tell(Change(ChangeKind.UPDATED, messages=(message,), identities=(identity,), at=self._clock()))
        return message

    class _Busy:
        def __init__(self, session: MailboxSession, identity: str) -> None:
            self.session, self.identity = session, identity

        def __enter__(self) -> None:
            with self.session._lock:
                if self.identity in self.session._acting:
                    raise ActionInProgressError("An action for this message is already on its way",
                                                reason="action_in_progress")
                self.session._acting.add(self.identity)

        def __exit__(self, *exc: object) -> None:
            with self.session._lock:
                self.session._acting.discard(self.identity)

    def _busy(self, identity: str) -> MailboxSession._Busy:
        return MailboxSession._Busy(self, identity)
