"""The Exchange Online emulator: InvokeCommand and EXOModuleFile over HTTPS (spec §5).

Routes: ``POST /adminapi/beta/{tid}/InvokeCommand`` (plus ``GET``/``POST`` with ``$skiptoken`` to
follow an ``@odata.nextLink``) and ``GET /adminapi/v1.0/{tid}/EXOModuleFile`` (header ``CommandName``).
Each request is recorded in ``requests_log`` with the Authorization value redacted; tokens and mail
content never reach the log.
"""

from __future__ import annotations

import collections
import json
import logging
import math
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

from quarantine_checker.demo import app_only, end_user_access
from quarantine_checker.demo.cmdlets import (
    T_COMMAND_NOT_FOUND,
    T_OPERATION,
    CmdletError,
    CmdletForbidden,
    Cmdlets,
)
from quarantine_checker.demo.directory import EXCHANGE_AUDIENCE, Caller, DemoUser, Directory, InvalidToken
from quarantine_checker.demo.faults import MODULE_FILE, Fault, FaultPlan
from quarantine_checker.demo.httpserver import Handler, HttpsServer
from quarantine_checker.demo.store import QuarantineStore
from quarantine_checker.demo.tls import TlsMaterial
from quarantine_checker.demo.wire import envelope, error_envelope

log = logging.getLogger("quarantine_checker.demo.exchange")

ROUTE = re.compile(
    r"^/adminapi/(?P<ver>beta|v1\.0)/(?P<tid>[^/]+)/(?P<ep>InvokeCommand|EXOModuleFile)/?$", re.IGNORECASE
)
JSON_TYPE = (
    "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"
)
AFFINITY_COOKIE = "X-BackEndCookie"
WWW_AUTHENTICATE = 'Bearer client_id="00000002-0000-0ff1-ce00-000000000000", error="invalid_token"'
NEXTLINK_TTL = 30 * 60.0
MODULE_VERSION = "3.7.1"


@dataclass
class RequestRecord:
    time: float
    method: str
    host: str
    path: str
    status: int
    caller: str | None
    cmdlet: str | None
    parameters: dict[str, Any]
    headers: dict[str, str]
    cookie_seen: bool
    response_bytes: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class _Continuation:
    caller: str
    rows: list[dict[str, Any]]
    created: float = field(default_factory=time.monotonic)


class _RateLimiter:
    """At most ``per_second`` requests per sliding window (longer than a second for rates below 1)."""

    def __init__(self, per_second: float) -> None:
        self.window = max(1.0, 1.0 / per_second)
        self.capacity = max(1, int(per_second * self.window))
        self._hits: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def retry_after(self) -> int | None:
        """``None`` if this request may go ahead, else whole seconds until one will."""
        now = time.monotonic()
        with self._lock:
            while self._hits and now - self._hits[0] >= self.window:
                self._hits.popleft()
            if len(self._hits) >= self.capacity:
                return max(1, math.ceil(self.window - (now - self._hits[0])))
            self._hits.append(now)
            return None


