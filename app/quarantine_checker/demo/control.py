"""The demo tenant's control API: the Python handle over HTTPS, for other processes (UI demos, CLI).

Everything lives under ``/_control/<random key>/``; a wrong key is a plain 404. JSON in, JSON out.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from quarantine_checker.demo.cmdlets import CmdletError
from quarantine_checker.demo.httpserver import Handler, HttpsServer
from quarantine_checker.demo.service_side import control_routes
from quarantine_checker.demo.store import UnknownMessage
from quarantine_checker.demo.tls import TlsMaterial

if TYPE_CHECKING:
    from quarantine_checker.demo.tenant import DemoTenant

log = logging.getLogger("quarantine_checker.demo.control")


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ControlServer:
    def __init__(self, tenant: DemoTenant, tls: TlsMaterial, key: str, *, host: str = "127.0.0.1") -> None:
        self.tenant = tenant
        self.key = key
        self._server = HttpsServer(host, 0, _ControlHandler, tls.server_context(), self)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._server.port}/_control/{self.key}"

    def start(self) -> None:
        self._server.start("demo-control")

    def stop(self) -> None:
        self._server.stop()

    # --- operations --------------------------------------------------------------------------------
    def dispatch(self, method: str, op: str, body: dict[str, Any]) -> Any:
        t = self.tenant
        routes: dict[tuple[str, str], Callable[[], Any]] = {
            ("GET", "state"): lambda: {
                "messages": len(t.store),
                "mailboxes": t.store.counts(),
                "faults": t._need().faults.pending(),
                "end_user_cmdlets": t.end_user_cmdlets,
            },
            ("POST", "end-user-cmdlets"): _then(
                lambda: t.set_end_user_cmdlets(_str(body, "world")),
                lambda: {"end_user_cmdlets": t.end_user_cmdlets},
            ),
            ("POST", "approve"): _then(lambda: t.approve(_str(body, "identity"))),
            ("POST", "deny"): _then(lambda: t.deny(_str(body, "identity"))),
            ("POST", "messages"): lambda: {"identity": self._add_message(body)},
            ("POST", "faults"): _then(lambda: self._add_fault(body)),
            ("POST", "faults/clear"): _then(t.clear_faults),
            ("GET", "log"): lambda: [dataclasses.asdict(r) for r in list(t.requests_log)],
            ("POST", "log/clear"): _then(t.clear_log),
            ("POST", "bulk"): _then(
                lambda: t.bulk_load(_str(body, "upn"), _int(body, "count"), days=_int(body, "days", 29))
            ),
            ("POST", "revoke"): _then(lambda: t.revoke_sessions(_str(body, "upn"))),
            ("POST", "clock/advance"): _then(lambda: t.clock.advance(float(body.get("seconds", 0)))),
        }
        routes.update(control_routes(t, body))  # the organisation service's side (service_side.py)
        handler = routes.get((method, op))
        if handler is None:
            raise ControlError(404, f"no control operation {method} {op}")
        try:
            return handler()
        except UnknownMessage as exc:
            raise ControlError(404, f"no message with identity {exc.args[0]!r}") from None
        except KeyError as exc:
            raise ControlError(400, f"unknown or missing value: {exc.args[0]}") from None
        except CmdletError as exc:
            raise ControlError(409, exc.message) from None
        except (ValueError, TypeError) as exc:
            raise ControlError(400, str(exc)) from None

    def _add_message(self, body: dict[str, Any]) -> str:
        fields = dict(body)
        recipient = fields.pop("recipient", None)
        if not isinstance(recipient, str | list) or not recipient:
            raise ValueError("'recipient' (string or list) is required")
        return self.tenant.add_message(recipient, **fields)

    def _add_fault(self, body: dict[str, Any]) -> None:
        params = dict(body)
        kind = params.pop("kind", None)
        if not isinstance(kind, str):
            raise ValueError("'kind' is required")
        count = int(params.pop("count", 1) or 1)
        cmdlet = params.pop("cmdlet", None)
        self.tenant.inject_fault(kind, count=count, cmdlet=cmdlet, **params)


def _then(action: Callable[[], None], reply: Callable[[], Any] = lambda: {"ok": True}) -> Callable[[], Any]:
    """An operation that does something and then answers (``{"ok": true}`` unless said otherwise)."""

    def run() -> Any:
        action()
        return reply()

    return run


def _str(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"'{key}' (string) is required")
    return value


def _int(body: dict[str, Any], key: str, default: int | None = None) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"'{key}' (integer) is required")
    return value


class _ControlHandler(Handler):
    server: HttpsServer

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        control: ControlServer = self.server.app
        raw = self.read_body()
        prefix = f"/_control/{control.key}/"
        path = self.path.split("?")[0]
        if not path.startswith(prefix):
            self.send_bytes(404, b"Not Found", "text/plain")
            return
        op = path[len(prefix) :].strip("/")
        try:
            body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
            if not isinstance(body, dict):
                raise ControlError(400, "the body must be a JSON object")
            result = control.dispatch(self.command, op, body)
            status = 200
        except ControlError as exc:
            result, status = {"error": exc.message}, exc.status
        except ValueError:
            result, status = {"error": "the body is not valid JSON"}, 400
        self.send_bytes(status, json.dumps(result, default=str).encode("utf-8"))
