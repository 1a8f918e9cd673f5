"""The one door every listing of an account goes through (core/listing_gate.py), with real threads."""

from __future__ import annotations

import threading
import time

import pytest

from quarantine_checker.core.errors import ThrottledError
from quarantine_checker.core.listing_gate import ListingGate


def _slow(result, started: threading.Event, release: threading.Event, sent: list[str], name: str):
    def fetch():
        sent.append(name)
        started.set()
        assert release.wait(5)
        return result
    return fetch


def test_the_same_listing_asked_twice_is_sent_once_and_both_get_the_answer():
    gate, sent, started, release = ListingGate(), [], threading.Event(), threading.Event()
    answers: list[object] = []
    first = threading.Thread(target=lambda: answers.append(
        gate.run("alice", "full", _slow("listing", started, release, sent, "first"))))
    first.start()
    assert started.wait(5)
    second = threading.Thread(target=lambda: answers.append(
        gate.run("alice", "full", _slow("other", threading.Event(), release, sent, "second"))))
    second.start()
    time.sleep(0.1)
    release.set()
    first.join(5)
    second.join(5)
    assert sent == ["first"] and answers == ["listing", "listing"]


def test_a_different_listing_waits_for_the_running_one_and_other_accounts_do_not():
    gate, sent, started, release = ListingGate(), [], threading.Event(), threading.Event()
    t = threading.Thread(target=lambda: gate.run("alice", "full", _slow(1, started, release, sent, "full")))
    t.start()
    assert started.wait(5)
    assert gate.run("bob", "full", lambda: "bob's") == "bob's"  # not held up by alice's listing
    done = threading.Event()
    threading.Thread(target=lambda: (gate.run("alice", "changes", lambda: sent.append("changes")),
                                     done.set())).start()
    assert not done.wait(0.2), "a second listing went out while the first was in flight"
    release.set()
    assert done.wait(5)
    t.join(5)
    assert sent == ["full", "changes"]


def test_after_a_429_nobody_lists_before_retry_after():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    gate = ListingGate(clock=lambda: now[0], sleep=sleep)

    def refused():
        raise ThrottledError("busy", retry_after=30)

    with pytest.raises(ThrottledError):
        gate.run("alice", "full", refused)
    sent: list[str] = []
    with pytest.raises(ThrottledError) as impatient:
        gate.run("alice", "changes", lambda: sent.append("checker"))
    assert sent == [] and impatient.value.retry_after == pytest.approx(30)
    assert gate.run("alice", "full", lambda: "ok", patient=True) == "ok"  # the window waits it out
    assert slept == [pytest.approx(30)]