def redact_headers(headers: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in headers.items():
        name = key.lower()
        if name == "authorization":
            value = "Bearer <redacted>" if value.lower().startswith("bearer") else "<redacted>"
        out[name] = value
    return out


class ExchangeEmulator:
    def __init__(
        self,
        directory: Directory,
        store: QuarantineStore,
        tls: TlsMaterial,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit_per_second: float | None = None,
        end_user_cmdlets: str = end_user_access.DENIED,
    ) -> None:
        self.directory = directory
        self.end_user_cmdlets = end_user_access.check_world(end_user_cmdlets)
        self.store = store
        self.cmdlets = Cmdlets(store)
        self.faults = FaultPlan()
        self.requests_log: list[RequestRecord] = []
        self.disabled_users: set[str] = set()  # Set-User -EXOModuleEnabled $false
        self.rate_limiter = _RateLimiter(rate_limit_per_second) if rate_limit_per_second else None
        self._log_lock = threading.Lock()
        self._affinity: set[str] = set()
        self._continuations: dict[str, _Continuation] = {}
        self._server = HttpsServer(host, port, _ExchangeHandler, tls.server_context(), self)

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self._server.port}"

    @property
    def port(self) -> int:
        return self._server.port

    def start(self) -> None:
        self._server.start("demo-exchange")

    def stop(self) -> None:
        self._server.stop()

    def clear_log(self) -> None:
        with self._log_lock:
            self.requests_log.clear()

    def record(self, rec: RequestRecord) -> None:
        with self._log_lock:
            self.requests_log.append(rec)
        log.info(
            "%s %s -> %d caller=%s cmdlet=%s",
            rec.method,
            rec.path.split("?")[0],
            rec.status,
            rec.caller,
            rec.cmdlet,
        )

    def set_exo_module_enabled(self, upn: str, enabled: bool) -> None:
        if enabled:
            self.disabled_users.discard(upn.lower())
        else:
            self.disabled_users.add(upn.lower())

    def new_affinity_cookie(self) -> str:
        value = secrets.token_hex(16)
        with self._log_lock:
            self._affinity.add(value)
        return value

    def cookie_seen(self, header: str | None) -> bool:
        if not header:
            return False
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(header)
        except Exception:
            return False
        morsel = cookie.get(AFFINITY_COOKIE)
        with self._log_lock:
            return morsel is not None and morsel.value in self._affinity

    def save_continuation(self, caller: str, rows: list[dict[str, Any]]) -> str:
        token = secrets.token_urlsafe(24)
        with self._log_lock:
            now = time.monotonic()
            for key in [k for k, c in self._continuations.items() if now - c.created > NEXTLINK_TTL]:
                del self._continuations[key]
            self._continuations[token] = _Continuation(caller, rows)
        return token

    def take_continuation(self, token: str, caller: str) -> list[dict[str, Any]] | None:
        with self._log_lock:
            cont = self._continuations.pop(token, None)
        if cont is None or cont.caller != caller or time.monotonic() - cont.created > NEXTLINK_TTL:
            return None
        return cont.rows


class _Reply(Exception):
    """Raised inside a request to answer right away."""

    def __init__(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = JSON_TYPE,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status)
        self.status, self.body, self.content_type, self.headers = status, body, content_type, headers or {}


def _json(obj: Any) -> bytes:
    try:
        return json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        # Text that is not valid Unicode (a lone surrogate in a subject) goes out as a \uD800 escape,
        # as .NET's serialiser writes it.
        return json.dumps(obj, ensure_ascii=True).encode("ascii")


def _first(values: list[str] | None) -> str | None:
    """The first of a query parameter's values (parse_qs lists them), or None when it is absent."""
    return values[0] if values else None


