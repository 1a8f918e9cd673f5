"""The HTTP API: versioned JSON under /v1/, the OpenAPI document at /v1/openapi.json.

Bearer tokens are read from the Authorization header only; a token in the query string is refused
outright. Errors are ``{"error": {"code": ..., "params": {...}}}``: codes, never sentences.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Body, Depends, FastAPI, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sse_starlette.sse import EventSourceResponse
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException

from quarantine_checker.core.errors import QuarantineCheckerError
from quarantine_service import __version__
from quarantine_service.directory import NoMailbox, Person
from quarantine_service.errors import ApiError, from_exchange
from quarantine_service.service import Service
from quarantine_service.store import repo
from quarantine_service.tokens import Caller, TokenError

log = logging.getLogger(__name__)
T = TypeVar("T")

_QUERY_TOKEN_NAMES = {"access_token", "token", "bearer", "id_token", "authorization"}


# ---------------------------------------------------------------------------------- identity
def _service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


def _bearer(request: Request, authorization: str | None) -> str:
    if _QUERY_TOKEN_NAMES & {k.lower() for k in request.query_params}:
        raise ApiError(401, "token_in_query", headers={"WWW-Authenticate": 'Bearer error="invalid_request"'})
    if not authorization:
        raise ApiError(401, "missing_token", headers={"WWW-Authenticate": "Bearer"})
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "missing_token", headers={"WWW-Authenticate": "Bearer"})
    return token.strip()


def validated(kind: str, request: Request, authorization: str | None) -> Caller:
    token = _bearer(request, authorization)
    try:
        return getattr(_service(request).validator, kind)(token)  # type: ignore[no-any-return]
    except TokenError as exc:
        status = {"missing_role": 403, "keys_unavailable": 503}.get(exc.code, 401)
        raise ApiError(status, exc.code, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                       **exc.params) from None


def person_of(service: Service, caller: Caller) -> Person:
    try:
        return service.directory.person(caller.object_id)
    except NoMailbox:
        raise ApiError(403, "no_mailbox") from None
    except QuarantineCheckerError as exc:
        raise from_exchange(exc) from None


AuthHeader = Annotated[str | None, Header()]


def _employee(request: Request, authorization: AuthHeader = None) -> tuple[Caller, Person]:
    caller = validated("employee", request, authorization)
    return caller, person_of(_service(request), caller)


def _reviewer(request: Request, authorization: AuthHeader = None) -> tuple[Caller, Person]:
    caller = validated("reviewer", request, authorization)
    return caller, person_of(_service(request), caller)


Employee = Annotated[tuple[Caller, Person], Depends(_employee)]
Reviewer = Annotated[tuple[Caller, Person], Depends(_reviewer)]
MessageId = Annotated[str, Path(max_length=80, description="The message id (GUID\\GUID)")]


def create_app(service: Service) -> FastAPI:
    app = FastAPI(title="Quarantine Checker organisation service", version=__version__,
                  openapi_url="/v1/openapi.json", docs_url=None, redoc_url=None)
    app.state.service = service

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors()})
        return JSONResponse(ApiError(400, "invalid_request", fields=fields).body(), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(ApiError(exc.status_code, code).body(), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error: %s at %s", type(exc).__name__,
                  exc.__traceback__.tb_frame.f_code.co_name if exc.__traceback__ else "?")
        return JSONResponse(ApiError(500, "internal_error").body(), status_code=500)

    def _exchange_call(fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(*args)
        except QuarantineCheckerError as exc:
            raise from_exchange(exc) from None

    # ------------------------------------------------------------------------------- health
    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def readyz() -> JSONResponse:
        last = service.sweeper.last
        ok = last is not None and last.ok
        return JSONResponse({"ready": ok, "last_sweep_ok": ok}, status_code=200 if ok else 503)

    # ----------------------------------------------------------------------------- employee
    @app.get("/v1/me", tags=["employee"])
    def me(who: Employee) -> dict[str, Any]:
        caller, person = who
        return {
            "object_id": person.object_id, "display_name": person.display_name,
            "primary_address": person.primary_address, "addresses": list(person.addresses),
            "reviewer": service.config.reviewer_role in caller.roles,
            "actions": ["release", "request_release", "delete", "preview", "view_headers"],
            "token_expires": caller.expires_at.isoformat(),
        }

    @app.get("/v1/messages", tags=["employee"])
    def messages(who: Employee, cursor: Annotated[str | None, Query(max_length=20, pattern=r"^\d+$")] = None
                 ) -> dict[str, Any]:
        return service.actions.listing(who[1], int(cursor) if cursor is not None else None)

    @app.get("/v1/history", tags=["employee"])
    def history(who: Employee) -> dict[str, Any]:
        """The employee's past held mail and what became of it (kept after Exchange deleted it)."""
        return service.actions.history(who[1])

    @app.get("/v1/messages/{message_id}", tags=["employee"])
    def message(who: Employee, message_id: MessageId) -> dict[str, Any]:
        return service.actions.one(who[1], message_id)

    @app.get("/v1/messages/{message_id}/details", tags=["employee"])
    def details(who: Employee, message_id: MessageId) -> dict[str, Any]:
        return _exchange_call(service.actions.details, who[1], message_id)

    @app.post("/v1/messages/{message_id}/release", tags=["employee"])
    def release(who: Employee, message_id: MessageId,
                report_not_junk: Annotated[bool, Body(embed=True)] = False) -> dict[str, Any]:
        return service.actions.release(who[1], message_id, report_not_junk)

    @app.post("/v1/messages/{message_id}/request-release", tags=["employee"])
    def request_release(who: Employee, message_id: MessageId,
                        note: Annotated[str, Body(embed=True, max_length=1000)] = "") -> dict[str, Any]:
        return service.actions.request_release(who[1], message_id, note)

    @app.delete("/v1/messages/{message_id}", tags=["employee"], status_code=204)
    def delete(who: Employee, message_id: MessageId) -> None:
        service.actions.delete(who[1], message_id)

    @app.get("/v1/events", tags=["employee"])
    async def events(request: Request, authorization: Annotated[str | None, Header()] = None,
                     last_event_id: Annotated[str | None, Header(max_length=20)] = None,
                     after: Annotated[str | None, Query(max_length=20, pattern=r"^\d+$")] = None,
                     ) -> EventSourceResponse:
        """Server-Sent Events for the caller's own mail; resume with Last-Event-ID (or ?after=)."""
        caller = await run_in_threadpool(validated, "employee", request, authorization)
        person = await run_in_threadpool(person_of, service, caller)
        start = last_event_id if last_event_id and last_event_id.isdigit() else after
        if start is None:
            start_id = await run_in_threadpool(_last_event)
        else:
            start_id = int(start)
        give_back = service.streams.take(person.object_id)
        if give_back is None:
            raise ApiError(429, "too_many_streams", limit=service.streams.limit)
        # Given back when the stream ends, and by the response's clean-up in case it never started.
        return EventSourceResponse(_stream(request, caller, person, start_id, give_back),
                                   ping=service.config.heartbeat_seconds,
                                   headers={"Cache-Control": "no-store"},
                                   background=BackgroundTask(give_back))

    def _last_event() -> int:
        with service.db.session() as s:
            return repo.last_event_id(s)

    def _events_after(addresses: tuple[str, ...], after: int) -> list[dict[str, Any]]:
        with service.db.session() as s:
            return [{"id": str(e.id), "event": e.kind,
                     "data": json.dumps({"message_id": e.identity, "at": e.created_at.isoformat(),
                                         **(e.data or {})})}
                    for e in repo.events_after(s, addresses, after)]

    async def _stream(request: Request, caller: Caller, person: Person, after: int,
                      give_back: Callable[[], None]) -> AsyncIterator[dict[str, str]]:
        try:
            yield {"event": "ready", "data": json.dumps({"after": after}), "id": str(after)}
            while True:
                left = (caller.expires_at - datetime.now(UTC)).total_seconds()
                if left <= 0:
                    # The token has expired: the app reconnects with a fresh one and resumes.
                    yield {"event": "token_expired", "data": "{}"}
                    return
                seen = service.hub.generation
                rows = await run_in_threadpool(_events_after, person.addresses, after)
                for row in rows:
                    after = int(row["id"])
                    yield row
                if rows:
                    continue
                if await request.is_disconnected():
                    return
                await service.hub.wait(min(left, service.config.heartbeat_seconds), seen)
        finally:
            give_back()

    # ----------------------------------------------------------------------------- reviewer
    @app.get("/v1/review/requests", tags=["reviewer"])
    def open_requests(who: Reviewer) -> dict[str, Any]:
        return {"items": service.actions.open_requests()}

    @app.post("/v1/review/requests/{request_id}/approve", tags=["reviewer"])
    def approve(who: Reviewer, request_id: int) -> dict[str, Any]:
        return service.actions.answer(who[0].object_id, request_id, approve=True)

    @app.post("/v1/review/requests/{request_id}/decline", tags=["reviewer"])
    def decline(who: Reviewer, request_id: int) -> dict[str, Any]:
        return service.actions.answer(who[0].object_id, request_id, approve=False)

    @app.post("/v1/review/sweep", tags=["reviewer"])
    def sweep_now(who: Reviewer, reconcile: Annotated[bool, Body(embed=True)] = False) -> dict[str, Any]:
        """Sweep now and wait for it (at most 60 s): what IT uses after changing something in Exchange."""
        seen = service.sweeper.trigger(reconcile=reconcile)
        finished = service.sweeper.wait_past(seen, 60)
        last = service.sweeper.last
        return {"finished": finished, "ok": bool(last and last.ok), "error": last.error if last else None}

    return app
