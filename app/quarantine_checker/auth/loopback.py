"""The app's own loopback listener for the browser sign-in redirect (RFC 8252 §7.3).

Why we own the redirect instead of calling ``acquire_token_interactive``:
MSAL's interactive call blocks inside its own loopback server and only returns on a response or its
timeout; the only way to cancel it from the app is an undocumented ``?error=abort`` visit. With
``initiate_auth_code_flow`` + this listener + ``acquire_token_by_auth_code_flow`` (all public API):
- Cancel and timeout are a loop on an Event we control, checked every 100 ms;
- the browser tab is told the *real* outcome (we answer it after the code was redeemed);
- responses whose ``state`` is not this sign-in's are refused, so another local process cannot end
  (or hijack) the sign-in by posting to the port first; PKCE still protects the code itself.

The redirect URI is ``http://localhost:<port>`` (what Entra accepts for public clients; it rejects
127.0.0.1). "localhost" may resolve to ::1 first, so the same port is held on 127.0.0.1 *and* ::1: had we
bound 127.0.0.1 only, another local process could bind that port on ::1 and receive the code. (Where the
machine has no IPv6 loopback, localhost can't reach ::1 either, and 127.0.0.1 alone is enough.)
Requests are never logged: the request line and body carry the authorization code.
"""

from __future__ import annotations

import errno
import html
import http.server
import socket
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from quarantine_checker.core.errors import SignInCancelled

from . import sign_in_errors as codes

MAX_BODY = 64 * 1024
_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;line-height:1.5}}</style></head>
<body><h1>{title}</h1><p>{text}</p></body></html>"""
SUCCESS = ("You're signed in", "You can close this tab and go back to Quarantine Checker.")
FAILURE = ("Sign-in didn't finish", "Go back to Quarantine Checker to see what happened.")


def _page(title: str, text: str) -> bytes:
    return _PAGE.format(title=html.escape(title), text=html.escape(text)).encode("utf-8")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False
    receiver: LoopbackReceiver


class _Server6(_Server):
    address_family = socket.AF_INET6


# The IPv4 port is free, but something already holds it on ::1: try another port.
_BIND_ATTEMPTS = 20
# No usable IPv6 loopback on this machine.
_NO_IPV6 = {errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT, getattr(errno, "EPROTONOSUPPORT", -1)}


def _bind_both() -> list[_Server]:
    """Servers on 127.0.0.1:<port> and ::1:<same port> (or 127.0.0.1 alone without IPv6 loopback)."""
    last: OSError | None = None
    for _ in range(_BIND_ATTEMPTS):
        v4 = _Server(("127.0.0.1", 0), _Handler)
        port = v4.server_address[1]
        try:
            v6 = _Server6(("::1", port), _Handler)
        except OSError as exc:
            if exc.errno in _NO_IPV6:
                return [v4]
            v4.server_close()
            last = exc
            continue
        return [v4, v6]
    raise last or OSError(errno.EADDRINUSE, "no loopback port free on both 127.0.0.1 and ::1")


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 10  # a half-open connection must not pin a handler thread

    def log_message(self, format: str, *args: Any) -> None:
        return  # silent on purpose: the request line carries the authorization code

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # form_post: what we ask the identity provider for
        if urlsplit(self.path).path not in ("", "/"):
            self._answer(404, _page("Not found", "Nothing here."))
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._answer(413, _page("Too large", "This is not a sign-in response."))
            return
        body = self.rfile.read(length).decode("utf-8", "replace")
        self._deliver(parse_qs(body, keep_blank_values=True))

    def do_GET(self) -> None:  # query mode, in case an identity provider ignores form_post
        parts = urlsplit(self.path)
        params = parse_qs(parts.query, keep_blank_values=True)
        if parts.path in ("", "/") and ("code" in params or "error" in params):
            self._deliver(params)
        else:
            self._answer(404, _page("Not found", "Nothing here."))

    def _deliver(self, raw: dict[str, list[str]]) -> None:
        params = {k: v[0] for k, v in raw.items() if v}
        status, page = self.server.receiver._offer(params)
        self._answer(status, page)


class LoopbackReceiver:
    """Listens on 127.0.0.1 and ::1 (one free port) for exactly one auth response whose state matches."""

    def __init__(self, *, answer_wait: float = 30.0) -> None:
        self._servers = _bind_both()
        for server in self._servers:
            server.receiver = self
        self.port: int = self._servers[0].server_address[1]
        self.redirect_uri = f"http://localhost:{self.port}"
        self._answer_wait = answer_wait
        self._lock = threading.Lock()
        self._expected_state: str | None = None
        self._params: dict[str, str] | None = None
        self._received = threading.Event()
        self._outcome = threading.Event()
        self._ok = False
        self._threads = [
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                             name="sign-in-loopback", daemon=True)
            for server in self._servers
        ]

    # --- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> LoopbackReceiver:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.finish(ok=self._ok)  # releases a browser tab still waiting for its page
        for server, thread in zip(self._servers, self._threads, strict=True):
            if thread.is_alive():
                server.shutdown()
                thread.join(timeout=2)
            server.server_close()

    # --- the exchange with the browser ------------------------------------------------------------
    def expect_state(self, state: str) -> None:
        self._expected_state = state

    def _offer(self, params: dict[str, str]) -> tuple[int, bytes]:
        with self._lock:
            if self._params is not None:
                return 409, _page("Already done", "This sign-in already finished. You can close this tab.")
            if not self._expected_state or params.get("state") != self._expected_state:
                return 400, _page("Not this sign-in", "This isn't from the sign-in in progress.")
            self._params = params
            self._received.set()
        self._outcome.wait(self._answer_wait)
        return (200, _page(*SUCCESS)) if self._ok else (200, _page(*FAILURE))

    def wait(self, *, timeout: float, cancel: threading.Event | None = None) -> dict[str, str]:
        """The auth response's parameters; ``SignInCancelled`` on cancel or timeout."""
        deadline = time.monotonic() + max(0.0, timeout)
        while not self._received.wait(0.1):
            if cancel is not None and cancel.is_set():
                raise SignInCancelled("Sign-in was cancelled.", code=codes.CANCELLED)
            if time.monotonic() >= deadline:
                raise SignInCancelled("Sign-in timed out waiting for the browser.", code=codes.TIMEOUT,
                                      timeout_seconds=timeout)
        assert self._params is not None
        return dict(self._params)

    def finish(self, *, ok: bool) -> None:
        """Tell the waiting browser tab how it ended (called once the code was redeemed, or not)."""
        self._ok = ok
        self._outcome.set()