def _retry_after(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    seconds = float(value)
    return {"Retry-After": str(int(seconds)) if seconds.is_integer() else f"{seconds:g}"}


def _throttled(retry_after: Any) -> _Reply:
    """The 429 both the rate limit and the "throttle" fault answer with."""
    return _Reply(
        429,
        _json(
            error_envelope(
                "The request was throttled. Please try again later.",
                "Microsoft.Exchange.Admin.ThrottlingException",
                code="TooManyRequests",
            )
        ),
        headers=_retry_after(retry_after),
    )


class _ExchangeHandler(Handler):
    server: HttpsServer

    @property
    def emu(self) -> ExchangeEmulator:
        return self.server.app

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    # --- one request --------------------------------------------------------------------------------
    def _handle(self) -> None:
        started = time.time()
        body = self.read_body()
        self._caller: DemoUser | None = None
        self._identity: Caller | None = None
        self._cmdlet: str | None = None
        self._params: dict[str, Any] = {}
        reply: _Reply | None = None
        try:
            self._serve(body)
        except _Reply as answer:
            reply = answer
        except _Dropped:
            pass
        except Exception:
            log.exception("emulator bug while serving %s", self.path.split("?")[0])
            reply = _Reply(500, _json(error_envelope("Internal emulator error", "System.Exception")))
        # Recorded before the answer goes out: once a client has its answer it may send the next
        # request, whose record must not overtake this one.
        self.emu.record(
            RequestRecord(
                time=started,
                method=self.command,
                host=self.headers.get("Host", ""),
                path=self.path,
                status=reply.status if reply is not None else 0,
                caller=self._caller.upn if self._caller else None,
                cmdlet=self._cmdlet,
                parameters=self._params,
                headers=redact_headers(self.headers),
                cookie_seen=self.emu.cookie_seen(self.headers.get("Cookie")),
                response_bytes=len(reply.body) if reply is not None and self.command != "HEAD" else 0,
            )
        )
        if reply is not None:
            self.send_bytes(reply.status, reply.body, reply.content_type, reply.headers)

    def _serve(self, body: bytes) -> None:
        emu = self.emu
        url = urlsplit(self.path)
        m = ROUTE.match(url.path)
        if not m:
            raise _Reply(404, b"Not Found", "text/plain")
        endpoint = m.group("ep").lower()
        if (endpoint == "invokecommand") != (m.group("ver").lower() == "beta"):
            raise _Reply(404, b"Not Found", "text/plain")
        self._base = f"https://{self.headers.get('Host') or '127.0.0.1'}"
        query = parse_qs(url.query)
        skiptoken = _first(query.get("$skiptoken"))
        parsed: tuple[str, dict[str, Any]] | None = None
        if endpoint == "invokecommand" and self.command == "POST" and not skiptoken:
            parsed = self._parse_invoke(body)
            if parsed:
                self._cmdlet, self._params = parsed
        elif endpoint == "exomodulefile":
            self._params = {
                "CommandName": self.headers.get("CommandName"),
                **{k: v[0] for k, v in query.items()},
            }

        self._identity = self._authenticate()
        self._caller = self._identity.user if self._identity else None
        fault = emu.faults.take(
            MODULE_FILE if endpoint == "exomodulefile" else self._cmdlet,
            self._caller.upn if self._caller else None,
        )
        if fault is not None:
            self._apply_fault(fault)

        if m.group("tid").lower() not in (emu.directory.tenant_id.lower(), emu.directory.domain.lower()):
            raise _Reply(
                404,
                _json(
                    error_envelope(
                        f"The tenant '{m.group('tid')[:100]}' could not be found.",
                        "Microsoft.Exchange.Data.Directory.TenantNotFoundException",
                        code="NotFound",
                    )
                ),
            )
        if self._caller is None:
            raise _Reply(
                401,
                _json(
                    {
                        "error": {
                            "code": "InvalidAuthenticationToken",
                            "message": "The access token is missing, invalid or expired.",
                        }
                    }
                ),
                headers={"WWW-Authenticate": WWW_AUTHENTICATE},
            )
        if self._caller.upn.lower() in emu.disabled_users:
            raise _Reply(403, b"\x00" * 4096, None)
        assert self._identity is not None
        app_refusal = app_only.refusal(
            emu.directory, self._identity, endpoint, self.headers.get("client-request-id")
        )
        if app_refusal is not None:
            raise _Reply(app_refusal[0], app_refusal[1], JSON_TYPE if app_refusal[0] == 401 else None)
        if self._refused_by_role(endpoint, skiptoken):
            body = end_user_access.refusal_body(
                self._cmdlet or "Get-QuarantineMessage", self.headers.get("client-request-id")
            )
            raise _Reply(401, body)  # no WWW-Authenticate: the token is fine, the role is missing
        wait = emu.rate_limiter.retry_after() if emu.rate_limiter is not None else None
        if wait is not None:
            raise _throttled(wait)

        if endpoint == "exomodulefile":
            self._module_file()
        elif skiptoken:
            rows = emu.take_continuation(skiptoken, self._caller.upn)
            if rows is None:
                self._cmdlet_error(
                    "Expired or Invalid pagination request. Default Expiry time is 00:30:00",
                    "Microsoft.Exchange.Admin.OData.InvalidPaginationException",
                )
            self._send_rows(rows or [])
        elif parsed is None:
            if self.command != "POST":
                raise _Reply(405, b"Method Not Allowed", "text/plain", {"Allow": "POST"})
            self._cmdlet_error(
                "The request body is not a valid CmdletInput object.",
                "Microsoft.Exchange.Admin.OData.Core.ODataException",
            )
        else:
            self._invoke(*parsed)

    def _refused_by_role(self, endpoint: str, skiptoken: str | None) -> bool:
        assert self._caller is not None
        if endpoint != "invokecommand":
            return False
        if not end_user_access.refused(self.emu.end_user_cmdlets, self._caller):
            return False
        # A nextLink only ever continues a Get-QuarantineMessage.
        return bool(skiptoken) or end_user_access.is_quarantine_cmdlet(self._cmdlet or "")

    def _parse_invoke(self, body: bytes) -> tuple[str, dict[str, Any]] | None:
        try:
            doc = json.loads(body.decode("utf-8"))
            cmd = doc["CmdletInput"]
            name = cmd["CmdletName"]
            params = cmd.get("Parameters") or {}
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        if not isinstance(name, str) or not isinstance(params, dict):
            return None
        return name, params

    def _authenticate(self) -> Caller | None:
        auth = self.headers.get("Authorization") or ""
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        try:
            return self.emu.directory.authenticate(token.strip(), audience=EXCHANGE_AUDIENCE)
        except InvalidToken as exc:
            log.info("rejected a bearer token: %s", exc)  # the reason only, never the token
            return None

    # --- faults --------------------------------------------------------------------------------------
    def _apply_fault(self, fault: Fault) -> None:
        kind, p = fault.kind, fault.params
        log.info("injecting fault %s", kind)
        if kind == "throttle":
            raise _throttled(p.get("retry_after"))
        if kind == "unavailable":
            raise _Reply(
                503,
                b"<html><body><h1>Service Unavailable</h1></body></html>",
                "text/html",
                headers=_retry_after(p.get("retry_after")),
            )
        if kind == "redirect":
            cookie = self.emu.new_affinity_cookie()
            raise _Reply(
                302,
                b"",
                None,
                {
                    "Location": f"https://localhost:446{self.path}",
                    "Set-Cookie": f"{AFFINITY_COOKIE}={cookie}; path=/; secure; HttpOnly",
                },
            )
        if kind == "forbidden_nul":
            raise _Reply(403, b"\x00" * 4096, None)
        if kind == "slow":
            time.sleep(float(p.get("delay", 1.0)))
            return
        if kind == "malformed_json":
            raise _Reply(200, b'{"@odata.context": "x", "value": [{"Identity": "', JSON_TYPE)
        if kind == "unauthorized":
            raise _Reply(
                401,
                _json(
                    {
                        "error": {
                            "code": "InvalidAuthenticationToken",
                            "message": "The access token has been revoked.",
                        }
                    }
                ),
                headers={"WWW-Authenticate": WWW_AUTHENTICATE},
            )
        if kind in ("value_null", "value_missing"):
            body = envelope(
                self._base, self.emu.directory.tenant_id, None, include_value=kind == "value_null"
            )
            raise _Reply(200, _json(body))
        if kind == "command_not_found":
            name = self._cmdlet or "Get-QuarantineMessage"
            self._cmdlet_error(
                f"The term '{name}' is not recognized as a name of a cmdlet, function, script "
                "file, or executable program.",
                T_COMMAND_NOT_FOUND,
            )
        if kind == "html_502":
            raise _Reply(
                502,
                b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
                b"<h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p>"
                b"</body></html>",
                "text/html",
            )
        if kind == "reply":
            if "body" in p:
                raise _Reply(int(p.get("status", 200)), _json(p["body"]))
            rows = p["value"]
            raise _Reply(200, _json(envelope(self._base, self.emu.directory.tenant_id, rows)))
        if kind == "cmdlet_error":
            self._cmdlet_error(str(p["message"]), str(p.get("type_name") or T_OPERATION))
        if kind == "drop_connection":
            self.drop()
            raise _Dropped
        raise AssertionError(f"unhandled fault {kind}")

    # --- answers -------------------------------------------------------------------------------------
    def _cmdlet_error(self, message: str, type_name: str) -> None:
        shape = self.emu.faults.take_error_shape(self._cmdlet, self._caller.upn if self._caller else None)
        raise _Reply(400, _json(error_envelope(message, type_name, shape=shape)))

    def _invoke(self, cmdlet: str, params: dict[str, Any]) -> None:
        assert self._caller is not None
        try:
            rows = self.emu.cmdlets.run(self._caller, cmdlet, params)
        except CmdletForbidden:
            raise _Reply(403, b"\x00" * 4096, None) from None
        except CmdletError as err:
            self._cmdlet_error(err.message, err.type_name)
        self._send_rows(rows)

    def _send_rows(self, rows: list[dict[str, Any]]) -> None:
        assert self._caller is not None
        select = _first(parse_qs(urlsplit(self.path).query).get("$select"))
        if select:
            wanted = {s.strip().lower() for s in select.split(",") if s.strip()}
            rows = [{k: v for k, v in r.items() if k.split("@")[0].lower() in wanted} for r in rows]
        warnings: list[str] = []
        next_link = None
        limit = self._max_page_size()
        if limit is not None and len(rows) > limit:
            token = self.emu.save_continuation(self._caller.upn, rows[limit:])
            rows = rows[:limit]
            next_link = (
                f"{self._base}/adminapi/beta/{self.emu.directory.tenant_id}/InvokeCommand?$skiptoken={token}"
            )
            warnings.append(
                "The output has been truncated to the maximum page size. Use the Page and PageSize "
                "parameters to retrieve the remaining results."
            )
        raise _Reply(
            200,
            _json(
                envelope(
                    self._base, self.emu.directory.tenant_id, rows, warnings=warnings, next_link=next_link
                )
            ),
        )

    def _max_page_size(self) -> int | None:
        prefer = self.headers.get("Prefer") or ""
        match = re.search(r"odata\.maxpagesize\s*=\s*(\d+)", prefer, re.IGNORECASE)
        if not match:
            return None
        return max(1, int(match.group(1)))

    def _module_file(self) -> None:
        assert self._caller is not None
        exported = end_user_access.exported(
            self.emu.end_user_cmdlets, self._caller, self.emu.cmdlets.exported_for(self._caller)
        )
        assert self._identity is not None
        exported = app_only.exported(self.emu.directory, self._identity, exported)
        wanted = (self.headers.get("CommandName") or "*").strip()
        if wanted != "*":
            names = {w.strip().lower() for w in wanted.split(",")}
            exported = tuple(c for c in exported if c.lower() in names)
        row = {
            "FileName": "tmpEXO_demo.psm1",
            "Version": MODULE_VERSION,
            "exportedCmdlets": ",".join(exported),
            "exportedFunctions": "",
            "exportedAliases": "",
        }
        body = envelope(self._base, self.emu.directory.tenant_id, [row])
        body["@odata.context"] = (
            f"{self._base}/adminapi/v1.0/{self.emu.directory.tenant_id}/$metadata#EXOModuleFile"
        )
        raise _Reply(200, _json(body))


class _Dropped(Exception):
    """The connection was closed without an answer."""
