"""The queries and writes the sweep and the API share. Functions take an open Session; the caller owns
the transaction (store/db.py ``Database.session``)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from quarantine_checker.core.model import QuarantinedMessage
from quarantine_service.permissions import PolicyInfo
from quarantine_service.store.models import Action, Audit, Employee, Event, Message, Policy, Recipient, State

SEQ_KEY = "change_seq"


# ------------------------------------------------------------------------------------------ state
def get_state(session: Session, key: str) -> str | None:
    row = session.get(State, key)
    return row.value if row is not None else None


def set_state(session: Session, key: str, value: str) -> None:
    row = session.get(State, key)
    if row is None:
        session.add(State(key=key, value=value))
    else:
        row.value = value


def lock_row(session: Session, key: str) -> None:
    """Take the database's write lock by writing this row (made if missing), before reading anything."""
    done = session.execute(update(State).where(State.key == key).values(value=State.value))
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.add(State(key=key, value=""))
        session.flush()


def next_seq(session: Session) -> int:
    """A new change number. The UPDATE comes first, so it takes the write lock before reading: two
    writers can never hand out the same number (and a reader never sees an uncommitted one)."""
    done = session.execute(update(State).where(State.key == SEQ_KEY)
                           .values(value=text("CAST(value AS INTEGER) + 1")))
    if done.rowcount == 0:  # type: ignore[attr-defined]
        session.add(State(key=SEQ_KEY, value="1"))
        session.flush()
        return 1
    return int(get_state(session, SEQ_KEY) or 0)


def current_seq(session: Session) -> int:
    return int(get_state(session, SEQ_KEY) or 0)


# --------------------------------------------------------------------------------------- messages
_TRACKED = ("release_status", "released", "system_released", "released_users", "deleted_for", "expires",
            "tag_name", "quarantine_type", "released_count")


def upsert_message(session: Session, message: QuarantinedMessage, now: datetime) -> tuple[Message, str]:
    """Store what the sweep saw. Returns (row, "new" | "changed" | "same")."""
    values: dict[str, Any] = {
        "received_time": message.received_time, "expires": message.expires,
        "sender_address": message.sender_address[:320], "subject": message.subject[:4000],
        "size": message.size, "message_id": message.message_id[:998],
        "quarantine_type": message.quarantine_type.wire if message.quarantine_type.name != "UNKNOWN"
        else message.quarantine_type_raw[:64],
        "policy_type": message.policy_type[:64], "policy_name": message.policy_name[:256],
        "tag_name": message.tag_name[:256], "direction": message.direction_raw[:16],
        "release_status": message.release_status.wire if message.release_status.name != "UNKNOWN"
        else message.release_status_raw.upper()[:32],
        "released": message.released, "system_released": message.system_released,
        "released_users": sorted({a.lower() for a in message.released_user if isinstance(a, str)}),
        "deleted_for": sorted({a.lower() for a in message.deleted_for_recipients if isinstance(a, str)}),
        "released_count": message.released_count, "recipient_count": message.recipient_count,
    }
    row = session.get(Message, message.identity)
    recipients = {a.strip().lower() for a in message.recipient_address if isinstance(a, str) and a.strip()}
    if row is None:
        row = Message(identity=message.identity, first_seen=now, last_seen=now, gone_at=None,
                      change_seq=next_seq(session), **values)
        session.add(row)
        session.flush()
        for address in sorted(recipients):
            session.add(Recipient(identity=message.identity, address=address[:320]))
        return row, "new"
    before = {k: getattr(row, k) for k in _TRACKED}
    # A listing leaves ReleasedUser out (only a read by Identity carries it): what one read learnt is
    # kept, since a release is never undone.
    for key in ("released_users", "deleted_for"):
        values[key] = sorted(set(values[key]) | set(getattr(row, key) or []))
    for key, value in values.items():
        setattr(row, key, value)
    row.last_seen = now
    came_back = row.gone_at is not None
    row.gone_at = None
    have = set(session.scalars(select(Recipient.address).where(Recipient.identity == message.identity)))
    for address in sorted(recipients - have):
        session.add(Recipient(identity=message.identity, address=address[:320]))
    after = {k: getattr(row, k) for k in _TRACKED}
    if before != after or came_back:
        row.change_seq = next_seq(session)
        return row, "changed"
    return row, "same"


def mark_gone(session: Session, row: Message, now: datetime) -> bool:
    if row.gone_at is not None:
        return False
    row.gone_at = now
    row.change_seq = next_seq(session)
    return True


def recipients_of(session: Session, identity: str) -> list[str]:
    return list(session.scalars(select(Recipient.address).where(Recipient.identity == identity)))


