"""A reverse proxy that buffers whole responses before passing them on, as some corporate TLS-inspecting
proxies do: ordinary calls work, but a Server-Sent Events stream never passes a byte (it never ends).
It terminates TLS with the demo tenant's certificate, so the app trusts it exactly as it would such a
proxy's, and forwards to the real service over HTTPS."""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class BufferingProxy:
    def __init__(self, upstream: str, cert: Path, key: Path, ca_file: Path) -> None:
        upstream_session = requests.Session()
        upstream_session.verify = str(ca_file)
        upstream_session.trust_env = False

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP | {"host"}}
                try:
                    # The whole response first (stream=False): an event stream never finishes here.
                    answer = upstream_session.request(self.command, upstream + self.path, data=body,
                                                      headers=headers, timeout=(5, None))
                except requests.RequestException:
                    self.send_error(502)
                    return
                self.send_response(answer.status_code)
                for k, v in answer.headers.items():
                    if k.lower() not in _HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_DELETE = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert), str(key))
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
