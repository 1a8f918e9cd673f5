"""The demo tenant's quarantine: records, who sees them, and the release lifecycle.

Thread-safe (one lock). Records are indexed per recipient and tenant-wide, each index kept sorted
newest first and re-sorted only after it changed, so that 100k messages page quickly. Time comes
from an injectable :class:`Clock` so tests can move it (release delay, expiry) without sleeping.
The lifecycle advances lazily: a release in progress is settled whenever the record is looked at.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import itertools
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from quarantine_checker.demo.directory import DemoUser, Directory
from quarantine_checker.demo.policies import permissions_for, visible_to_end_user
from quarantine_checker.demo.wire import annotate, order_record, parse_time, strip_annotations

DAY = 86400.0

TYPE_DISPLAY = {
    "Spam": "Spam",
    "Bulk": "Bulk",
    "Phish": "Phish",
    "HighConfPhish": "High Confidence Phish",
    "Malware": "Malware",
    "FileTypeBlock": "File Type Block",
    "SPOMalware": "SPO Malware",
    "TransportRule": "Transport Rule",
    "DataLossPrevention": "Data Loss Prevention",
    "AdminTriggered": "Admin Triggered",
    "PPI": "PPI",
}
POLICY_TYPE = {
    "Spam": "HostedContentFilterPolicy",
    "Bulk": "HostedContentFilterPolicy",
    "Phish": "HostedContentFilterPolicy",
    "HighConfPhish": "HostedContentFilterPolicy",
    "Malware": "AntiMalwarePolicy",
    "FileTypeBlock": "AntiMalwarePolicy",
    "SPOMalware": "SafeAttachmentPolicy",
    "TransportRule": "ExchangeTransportRule",
    "DataLossPrevention": "DataLossPreventionRule",
}
# Which default quarantine policy each verdict gets (spec §4.2, "Default" column).
DEFAULT_TAG = {
    "Spam": "DefaultFullAccessPolicy",
    "Bulk": "DefaultFullAccessPolicy",
    "Phish": "DefaultFullAccessPolicy",
}
# Convenience names accepted by add_message besides the private seed keys.
PRIVATE_ALIASES = {
    "Header": "_header",
    "Body": "_body",
    "IsHtml": "_is_html",
    "Cc": "_cc",
    "Attachments": "_attachments",
    "Attachment": "_attachments",
    "QuarantinedAt": "_quarantined_at",
}
# Fields every live record has that the emulator never reads (copied in when a record is written).
STATIC_FIELDS: dict[str, Any] = {
    "Size": 4096,
    "SystemReleased": False,
    "RecipientTag": [""],
    "DeletedForRecipients": [],
    "CustomData": None,
    "SourceId": "",
    "TeamsConversationType": "",
    "ApprovalUPN": "",
    "ApprovalId": "",
    "MoveToQuarantineAdminActionTakenBy": "",
    "MoveToQuarantineApprovalId": "",
    "OverrideReasonIntValue": 0,
    "OverrideReason": "None",
    "ReleasedBy": [],
}
RELEASED_STATES = frozenset({"RELEASED", "APPROVED", "PREPARINGTORELEASE"})


class Clock:
    """Wall-clock UTC plus an offset that tests can advance."""

    def __init__(self, base: Callable[[], dt.datetime] | None = None) -> None:
        self._base = base or (lambda: dt.datetime.now(dt.UTC))
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            offset = self._offset
        return self._base() + dt.timedelta(seconds=offset)

    def timestamp(self) -> float:
        return self.now().timestamp()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


class UnknownMessage(KeyError):
    """No stored record has this identity."""


@dataclass(eq=False)
class Rec:
    identity: str
    data: dict[str, Any]  # wire names (datetimes as datetime) plus private "_" keys
    received_ts: float
    expires_ts: float
    recipients: tuple[str, ...]  # primary addresses, lower case
    eu_visible: bool
    deleted_for: set[str] = field(default_factory=set)
    released_to: list[str] = field(default_factory=list)
    release_started: float | None = None  # clock timestamp a release began
    via_approval: bool = False
    requested_by: str | None = None
    # When the message entered quarantine, if later than ReceivedTime: zero-hour auto purge (ZAP)
    # quarantines mail hours after delivery, so a sweep by received date can miss it.
    quarantined_ts: float | None = None
    # What a recipient whose copy was not released still sees after a release to others (-User).
    unreleased_status: str = "NOTRELEASED"

    def held_at(self, now_ts: float) -> bool:
        """In quarantine at ``now_ts``: quarantined already and not yet expired."""
        return self.expires_ts > now_ts and (self.quarantined_ts is None or self.quarantined_ts <= now_ts)

    @property
    def sort_key(self) -> tuple[float, str]:
        return (-self.received_ts, self.identity)

    def live_recipients(self) -> list[str]:
        return [r for r in self.recipients if r not in self.deleted_for]


class _Index:
    """Records newest first; sorted lazily after changes, never per request."""

    __slots__ = ("dirty", "keys", "recs")

    def __init__(self) -> None:
        self.recs: list[Rec] = []
        self.keys: list[tuple[float, str]] = []
        self.dirty = False

    def add(self, rec: Rec) -> None:
        self.recs.append(rec)
        self.dirty = True

    def _ensure_sorted(self) -> None:
        if self.dirty:
            self.recs.sort(key=lambda r: r.sort_key)
            self.keys = [r.sort_key for r in self.recs]
            self.dirty = False

    def remove(self, rec: Rec) -> None:
        self._ensure_sorted()
        i = bisect.bisect_left(self.keys, rec.sort_key)
        if i < len(self.recs) and self.recs[i] is rec:
            del self.recs[i]
            del self.keys[i]

    def all(self) -> list[Rec]:
        self._ensure_sorted()
        return self.recs

    def window(self, start_ts: float, end_ts: float) -> list[Rec]:
        self._ensure_sorted()
        lo = bisect.bisect_left(self.keys, (-end_ts, ""))
        hi = bisect.bisect_right(self.keys, (-start_ts, "\uffff"))
        return self.recs[lo:hi]

    def __len__(self) -> int:
        return len(self.recs)


@dataclass
class Query:
    """A Summary-set Get-QuarantineMessage, already validated (see cmdlets.py)."""

    start_ts: float
    end_ts: float
    my_items: bool = False
    release_status: frozenset[str] | None = None
    quarantine_types: frozenset[str] | None = None
    senders: frozenset[str] | None = None
    recipients: frozenset[str] | None = None
    type: str | None = None
    reported: bool | None = None
    direction: str | None = None
    message_id: str | None = None
    start_expires_ts: float | None = None
    end_expires_ts: float | None = None
    policy_name: str | None = None
    policy_types: frozenset[str] | None = None
    subject: str | None = None
    recipient_tags: frozenset[str] | None = None
    entity_type: str | None = None

    def cache_key(self) -> tuple[Any, ...]:
        """Everything but the date window, which is applied per request."""
        return tuple(
            sorted((k, repr(v)) for k, v in self.__dict__.items() if k not in ("start_ts", "end_ts"))
        )


def _lower_set(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.lower() for v in values)


class QuarantineStore:
    def __init__(
        self, directory: Directory, *, clock: Clock | None = None, release_delay: float = 1.0
    ) -> None:
        self.directory = directory
        self.clock = clock or Clock()
        self.release_delay = release_delay
        self._lock = threading.RLock()
        self._by_id: dict[str, Rec] = {}
        self._all = _Index()
        self._by_recipient: dict[str, _Index] = {}
        self._pending: set[Rec] = set()
        self._version = 0
        self._cache: OrderedDict[tuple[Any, ...], tuple[list[Rec], list[tuple[float, str]]]] = OrderedDict()
        self.allowed_senders: dict[str, set[str]] = {}
        self._seq = itertools.count()

    @property
    def lock(self) -> threading.RLock:
        """The store's re-entrant lock, for callers that check then change a record."""
        return self._lock

    # --- addresses --------------------------------------------------------------------------------
    def resolve_address(self, address: str, aliases: Mapping[str, str] | None = None) -> str:
        """Recipient addresses always resolve to the primary SMTP address (spec §3.1)."""
        addr = address.strip().lower()
        return (aliases if aliases is not None else self._alias_map()).get(addr, addr)

    def _alias_map(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for user in list(self.directory.users.values()):
            out[user.primary_smtp] = user.primary_smtp
            for alias in user.aliases:
                out[alias.lower()] = user.primary_smtp
        return out

    def known_addresses(self) -> frozenset[str]:
        """Every primary address in the organisation (what -User may name besides recipients)."""
        return frozenset(self._alias_map().values())

    @staticmethod
    def own_addresses(user: DemoUser) -> frozenset[str]:
        return frozenset({user.primary_smtp, *(a.lower() for a in user.aliases)})

    # --- adding -----------------------------------------------------------------------------------
    def add_message(self, recipient: str | list[str], **fields: Any) -> str:
        recipients = [recipient] if isinstance(recipient, str) else list(recipient)
        fields = {PRIVATE_ALIASES.get(k, k): v for k, v in fields.items()}
        fields["RecipientAddress"] = recipients
        return self.add_records([fields])[0]

    def add_records(self, records: Iterable[Mapping[str, Any]]) -> list[str]:
        """Add wire-form records (seed or synthetic). Missing wire fields get sensible defaults."""
        now = self.clock.now()
        aliases = self._alias_map()
        recs = [self._normalise(r, now, aliases) for r in records]
        with self._lock:
            for rec in recs:
                if rec.identity in self._by_id:
                    raise ValueError(f"duplicate identity {rec.identity}")
                self._by_id[rec.identity] = rec
                self._all.add(rec)
                for r in rec.recipients:
                    self._by_recipient.setdefault(r, _Index()).add(rec)
            self._changed()
        return [r.identity for r in recs]

    def _normalise(self, record: Mapping[str, Any], now: dt.datetime, aliases: Mapping[str, str]) -> Rec:
        d = dict(record)
        qtype = str(d.get("QuarantineTypes") or "Spam")
        recipients = d.get("RecipientAddress") or []
        if isinstance(recipients, str):
            recipients = [recipients]
        recipients = list(dict.fromkeys(self.resolve_address(r, aliases) for r in recipients))
        if not recipients:
            raise ValueError("a quarantined message needs at least one recipient")
        received = parse_time(d.get("ReceivedTime") or now - dt.timedelta(minutes=1))
        late = d.pop("_quarantined_at", None)
        quarantined = parse_time(late) if late is not None else None
        if quarantined is not None and quarantined <= received:
            quarantined = None
        # ZAP-quarantined mail is timed from when it was quarantined (spec §7).
        expires = parse_time(d.get("Expires") or (quarantined or received) + dt.timedelta(days=30))
        sender = str(d.get("SenderAddress") or "sender@external.example")
        identity = str(d.get("Identity") or f"{uuid.uuid4()}\\{uuid.uuid4()}")
        status = str(d.get("ReleaseStatus") or "NOTRELEASED").upper()
        # Only fields that filters and actions read are materialised here; the constant rest of a
        # live record is added when it is written (see wire()), which keeps 100k records cheap.
        fields: dict[str, Any] = {
            "Subject": "(no subject)",
            "Type": TYPE_DISPLAY.get(qtype, qtype),
            "PolicyType": POLICY_TYPE.get(qtype, "HostedContentFilterPolicy"),
            "PolicyName": "Default",
            "TagName": DEFAULT_TAG.get(qtype, "AdminOnlyAccessPolicy"),
            "Reported": False,
            "Direction": "Inbound",
            "EntityType": "Email",
            "MessageId": f"<{identity[-36:].replace('-', '')}@{sender.rpartition('@')[2] or 'x.example'}>",
        }
        for key, value in d.items():
            if not key.startswith("PermissionTo"):  # computed per caller
                fields[key] = value
        fields.update(
            Identity=identity,
            ReceivedTime=received,
            Expires=expires,
            SenderAddress=sender,
            RecipientAddress=recipients,
            ReleaseStatus=status,
            QuarantineTypes=qtype,
        )

        return Rec(
            identity=identity,
            data=fields,
            received_ts=received.timestamp(),
            expires_ts=expires.timestamp(),
            recipients=tuple(recipients),
            eu_visible=visible_to_end_user(fields),
            quarantined_ts=quarantined.timestamp() if quarantined is not None else None,
        )

    def _changed(self) -> None:
        self._version += 1
        self._cache.clear()

    # --- lifecycle --------------------------------------------------------------------------------
    def _settle(self, now_ts: float) -> None:
        """Advance releases whose delay has passed (called under the lock before any read)."""
        done = [
            r
            for r in self._pending
            if r.release_started is not None and now_ts - r.release_started >= self.release_delay
        ]
        for rec in self._pending:
            if rec.release_started is None or rec in done:
                continue
            elapsed = now_ts - rec.release_started
            status = (
                "APPROVED" if rec.via_approval and elapsed < self.release_delay / 2 else "PREPARINGTORELEASE"
            )
            if rec.data["ReleaseStatus"] != status:
                rec.data["ReleaseStatus"] = status
                self._changed()
        for rec in done:
            self._pending.discard(rec)
            rec.release_started = None
            rec.data["ReleaseStatus"] = "RELEASED"
            rec.data["Released"] = True
            rec.data["ReleasedCount"] = int(rec.data.get("ReleasedCount") or 0) + 1
            by = rec.data.get("ApprovalUPN") if rec.via_approval else None
            rec.data["ReleasedBy"] = [
                *rec.data.get("ReleasedBy", []),
                by or f"SystemMailbox{{{uuid.uuid5(uuid.NAMESPACE_DNS, 'qc')}}}@{self.directory.domain}",
            ]
            self._changed()

    def settle(self) -> None:
        with self._lock:
            self._settle(self.clock.timestamp())

    def begin_release(
        self, rec: Rec, targets: Iterable[str], *, via_approval: bool, approver: str = ""
    ) -> None:
        with self._lock:
            if rec.data["ReleaseStatus"] not in RELEASED_STATES:
                rec.unreleased_status = rec.data["ReleaseStatus"]
            rec.release_started = self.clock.timestamp()
            rec.via_approval = via_approval
            if via_approval:
                rec.data["ApprovalUPN"] = approver
                rec.data["ApprovalId"] = str(uuid.uuid4())
            for t in targets:
                if t not in rec.released_to:
                    rec.released_to.append(t)
            rec.data["ReleasedUser"] = list(rec.released_to)
            rec.data["ReleaseStatus"] = "APPROVED" if via_approval else "PREPARINGTORELEASE"
            self._pending.add(rec)
            self._changed()
            self._settle(self.clock.timestamp())

    def update(self, rec: Rec, **fields: Any) -> None:
        with self._lock:
            rec.data.update(fields)
            self._changed()

    def delete_for(self, rec: Rec, addresses: Iterable[str] | None) -> None:
        """Remove for the given recipients (``None``: for everyone)."""
        with self._lock:
            targets = set(rec.recipients) if addresses is None else set(addresses) & set(rec.recipients)
            for addr in targets:
                rec.deleted_for.add(addr)
                idx = self._by_recipient.get(addr)
                if idx is not None:
                    idx.remove(rec)
            rec.data["DeletedForRecipients"] = sorted(rec.deleted_for)
            if not rec.live_recipients():
                self._all.remove(rec)
                self._by_id.pop(rec.identity, None)
                self._pending.discard(rec)
            self._changed()

    # --- reading ------------------------------------------------------------------------------------
    def get(self, identity: str) -> Rec:
        with self._lock:
            self._settle(self.clock.timestamp())
            try:
                return self._by_id[identity]
            except KeyError:
                raise UnknownMessage(identity) from None

    def expired(self, rec: Rec) -> bool:
        return rec.expires_ts <= self.clock.timestamp()

    def not_yet_held(self, rec: Rec) -> bool:
        """A late hold whose quarantine time has not come: nobody can see it yet."""
        return rec.quarantined_ts is not None and rec.quarantined_ts > self.clock.timestamp()

    def can_see(self, caller: DemoUser, rec: Rec, *, my_items: bool = False) -> bool:
        """Visibility without the expiry check (spec §1, §4.1, §8.3)."""
        live = rec.live_recipients()
        if not live:
            return False
        admin = caller.is_admin
        if admin and not my_items:
            return True
        mine = caller.primary_smtp in live
        if not mine and not my_items:
            mine = any(mb.lower() in live for mb in caller.full_access_to)
        if not mine:
            return False
        return admin or rec.eu_visible

    def acting_addresses(self, caller: DemoUser, rec: Rec) -> list[str]:
        """Whose copy the caller acts on: their own, else the shared mailboxes they have Full Access to."""
        live = rec.live_recipients()
        if caller.primary_smtp in live:
            return [caller.primary_smtp]
        shared = [mb.lower() for mb in caller.full_access_to if mb.lower() in live]
        if shared:
            return shared
        return live if caller.is_admin else []

    def query(self, caller: DemoUser, q: Query) -> list[Rec]:
        """Every record the caller may see that matches, newest first (paging is the caller's job).

        The time-independent part (who may see it, filters) is cached per caller and query until the
        store changes; each request then only cuts its date window by bisection and drops expired
        rows, so paging through 100k messages does not redo the whole filter for every page.
        """
        with self._lock:
            now_ts = self.clock.timestamp()
            self._settle(now_ts)
            key = (caller.upn, q.cache_key(), self._version)
            cached = self._cache.get(key)
            if cached is None:
                cached = self._base_list(caller, q)
                self._cache[key] = cached
                while len(self._cache) > 16:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(key)
            recs, keys = cached
            lo = bisect.bisect_left(keys, (-q.end_ts, ""))
            hi = bisect.bisect_right(keys, (-q.start_ts, "\uffff"))
            return [r for r in recs[lo:hi] if r.held_at(now_ts)]

    def _base_list(self, caller: DemoUser, q: Query) -> tuple[list[Rec], list[tuple[float, str]]]:
        admin = caller.is_admin
        if admin and not q.my_items:
            candidates: Iterable[Rec] = self._all.all()
        else:
            mailboxes = (
                (caller.primary_smtp,)
                if q.my_items
                else (caller.primary_smtp, *(mb.lower() for mb in caller.full_access_to))
            )
            lists = [self._by_recipient[m].all() for m in mailboxes if m in self._by_recipient]
            if len(lists) == 1:
                candidates = lists[0]
            else:
                seen: set[str] = set()
                merged: list[Rec] = []
                for r in heapq.merge(*lists, key=lambda r: r.sort_key):
                    if r.identity not in seen:  # a copy in two mailboxes asked for is listed once
                        seen.add(r.identity)
                        merged.append(r)
                candidates = merged
        # Index entries are already limited to the mailboxes asked for and drop deleted copies, so only
        # end-user visibility and the optional filters remain.
        checks = self._predicates(q)
        recs = [r for r in candidates if admin or r.eu_visible]
        if checks:
            recs = [r for r in recs if all(check(r) for check in checks)]
        return recs, [r.sort_key for r in recs]

    @staticmethod
    def _predicates(q: Query) -> list[Callable[[Rec], bool]]:
        checks: list[Callable[[Rec], bool]] = []
        if q.release_status is not None:
            wanted = q.release_status
            checks.append(lambda r: r.data["ReleaseStatus"] in wanted)
        if q.quarantine_types is not None:
            qt = _lower_set(q.quarantine_types)
            checks.append(lambda r: str(r.data["QuarantineTypes"]).lower() in qt)
        if q.type is not None:
            t = q.type.lower()
            checks.append(lambda r: str(r.data["QuarantineTypes"]).lower() == t)
        if q.senders is not None:
            senders = q.senders
            checks.append(lambda r: str(r.data["SenderAddress"]).lower() in senders)
        if q.recipients is not None:
            wanted_r = q.recipients
            checks.append(lambda r: any(x in wanted_r for x in r.live_recipients()))
        if q.reported is not None:
            rep = q.reported
            checks.append(lambda r: bool(r.data["Reported"]) is rep)
        if q.direction is not None:
            d = q.direction.lower()
            checks.append(lambda r: str(r.data["Direction"]).lower() == d)
        if q.message_id is not None:
            mid = q.message_id
            checks.append(lambda r: r.data["MessageId"] == mid)
        if q.start_expires_ts is not None:
            se = q.start_expires_ts
            checks.append(lambda r: r.expires_ts >= se)
        if q.end_expires_ts is not None:
            ee = q.end_expires_ts
            checks.append(lambda r: r.expires_ts <= ee)
        if q.policy_name is not None:
            pn = q.policy_name.lower()
            checks.append(lambda r: str(r.data["PolicyName"]).lower() == pn)
        if q.policy_types is not None:
            pt = _lower_set(q.policy_types)
            checks.append(lambda r: str(r.data["PolicyType"]).lower() in pt)
        if q.subject is not None:
            subj = q.subject
            checks.append(lambda r: r.data["Subject"] == subj)
        if q.recipient_tags is not None:
            tags = _lower_set(q.recipient_tags)
            checks.append(lambda r: any(str(t).lower() in tags for t in r.data.get("RecipientTag") or []))
        if q.entity_type is not None:
            et = q.entity_type.lower()
            checks.append(lambda r: str(r.data["EntityType"]).lower() == et)
        return checks

    # --- wire views --------------------------------------------------------------------------------
    def wire(self, rec: Rec, caller: DemoUser | None, *, details: bool = False) -> dict[str, Any]:
        """The record as the caller sees it on the wire (``caller=None``: an administrator)."""
        admin = caller is None or caller.is_admin
        released = rec.data["ReleaseStatus"] == "RELEASED"
        fields = {
            **STATIC_FIELDS,
            "Organization": self.directory.tenant_id,
            "Released": released,
            "ReleasedCount": 1 if released else 0,
            "RecipientCount": len(rec.recipients),
            **rec.data,
        }
        fields.update(permissions_for(rec.data, admin=admin))
        if not admin and caller is not None and self._released_to_others_only(caller, rec):
            # Released to other recipients only (-User): this caller's copy is still held.
            fields.update(ReleaseStatus=rec.unreleased_status, Released=False, ReleasedCount=0, ReleasedBy=[])
        if details:
            fields["QuarantinedUser"] = list(rec.recipients)
            fields["ReleasedUser"] = list(rec.released_to)
        else:
            fields["QuarantinedUser"] = []
            fields["ReleasedUser"] = []
        return annotate(order_record(fields))

    def _released_to_others_only(self, caller: DemoUser, rec: Rec) -> bool:
        if not rec.released_to or rec.data["ReleaseStatus"] not in RELEASED_STATES:
            return False
        return not set(self.acting_addresses(caller, rec)) & set(rec.released_to)

    def message(self, identity: str) -> dict[str, Any]:
        rec = self.get(identity)
        with self._lock:
            return strip_annotations(self.wire(rec, None, details=True))

    def messages_for(self, upn: str) -> list[dict[str, Any]]:
        addr = self.resolve_address(upn)
        with self._lock:
            self._settle(self.clock.timestamp())
            recs = sorted((r for r in self._by_id.values() if addr in r.recipients), key=lambda r: r.sort_key)
            return [strip_annotations(self.wire(r, None, details=True)) for r in recs]

    def counts(self) -> dict[str, dict[str, int]]:
        """Per mailbox: stored, live (not expired, not deleted) and by release status."""
        with self._lock:
            now_ts = self.clock.timestamp()
            self._settle(now_ts)
            out: dict[str, dict[str, int]] = {}
            for addr, idx in sorted(self._by_recipient.items()):
                entry: dict[str, int] = {"total": len(idx), "live": 0}
                for rec in idx.recs:
                    if rec.held_at(now_ts):
                        entry["live"] += 1
                        status = rec.data["ReleaseStatus"]
                        entry[status] = entry.get(status, 0) + 1
                out[addr] = entry
            return out

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_id)
