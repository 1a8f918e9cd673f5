"""What an employee and a reviewer do, with every ownership and policy check in one place.

Ownership: every Identity comes from the store and must have one of the caller's addresses among its
recipients (``repo.owned_message``); anything else is "not found", whatever the caller sent, so Bob's
id tells Alice nothing. Exchange is called with the caller's own address only (``exchange_guard``).
Once only: the action row is inserted before Exchange is called, under a unique constraint; a second
click fails the insert and sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from quarantine_checker.core.errors import (
    AlreadyReleasedError,
    AlreadyRequestedError,
    NetworkError,
    QuarantineCheckerError,
)
from quarantine_checker.core.model import QuarantineType
from quarantine_checker.core.sender_checks import analyse_headers
from quarantine_checker.exchange.guard import is_valid_identity
from quarantine_service import events as ev
from quarantine_service.directory import Person
from quarantine_service.errors import ApiError, from_exchange
from quarantine_service.exchange import ServiceExchange
from quarantine_service.permissions import rights_for
from quarantine_service.store import repo
from quarantine_service.store.db import Database
from quarantine_service.store.models import Action, Message
from quarantine_service.views import history_outcome, message_view, own_address


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None

log = logging.getLogger(__name__)

MAX_NOTE = 1000
ALREADY = {"release": "already_released", "request": "already_requested", "delete": "already_deleted"}
MAX_PREVIEW_CHARS = 200_000


class Actions:
    def __init__(self, db: Database, exchange: ServiceExchange, notify: Callable[[], None],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.db = db
        self.exchange = exchange
        self.notify = notify
        self.clock = clock

    # ----------------------------------------------------------------------------------- reading
    def listing(self, person: Person, cursor: int | None) -> dict[str, Any]:
        now = self.clock()
        with self.db.session() as s:
            seq = repo.current_seq(s)  # read first: a change committed later is in the next cursor
            rows = repo.owned_messages(s, person.addresses, since_seq=cursor, object_id=person.object_id)
            policies = repo.load_policies(s)
            actions = repo.actions_for(s, person.object_id, [r.identity for r in rows])
            recipients = repo.recipients_for(s, [r.identity for r in rows])
            by_message: dict[str, dict[str, Action]] = {}
            for (identity, kind), action in actions.items():
                by_message.setdefault(identity, {})[kind] = action
            items, removed = [], []
            for row in rows:
                view = message_view(row, recipients[row.identity], person.addresses,
                                    by_message.get(row.identity, {}), policies, now)
                if view is None or view["status"] == "gone":
                    if cursor is not None:  # a change since the cursor that took it out of the list
                        removed.append(row.identity)
                    continue
                items.append(view)
        return {"items": items, "removed": removed, "cursor": str(seq)}

    def history(self, person: Person) -> dict[str, Any]:
        """Every message the sweep saw for this employee and what became of it, kept after Exchange
        deleted it (the service's retention): the employee's side of IT's record (org-service.md §2.6)."""
        now = self.clock()
        with self.db.session() as s:
            rows = repo.owned_messages(s, person.addresses)
            actions = repo.actions_for(s, person.object_id, [r.identity for r in rows])
            recipients = repo.recipients_for(s, [r.identity for r in rows])
            items = []
            for row in rows:
                address = own_address(recipients[row.identity], person.addresses)
                if address is None:
                    continue
                mine = {k: a for (i, k), a in actions.items() if i == row.identity}
                outcome, at = history_outcome(row, address, mine, now)
                items.append({"id": row.identity, "received": _iso(row.received_time),
                              "sender": row.sender_address, "subject": row.subject,
                              "reason": QuarantineType.from_wire(row.quarantine_type).name.lower(),
                              "recipient": address, "outcome": outcome, "outcome_at": _iso(at)})
        return {"items": items}

    def _owned(self, s: Any, person: Person, identity: str) -> tuple[Message, dict[str, Action], str]:
        if not is_valid_identity(identity):
            raise ApiError(404, "message_not_found")
        row = repo.owned_message(s, identity, person.addresses)
        if row is None:
            raise ApiError(404, "message_not_found")
        recipients = repo.recipients_of(s, identity)
        address = own_address(recipients, person.addresses)
        assert address is not None  # owned_message matched one of them
        mine = {k: a for (_i, k), a in repo.actions_for(s, person.object_id, [identity]).items()}
        return row, mine, address

    def one(self, person: Person, identity: str) -> dict[str, Any]:
        with self.db.session() as s:
            row, mine, _address = self._owned(s, person, identity)
            view = message_view(row, repo.recipients_of(s, identity), person.addresses, mine,
                                repo.load_policies(s), self.clock())
        if view is None:
            raise ApiError(404, "message_not_found")
        return view

    def details(self, person: Person, identity: str) -> dict[str, Any]:
        """Preview (when the policy allows it), headers and sender checks, in one call."""
        view = self.one(person, identity)
        if view["status"] == "gone":
            raise ApiError(409, "message_gone")
        out: dict[str, Any] = {"message": view, "preview": None, "headers": None, "sender_checks": None,
                               "unavailable": {}}
        if "preview" in view["actions"]:
            try:
                record = self.exchange.preview(identity)
                body = record.get("Body")
                out["preview"] = {"body": body[:MAX_PREVIEW_CHARS] if isinstance(body, str) else "",
                                  "is_html": record.get("IsHtml") is True,
                                  "truncated": isinstance(body, str) and len(body) > MAX_PREVIEW_CHARS}
            except QuarantineCheckerError as exc:
                out["unavailable"]["preview"] = from_exchange(exc).code
        else:
            out["unavailable"]["preview"] = "not_permitted"
        try:
            header = self.exchange.header(identity)
            out["headers"] = header
            report = analyse_headers(header, view["sender"])
            out["sender_checks"] = {
                "from": report.from_address,
                "reply_to": list(report.reply_to),
                "checks_failed": report.checks_failed,
                **{c.method: {"result": c.result, "domain": c.domain} for c in report.auth_checks},
            }
        except QuarantineCheckerError as exc:
            out["unavailable"]["headers"] = from_exchange(exc).code
        return out

    # ----------------------------------------------------------------------------------- acting
    def _check_allowed(self, s: Any, row: Message, mine: dict[str, Action], person: Person,
                       action: str) -> None:
        view = message_view(row, repo.recipients_of(s, row.identity), person.addresses, mine,
                            repo.load_policies(s), self.clock())
        if view is None:
            raise ApiError(404, "message_not_found")
        if view["status"] == "gone":
            raise ApiError(409, "message_gone")
        if action not in view["actions"]:
            rights = rights_for(QuarantineType.from_wire(row.quarantine_type), row.tag_name,
                                repo.load_policies(s))
            raise ApiError(403, "not_permitted", action=action, status=view["status"],
                           basis=rights.basis.value)

    def _claim(self, person: Person, identity: str, address: str, kind: str, note: str = "") -> int:
        """Insert the action row; the unique constraint refuses a second one (a double click)."""
        now = self.clock()
        try:
            with self.db.session() as s:
                row = Action(identity=identity, object_id=person.object_id, address=address, kind=kind,
                             state="pending", note=note, created_at=now, change_seq=repo.next_seq(s))
                s.add(row)
                s.flush()
                return row.id
        except IntegrityError:  # the second click, while the first one is still on its way
            raise ApiError(409, ALREADY[kind]) from None

    def _settle(self, action_id: int, state: str | None, person: Person, identity: str, what: str,
                outcome: str, **detail: Any) -> None:
        """Record the outcome; ``state=None`` removes the claim so the employee can try again."""
        now = self.clock()
        with self.db.session() as s:
            row = s.get(Action, action_id)
            if row is not None:
                if state is None:
                    s.delete(row)
                else:
                    row.state = state
                    row.change_seq = repo.next_seq(s)
            repo.audit(s, now, person.object_id, "employee", what, outcome, identity, **detail)
        self.notify()

    def _act(self, person: Person, identity: str, kind: str, action: str, note: str,
             call: Callable[[str], None], done_state: str, tolerated: tuple[type[Exception], ...]) -> None:
        with self.db.session() as s:
            row, mine, address = self._owned(s, person, identity)
            retry = mine.get(kind) if kind in mine and mine[kind].state == "failed" else None
            if kind in mine and retry is None:  # the second click, after the first one went through
                raise ApiError(409, ALREADY[kind])
            self._check_allowed(s, row, mine, person, action)
            if retry is not None:
                # Exchange reported the last try failed: this click is a new try. Two clicks racing here
                # both delete the old row, and the unique constraint still lets only one of them in.
                s.execute(delete(Action).where(Action.id == retry.id))
        action_id = self._claim(person, identity, address, kind, note)
        try:
            call(address)
        except tolerated:
            pass  # Exchange says it is already so: the same outcome the employee asked for
        except NetworkError as exc:
            if exc.details.get("may_have_been_processed"):
                # It may have happened: keep the claim; the next sweep re-reads the message and settles it.
                self._settle(action_id, "pending", person, identity, kind, "unknown_outcome")
                raise from_exchange(exc) from None
            self._settle(action_id, None, person, identity, kind, "failed", error="exchange_unreachable")
            raise from_exchange(exc) from None
        except QuarantineCheckerError as exc:
            error = from_exchange(exc)
            self._settle(action_id, None, person, identity, kind, "failed", error=error.code)
            raise error from None
        self._settle(action_id, done_state, person, identity, kind, "sent",
                     **({"note_chars": len(note)} if note else {}))

    def release(self, person: Person, identity: str, report_not_junk: bool = False) -> dict[str, Any]:
        if report_not_junk and not self.one(person, identity)["may_report_not_junk"]:
            raise ApiError(403, "not_permitted", action="report_not_junk")

        def call(address: str) -> None:
            self.exchange.release(identity, address, person.addresses, report_false_positive=report_not_junk)
        # "pending" until the sweep sees the release done in Exchange (it re-reads every open one).
        self._act(person, identity, "release", "release", "", call, "pending", (AlreadyReleasedError,))
        return self.one(person, identity)

    def request_release(self, person: Person, identity: str, note: str = "") -> dict[str, Any]:
        note = (note or "")[:MAX_NOTE]

        def call(address: str) -> None:
            # The service's own request record is what IT answers; the mirror lets the portal see it too.
            try:
                self.exchange.request_release(identity, address, person.addresses)
            except AlreadyRequestedError:
                pass
            except QuarantineCheckerError as exc:
                log.warning("request mirror to Exchange failed: %s", type(exc).__name__)
                with self.db.session() as s:
                    repo.audit(s, self.clock(), person.object_id, "employee", "request_mirror", "failed",
                               identity, error=from_exchange(exc).code)
        self._act(person, identity, "request", "request_release", note, call, "pending", ())
        return self.one(person, identity)

    def delete(self, person: Person, identity: str) -> None:
        def call(address: str) -> None:
            self.exchange.delete(identity, address, person.addresses)
        self._act(person, identity, "delete", "delete", "", call, "done", ())
        with self.db.session() as s:
            repo.add_event(s, self._address_of(s, person, identity), ev.GONE, identity, self.clock())
        self.notify()

    @staticmethod
    def _address_of(s: Any, person: Person, identity: str) -> str:
        return own_address(repo.recipients_of(s, identity), person.addresses) or person.primary_address

    # -------------------------------------------------------------------------------- reviewers
    def open_requests(self) -> list[dict[str, Any]]:
        with self.db.session() as s:
            rows = s.execute(select(Action, Message).join(Message, Message.identity == Action.identity)
                             .where(Action.kind == "request", Action.state == "pending")
                             .order_by(Action.created_at)).all()
            return [{
                "request_id": a.id, "message_id": m.identity, "requester": a.object_id,
                "requester_address": a.address, "note": a.note, "created": a.created_at.isoformat(),
                "sender": m.sender_address, "subject": m.subject, "reason": QuarantineType.from_wire(
                    m.quarantine_type).name.lower(),
                "received": m.received_time.isoformat() if m.received_time else None,
            } for a, m in rows]

    def answer(self, reviewer: str, request_id: int, approve: bool) -> dict[str, Any]:
        now = self.clock()
        new_state = "approved" if approve else "declined"
        with self.db.session() as s:
            # Claim the answer with a conditional update: two reviewers cannot both answer one request.
            done = s.execute(update(Action).where(Action.id == request_id, Action.kind == "request",
                                                  Action.state == "pending")
                             .values(state=new_state, answered_by=reviewer, answered_at=now,
                                     change_seq=repo.next_seq(s)))
            if done.rowcount == 0:  # type: ignore[attr-defined]
                exists = s.get(Action, request_id)
                if exists is None or exists.kind != "request":
                    raise ApiError(404, "request_not_found")
                raise ApiError(409, "already_answered", state=exists.state)
            request = s.get(Action, request_id)
            assert request is not None
            identity, address, requester = request.identity, request.address, request.object_id
        try:
            if approve:
                self.exchange.release(identity, address, [address])
            else:
                self.exchange.deny(identity, address)
        except AlreadyReleasedError:
            pass  # only an approval releases; it is already so
        except QuarantineCheckerError as exc:
            error = from_exchange(exc)
            if not approve and error.code != "exchange_busy":
                log.warning("deny mirror to Exchange failed: %s", error.code)
            else:
                with self.db.session() as s:
                    s.execute(update(Action).where(Action.id == request_id)
                              .values(state="pending", answered_by="", answered_at=None,
                                      change_seq=repo.next_seq(s)))
                    repo.audit(s, now, reviewer, "reviewer", "approve" if approve else "decline", "failed",
                               identity, request_id=request_id, error=error.code)
                raise error from None
        with self.db.session() as s:
            repo.audit(s, now, reviewer, "reviewer", "approve" if approve else "decline", "done", identity,
                       request_id=request_id, requester=requester)
            repo.add_event(s, address, ev.REQUEST_APPROVED if approve else ev.REQUEST_DECLINED, identity, now)
        self.notify()
        return {"request_id": request_id, "state": new_state}
