"""The listing's worker loops give the UI thread its turn (issue 14: the 100k refresh stall). Parsing a
listing and taking it into the session call the pacer installed for the worker's thread, and nothing on
any other thread (the command line and the tray's checker run unpaced, as before)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from quarantine_checker.core.account import UserIdentity
from quarantine_checker.core.glance import released_before
from quarantine_checker.core.mailbox_session import MailboxSession
from quarantine_checker.core.model import parse_messages
from quarantine_checker.core.pacing import EVERY, paced
from quarantine_checker.demo.synthetic import synthetic_records
from quarantine_checker.demo.wire import wire_time
from quarantine_checker.exchange.results import ListResult

ALICE = "alice@northwind.example"


def _records(n: int) -> list[dict[str, Any]]:
    now = dt.datetime.now(dt.UTC)
    return [{k: wire_time(v) if isinstance(v, dt.datetime) else v
             for k, v in r.items() if not k.startswith("_")}
            for r in synthetic_records(ALICE, n, now=now, days=29, seed=3)]


class _Listed:
    def __init__(self, result: ListResult, account: UserIdentity) -> None:
        self.result, self.account, self.carries_notes = result, account, False

    def list_messages(self, now: Any = None, *, patient: bool = True) -> ListResult:
        return self.result


def test_parsing_and_taking_in_a_listing_pause_for_the_ui_thread() -> None:
    records = _records(4 * EVERY)
    calls: list[str] = []
    with paced(lambda: calls.append(threading.current_thread().name)):
        messages, rejected = parse_messages(records)
    parsed = len(calls)
    assert rejected == 0 and len(messages) == 4 * EVERY
    assert parsed >= 4, "a pause every few hundred records"

    session = MailboxSession(_Listed(ListResult(messages=messages, pages=1),
                                     UserIdentity(ALICE, "t", "Alice", frozenset({ALICE}))))
    with paced(lambda: calls.append("session")):
        session.refresh()
        released_before(session.messages())
    assert calls.count("session") >= 8, "taking in the listing and reading it pause too"

    # Outside ``paced`` (and on another thread than the one it was set on) nothing is called.
    before = len(calls)
    parse_messages(records)
    worker = threading.Thread(target=lambda: parse_messages(records))
    with paced(lambda: calls.append("wrong thread")):
        worker.start()
        worker.join()
    assert len(calls) == before
