"""The tables. Schema changes go through an Alembic migration (migrations/versions), never ``create_all``.

- ``messages``: each held message as the sweep last saw it (metadata only, never a body), kept after
  Exchange deletes it, for IT's incident record; ``recipients`` is its address list, one row each, so
  ownership is an indexed join, not a text search.
- ``employees``: who a token's object id is, and their addresses as Get-Recipient said (the cache).
- ``actions``: one row per release/request/delete per message and employee. The unique constraint is
  what makes a double-clicked release send one release: the second insert fails, nothing is checked
  first and then acted on.
- ``events``: what each address's apps should hear about, with increasing ids (the stream's resume point).
- ``audit``: append-only (a trigger refuses updates); only the retention purge removes old rows.
- ``policies`` / ``state``: the quarantine policies as last read, and the sweep's watermark and lock.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes in and out, whatever the database keeps (SQLite keeps none)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        from datetime import UTC

        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        from datetime import UTC

        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Message(Base):
    __tablename__ = "messages"

    identity: Mapped[str] = mapped_column(String(80), primary_key=True)
    received_time: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    expires: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sender_address: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    message_id: Mapped[str] = mapped_column(String(998), default="")
    quarantine_type: Mapped[str] = mapped_column(String(64), default="")
    policy_type: Mapped[str] = mapped_column(String(64), default="")
    policy_name: Mapped[str] = mapped_column(String(256), default="")
    tag_name: Mapped[str] = mapped_column(String(256), default="")
    direction: Mapped[str] = mapped_column(String(16), default="")
    release_status: Mapped[str] = mapped_column(String(32), default="")
    released: Mapped[bool] = mapped_column(Boolean, default=False)
    system_released: Mapped[bool] = mapped_column(Boolean, default=False)
    released_users: Mapped[list[str]] = mapped_column(JSON, default=list)  # only grows (see repo)
    released_count: Mapped[int] = mapped_column(Integer, default=0)
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    deleted_for: Mapped[list[str]] = mapped_column(JSON, default=list)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    gone_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # no longer in Exchange's quarantine
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0, index=True)


class Recipient(Base):
    __tablename__ = "recipients"

    identity: Mapped[str] = mapped_column(
        ForeignKey("messages.identity", ondelete="CASCADE"), primary_key=True
    )
    address: Mapped[str] = mapped_column(String(320), primary_key=True)  # lower case

    __table_args__ = (Index("ix_recipients_address", "address"),)


class Employee(Base):
    __tablename__ = "employees"

    object_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(256), default="")
    primary_address: Mapped[str] = mapped_column(String(320), default="")
    addresses: Mapped[list[str]] = mapped_column(JSON, default=list)  # lower case, primary first
    resolved_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Action(Base):
    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    identity: Mapped[str] = mapped_column(ForeignKey("messages.identity", ondelete="CASCADE"), index=True)
    object_id: Mapped[str] = mapped_column(String(36), index=True)
    address: Mapped[str] = mapped_column(String(320))  # the employee's address the action was for
    kind: Mapped[str] = mapped_column(String(16))  # release | request | delete
    state: Mapped[str] = mapped_column(String(16))  # pending | done | failed | approved | declined
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_by: Mapped[str] = mapped_column(String(36), default="")
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0, index=True)

    __table_args__ = (UniqueConstraint("identity", "object_id", "kind", name="uq_actions_once"),)


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    address: Mapped[str] = mapped_column(String(320), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    identity: Mapped[str] = mapped_column(String(80), default="")
    data: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Audit(Base):
    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))  # object id, or "sweep"
    actor_kind: Mapped[str] = mapped_column(String(16))  # employee | reviewer | service
    action: Mapped[str] = mapped_column(String(32))
    identity: Mapped[str] = mapped_column(String(80), default="")
    outcome: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class Policy(Base):
    __tablename__ = "policies"

    name: Mapped[str] = mapped_column(String(256), primary_key=True)
    permissions: Mapped[int] = mapped_column(Integer)  # EndUserQuarantinePermissionsValue
    notifications: Mapped[bool] = mapped_column(Boolean, default=False)
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime)


class State(Base):
    __tablename__ = "state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