def recipients_for(session: Session, identities: Collection[str]) -> dict[str, list[str]]:
    """Every listed message's recipients in one query (a listing must not ask once per message)."""
    found: dict[str, list[str]] = {i: [] for i in identities}
    ids = list(identities)
    for start in range(0, len(ids), 500):  # stay under the database's limit on bound parameters
        rows = session.execute(select(Recipient.identity, Recipient.address)
                               .where(Recipient.identity.in_(ids[start:start + 500])))
        for identity, address in rows:
            found[identity].append(address)
    return found


def owned_message(session: Session, identity: str, addresses: Collection[str]) -> Message | None:
    """The message only if one of ``addresses`` is among its recipients; else None (as if unknown)."""
    if not addresses:
        return None
    return session.scalars(
        select(Message).join(Recipient, Recipient.identity == Message.identity)
        .where(Message.identity == identity, Recipient.address.in_(list(addresses))).limit(1)
    ).first()


def owned_messages(session: Session, addresses: Collection[str], *, since_seq: int | None = None,
                   object_id: str = "") -> list[Message]:
    query = (select(Message).join(Recipient, Recipient.identity == Message.identity)
             .where(Recipient.address.in_(list(addresses))).distinct())
    if since_seq is not None:
        changed_actions = select(Action.identity).where(Action.object_id == object_id,
                                                        Action.change_seq > since_seq)
        query = query.where((Message.change_seq > since_seq) | Message.identity.in_(changed_actions))
    return list(session.scalars(query.order_by(Message.received_time.desc())))


def actions_for(session: Session, object_id: str, identities: Iterable[str]) -> dict[tuple[str, str], Action]:
    ids = list(identities)
    if not ids:
        return {}
    rows = session.scalars(select(Action).where(Action.object_id == object_id, Action.identity.in_(ids)))
    return {(a.identity, a.kind): a for a in rows}


def open_work(session: Session) -> list[Message]:
    """Messages the sweep re-reads every time: an open request, or a release not yet seen done."""
    ids = select(Action.identity).where(
        ((Action.kind == "request") & (Action.state == "pending"))
        | ((Action.kind == "release") & (Action.state == "pending")))
    return list(session.scalars(select(Message).where(Message.identity.in_(ids), Message.gone_at.is_(None))))


# -------------------------------------------------------------------------------- events, audit
def add_event(session: Session, address: str, kind: str, identity: str, now: datetime,
              **data: Any) -> None:
    session.add(Event(address=address, kind=kind, identity=identity, data=data, created_at=now))


def events_after(session: Session, addresses: Collection[str], after: int, limit: int = 500) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.address.in_(list(addresses)), Event.id > after)
                                .order_by(Event.id).limit(limit)))


def last_event_id(session: Session) -> int:
    return session.scalars(select(Event.id).order_by(Event.id.desc()).limit(1)).first() or 0


def audit(session: Session, now: datetime, actor: str, actor_kind: str, action: str, outcome: str,
          identity: str = "", **detail: Any) -> None:
    session.add(Audit(at=now, actor=actor, actor_kind=actor_kind, action=action, identity=identity,
                      outcome=outcome, detail=detail))


# ------------------------------------------------------------------------------------ policies
def save_policies(session: Session, policies: dict[str, PolicyInfo], now: datetime) -> None:
    session.execute(delete(Policy))
    for info in policies.values():
        session.add(Policy(name=info.name, permissions=info.permissions, notifications=info.notifications,
                           fetched_at=now))


def load_policies(session: Session) -> dict[str, PolicyInfo]:
    rows = session.scalars(select(Policy))
    return {p.name: PolicyInfo(p.name, p.permissions, p.notifications) for p in rows}


# ------------------------------------------------------------------------------------ employees
def cached_employee(session: Session, object_id: str, now: datetime, max_age: float) -> Employee | None:
    row = session.get(Employee, object_id)
    if row is None or (now - row.resolved_at) > timedelta(seconds=max_age):
        return None
    return row


def save_employee(session: Session, object_id: str, display_name: str, primary: str,
                  addresses: list[str], now: datetime) -> Employee:
    row = session.get(Employee, object_id)
    if row is None:
        row = Employee(object_id=object_id)
        session.add(row)
    row.display_name, row.primary_address, row.addresses, row.resolved_at = (
        display_name[:256], primary, addresses, now)
    return row


# ------------------------------------------------------------------------------------ retention
def purge(session: Session, now: datetime, retention_days: int) -> int:
    """Forget what is older than the retention period: messages gone from Exchange, events, audit."""
    cutoff = now - timedelta(days=retention_days)
    old = list(session.scalars(select(Message.identity).where(Message.gone_at.is_not(None),
                                                              Message.gone_at < cutoff)))
    if old:
        session.execute(delete(Recipient).where(Recipient.identity.in_(old)))
        session.execute(delete(Action).where(Action.identity.in_(old)))
        session.execute(delete(Message).where(Message.identity.in_(old)))
    session.execute(delete(Event).where(Event.created_at < cutoff))
    session.execute(delete(Audit).where(Audit.at < cutoff))
    return len(old)
