"""The service's live events: one long-lived Server-Sent Events stream, resumed; a poll if it can't be held.

A reader thread holds ``GET /v1/events`` and hands each event to a dispatcher thread, which waits a
moment for more (a resume after sleep delivers the missed ones in a burst) and calls ``on_events`` with
the batch. Resume: every reconnect sends ``Last-Event-ID`` (the last id delivered), so nothing missed
while asleep or offline is lost and nothing is delivered twice. Reconnects back off (1 s doubling to
``max_backoff``) while the service is unreachable, and ``on_state`` says so ("unreachable"), then "live"
again when it is back: no restart, no sign-in.

Fallback poll: a proxy that buffers responses lets the stream open but never passes an event through
(not even the service's "ready" greeting). After ``BUFFERED_LIMIT`` such opens the feed polls the
service's changes cursor every ``poll_seconds`` instead ("polling"), makes events up from what changed,
and tries the stream again every ``stream_retry_seconds``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests
import sseclient

from quarantine_checker.core import errors as e
from quarantine_checker.core.model import QuarantinedMessage, ReleaseStatus
from quarantine_checker.core.service_events import ServiceEvent
from quarantine_checker.orgservice.client import API
from quarantine_checker.orgservice.mailbox import ServiceMailbox

log = logging.getLogger(__name__)

BUFFERED_LIMIT = 2
BATCH_SECONDS = 0.25  # how long the dispatcher waits for more after an event (a resume's burst)
LIVE, POLLING, UNREACHABLE, REFUSED, STOPPED = "live", "polling", "unreachable", "refused", "stopped"
_QUIET = object()


def _event(raw: Any) -> ServiceEvent | None:
    try:
        data = json.loads(raw.data) if raw.data else {}
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    identity = data.get("message_id")
    at = None
    if isinstance(data.get("at"), str):
        with contextlib.suppress(ValueError):
            at = datetime.fromisoformat(data["at"])
    return ServiceEvent(str(raw.id or ""), str(raw.event or "message")[:40],
                        identity if isinstance(identity, str) else "", at)


def _shut(response: requests.Response) -> None:
    """End a stream another thread is blocked reading. ``close()`` alone does not wake a blocked read
    (it would wait for the next heartbeat), so the socket is shut down first (urllib3 2 keeps it on the
    raw response's connection while streaming)."""
    with contextlib.suppress(Exception):
        connection = response.raw._connection
        if connection is not None:
            connection.sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):
        response.close()


