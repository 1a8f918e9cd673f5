"""Running the API on uvicorn: in the foreground (``serve``) or on a thread (the demo and the tests)."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from quarantine_service.api import create_app
from quarantine_service.service import Service


def _uvicorn_config(service: Service, port: int | None = None) -> uvicorn.Config:
    cfg = service.config
    certfile = keyfile = None  # uvicorn's defaults: plain HTTP
    if cfg.tls_certificate is not None and cfg.tls_key is not None:
        certfile, keyfile = str(cfg.tls_certificate), str(cfg.tls_key)
    return uvicorn.Config(create_app(service), host=cfg.host, port=cfg.port if port is None else port,
                          log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2,
                          ssl_certfile=certfile, ssl_keyfile=keyfile)


class _ForegroundServer(uvicorn.Server):
    """uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown, which would end the process before
    the sweep thread and the database are closed; here the signal only starts the shutdown."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        original = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def serve(service: Service) -> None:
    """Blocks until SIGINT/SIGTERM, then finishes the sweep in progress and closes the database."""
    service.start_sweeping()
    try:
        _ForegroundServer(_uvicorn_config(service)).run()
    finally:
        service.close()


class BackgroundServer:
    """The service on a thread, for ``quarantine-checker demo-server`` and the tests."""

    def __init__(self, service: Service, *, sweep: bool = True) -> None:
        self.service = service
        self.config_file: Path | None = None  # where its config file is, when one was written for it
        self._sweep = sweep
        self._server = uvicorn.Server(_uvicorn_config(service))
        self._thread = threading.Thread(target=self._server.run, name="qc-service-http", daemon=True)

    def start(self, timeout: float = 20) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the service did not start listening")
            time.sleep(0.02)
        if self._sweep:
            self.service.start_sweeping()
        return self

    @property
    def port(self) -> int:
        return int(self._server.servers[0].sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        scheme = "https" if self.service.config.tls_certificate else "http"
        host = self.service.config.host
        return f"{scheme}://{host}:{self.port}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=1)
        if self._thread.is_alive():
            # Idle TLS keep-alive connections and open event streams would hold a graceful shutdown
            # for its whole timeout; nothing is lost by not waiting for them here.
            self._server.force_exit = True
            self._thread.join(timeout=10)
        self.service.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
