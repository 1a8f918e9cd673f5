"""A small threaded HTTPS server for the demo tenant's endpoints (127.0.0.1, ephemeral port)."""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger("quarantine_checker.demo.http")

MAX_BODY = 16 * 1024 * 1024


class HttpsServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(
        self, host: str, port: int, handler: type[BaseHTTPRequestHandler], context: ssl.SSLContext, app: Any
    ) -> None:
        self.context = context
        self.app = app
        super().__init__((host, port), handler)
        self._thread: threading.Thread | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = self.socket.accept()
        # Handshake lazily in the request thread, so one slow client can't stall accept().
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection from %s ended with an error", client_address, exc_info=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self, name: str) -> None:
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "QuarantineCheckerDemo/1.0"
    sys_version = ""
    timeout = 30

    def read_body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length <= 0:
            return b""
        return self.rfile.read(min(length, MAX_BODY))

    def send_bytes(
        self,
        status: int,
        body: bytes,
        content_type: str | None = "application/json; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> int:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return len(body)

    def drop(self) -> None:
        """Close the socket without answering (a dropped connection as the client sees it)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: Any) -> None:
        # The request line can carry a $skiptoken; keep it out of stderr, debug log only.
        log.debug("%s %s", self.address_string(), format % args)