class EventFeed:
    def __init__(self, mailbox: ServiceMailbox, on_events: Callable[[list[ServiceEvent]], None],
                 on_state: Callable[[str, BaseException | None], None] = lambda s, x: None, *,
                 last_event_id: str | None = None, read_timeout: float = 45.0, poll_seconds: float = 30.0,
                 stream_retry_seconds: float = 300.0, max_backoff: float = 30.0) -> None:
        self.mailbox = mailbox
        self.on_events = on_events
        self.on_state = on_state
        self.last_event_id = last_event_id
        self.read_timeout = read_timeout  # > the service's heartbeat (15 s): silence this long = dead
        self.poll_seconds = poll_seconds
        self.stream_retry_seconds = stream_retry_seconds
        self.max_backoff = max_backoff
        self.state = ""
        self._stop = threading.Event()
        self._queue: queue.Queue[Any] = queue.Queue()
        self._response: requests.Response | None = None
        self._threads: list[threading.Thread] = []
        self._known: dict[str, ReleaseStatus] | None = None

    # --- life -------------------------------------------------------------------------------------------
    def start(self) -> EventFeed:
        for target, name in ((self._read_loop, "service-events"), (self._dispatch_loop, "service-dispatch")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._queue.put(_QUIET)
        response = self._response
        if response is not None:
            _shut(response)
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)

    def _set_state(self, state: str, error: BaseException | None = None) -> None:
        if state != self.state or error is not None:
            self.state = state
            try:
                self.on_state(state, error)
            except Exception:  # an observer's bug must not end the feed
                log.exception("event feed: state observer failed")

    # --- the reader -------------------------------------------------------------------------------------
    def _read_loop(self) -> None:
        backoff, buffered = 1.0, 0
        while not self._stop.is_set():
            if buffered >= BUFFERED_LIMIT:
                self._poll_for(self.stream_retry_seconds)
                buffered = BUFFERED_LIMIT - 1  # one more silent open and it polls again
                continue
            try:
                greeted = self._hold_stream()
            except (e.OrgServiceTokenRefusedError, e.OrgServiceVersionError, e.NotAllowedError,
                    e.AuthenticationError) as exc:
                # Waiting won't fix these quickly; keep trying slowly so a fixed set-up heals by itself.
                self._set_state(REFUSED, exc)
                self._stop.wait(self.max_backoff * 4)
                continue
            except e.QuarantineCheckerError as exc:
                self._set_state(UNREACHABLE, exc)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            if greeted:
                backoff, buffered = 1.0, 0
            else:
                buffered += 1
        self._set_state(STOPPED)

    def _hold_stream(self) -> bool:
        """One connection, read until it ends. True if the service's greeting came through."""
        headers = {"Last-Event-ID": self.last_event_id} if self.last_event_id else {}
        try:
            response = self.mailbox.client.stream(f"{API}/events", headers, self.read_timeout)
        except e.OrgServiceUnreachableError as exc:
            if exc.details.get("kind") == "ReadTimeout":
                return False  # connected, but not even the headers came back: something holds the stream
            raise
        self._response = response
        greeted = False
        try:
            for raw in sseclient.SSEClient(response.iter_content(chunk_size=None)).events():
                if self._stop.is_set():
                    break
                if raw.event == "ready":
                    greeted = True
                    if self.last_event_id is None and raw.id:
                        self.last_event_id = str(raw.id)
                    self._set_state(LIVE)
                    continue
                if raw.event == "token_expired":
                    break  # reconnect now: the next request takes a fresh token
                event = _event(raw)
                if event is None:
                    continue
                if event.id:
                    self.last_event_id = event.id
                self._queue.put(event)
        except (requests.RequestException, OSError, AttributeError, ValueError) as exc:
            # The connection dropped (sleep, network, the service stopped) or the read timed out.
            if not self._stop.is_set():
                self._set_state(UNREACHABLE, e.OrgServiceUnreachableError(
                    "The event stream was cut.", kind=type(exc).__name__))
        finally:
            self._response = None
            with contextlib.suppress(Exception):
                response.close()
        return greeted

    # --- the fallback poll ------------------------------------------------------------------------------
    def _poll_for(self, seconds: float) -> None:
        self._set_state(POLLING)
        until = time.monotonic() + seconds
        while not self._stop.is_set() and time.monotonic() < until:
            try:
                self.poll_once()
            except e.QuarantineCheckerError as exc:
                self._set_state(UNREACHABLE, exc)
            else:
                self._set_state(POLLING)
            self._stop.wait(self.poll_seconds)

    def poll_once(self) -> list[ServiceEvent]:
        """Ask the changes cursor what changed and make events of it (queued for the dispatcher)."""
        mailbox = self.mailbox
        if self._known is None or mailbox.cursor is None:
            listing = mailbox.list_messages()
            first = self._known is None
            self._known = {m.identity: m.release_status for m in listing.messages}
            if first:
                return []
            changed: tuple[QuarantinedMessage, ...] = tuple(listing.messages)
            removed: tuple[str, ...] = ()
        else:
            found = mailbox.changes()
            changed, removed = found.messages, found.removed
        made = []
        now = datetime.now(UTC)
        for message in changed:
            before = self._known.get(message.identity)
            after = message.release_status
            self._known[message.identity] = after
            kind = None
            released = (ReleaseStatus.RELEASED, ReleaseStatus.PREPARINGTORELEASE)
            if before is None:
                kind = "held"
            elif after in released and before not in released and not message.permission_to_release:
                kind = "request_approved"  # the employee could not release it: IT did (between two polls
                # the request and its answer may both have happened)
            elif after is ReleaseStatus.DENIED and before is not ReleaseStatus.DENIED:
                kind = "request_declined"
            made.append(ServiceEvent("", kind or "changed", message.identity, now))
        for identity in removed:
            self._known.pop(identity, None)
            made.append(ServiceEvent("", "gone", identity, now))
        for event in made:
            self._queue.put(event)
        return made

    # --- the dispatcher ---------------------------------------------------------------------------------
    def _dispatch_loop(self) -> None:
        while not self._stop.is_set():
            first = self._queue.get()
            if first is _QUIET or self._stop.is_set():
                continue
            batch = [first]
            while True:
                try:
                    more = self._queue.get(timeout=BATCH_SECONDS)
                except queue.Empty:
                    break
                if more is _QUIET:
                    break
                batch.append(more)
            try:
                self.on_events(batch)
            except Exception:  # the observer's bug must not end the feed
                log.exception("event feed: observer failed")
