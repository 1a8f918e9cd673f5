"""Talking to the service over real HTTPS in tests: a JSON client and a Server-Sent-Events reader."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

from quarantine_checker.demo.tenant import DemoTenant
from quarantine_service.server import BackgroundServer
from quarantine_service.sweep import SweepResult


def path_id(identity: str) -> str:
    """A message id (GUID\\GUID) as one path segment."""
    return quote(identity, safe="")


class Api:
    def __init__(self, base_url: str, ca_file: str) -> None:
        self.base = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.verify = ca_file
        self.session.trust_env = False

    def call(self, method: str, path: str, token: str | None = None, *, json_body: Any = None,
             headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        hdrs = dict(headers or {})
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        return self.session.request(method, self.base + path, headers=hdrs, json=json_body, timeout=30,
                                    **kwargs)

    def get(self, path: str, token: str | None = None, **kw: Any) -> requests.Response:
        return self.call("GET", path, token, **kw)

    def post(self, path: str, token: str | None = None, **kw: Any) -> requests.Response:
        return self.call("POST", path, token, **kw)

    def delete(self, path: str, token: str | None = None, **kw: Any) -> requests.Response:
        return self.call("DELETE", path, token, **kw)

    def ok(self, method: str, path: str, token: str, **kw: Any) -> Any:
        resp = self.call(method, path, token, **kw)
        assert resp.status_code < 300, (resp.status_code, resp.text)
        return resp.json() if resp.content else None


@dataclass
class SseEvent:
    event: str = "message"
    data: str = ""
    id: str | None = None
    comment: bool = False

    def json(self) -> Any:
        return json.loads(self.data) if self.data else None


@dataclass
class EventStream:
    """One open event stream, read on a thread into a queue so tests can wait with a timeout."""

    response: requests.Response
    events: queue.Queue[SseEvent | None] = field(default_factory=queue.Queue)
    closed: threading.Event = field(default_factory=threading.Event)

    def start(self) -> EventStream:
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self) -> None:
        current = SseEvent()
        try:
            for raw in self.response.iter_lines(decode_unicode=True):
                line = raw if isinstance(raw, str) else raw.decode()
                if line == "":
                    if current.data or current.event != "message" or current.id is not None:
                        self.events.put(current)
                    current = SseEvent()
                elif line.startswith(":"):
                    self.events.put(SseEvent(event="", data=line[1:].strip(), comment=True))
                else:
                    name, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if name == "event":
                        current.event = value
                    elif name == "data":
                        current.data = f"{current.data}\n{value}" if current.data else value
                    elif name == "id":
                        current.id = value
        except (requests.RequestException, ValueError, AttributeError):
            pass
        finally:
            self.closed.set()
            self.events.put(None)

    def next(self, timeout: float = 5.0, *, skip_comments: bool = True) -> SseEvent | None:
        """The next event (None when the stream ended); raises queue.Empty on timeout."""
        while True:
            item = self.events.get(timeout=timeout)
            if item is None or not (skip_comments and item.comment):
                return item

    def wait_for(self, kind: str, timeout: float = 5.0) -> SseEvent:
        while True:
            item = self.next(timeout)
            assert item is not None, f"stream ended before a {kind!r} event"
            if item.event == kind:
                return item

    def close(self) -> None:
        """Hang up now, as an app that quits does. Closing the response alone would wait for the reader
        thread's blocked read (up to a heartbeat); shutting the socket down ends it at once."""
        with contextlib.suppress(AttributeError, OSError):
            self.response.raw._fp.fp.raw._sock.shutdown(socket.SHUT_RDWR)
        self.response.close()


def open_stream(api: Api, token: str, *, last_event_id: str | None = None) -> EventStream | requests.Response:
    headers = {"Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    resp = api.session.get(api.base + "/v1/events", headers={**headers, "Authorization": f"Bearer {token}"},
                           stream=True, timeout=(5, 30))
    if resp.status_code != 200:
        return resp
    return EventStream(resp).start()


DOMAIN = "northwind.example"
ALICE = f"alice@{DOMAIN}"
ALICE_ALIAS = f"a.moreau@{DOMAIN}"
BOB = f"bob@{DOMAIN}"
ADMIN = f"it-admin@{DOMAIN}"
SHARED = f"accounts@{DOMAIN}"


class RunningService:
    def __init__(self, tenant: DemoTenant, server: BackgroundServer) -> None:
        self.tenant = tenant
        self.server = server
        self.service = server.service
        self.api = Api(server.url, str(tenant.ca_file))

    def sweep(self, *, reconcile: bool = False) -> SweepResult:
        result = self.service.sweeper.run_once(reconcile=reconcile)
        assert result.ok, result
        return result

    def token(self, upn: str, **kwargs: Any) -> str:
        return self.tenant.user_api_token(upn, **kwargs)
