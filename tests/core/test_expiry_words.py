"""'Deleted in …' wording at its boundaries, in the caller's time zone, without the process locale."""

from __future__ import annotations

import locale
from datetime import UTC, datetime, timedelta, timezone

import pytest

from quarantine_checker.core.expiry import days_left, expiry_text, format_date

NOW = datetime(2026, 8, 14, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=-1), "already deleted"),
        (timedelta(0), "already deleted"),
        (timedelta(seconds=30), "deleted in less than a minute"),
        (timedelta(minutes=1, seconds=59), "deleted in 1 minute"),
        (timedelta(minutes=59, seconds=59), "deleted in 59 minutes"),
        (timedelta(hours=1), "deleted in 1 hour"),
        (timedelta(hours=5, minutes=59), "deleted in 5 hours"),
        (timedelta(hours=11, minutes=59), "deleted in 11 hours"),
        (timedelta(hours=12), "deleted today at 21:00"),
        (timedelta(hours=14, minutes=59), "deleted today at 23:59"),
        (timedelta(hours=15), "deleted tomorrow"),
        (timedelta(days=1, hours=14, minutes=59), "deleted tomorrow"),
        (timedelta(days=1, hours=15), "deleted in 2 days"),
        (timedelta(days=3), "deleted in 3 days"),
        (timedelta(days=30), "deleted in 30 days"),
    ],
)
def test_boundaries(delta, text):
    assert expiry_text(NOW + delta, NOW) == text


def test_late_evening_counts_hours_not_tomorrow():
    late = datetime(2026, 8, 14, 23, 0, tzinfo=UTC)
    assert expiry_text(datetime(2026, 8, 15, 7, 0, tzinfo=UTC), late) == "deleted in 8 hours"


def test_calendar_days_follow_the_callers_time_zone():
    expires = datetime(2026, 8, 16, 20, 0, tzinfo=UTC)  # 17 Aug 05:00 in Tokyo
    tokyo = timezone(timedelta(hours=9))
    assert days_left(expires, NOW) == 2
    assert days_left(expires, NOW.astimezone(tokyo)) == 3
    assert expiry_text(expires, NOW.astimezone(tokyo)) == "deleted in 3 days"
    morning = datetime(2026, 8, 14, 0, 0, tzinfo=tokyo)
    assert expiry_text(datetime(2026, 8, 14, 22, 30, tzinfo=tokyo), morning) == "deleted today at 22:30"


def test_days_left():
    assert days_left(None, NOW) is None
    assert days_left(NOW, NOW) == 0
    assert days_left(NOW - timedelta(days=2), NOW) == -2
    assert days_left(datetime(2026, 8, 15, 0, 1, tzinfo=UTC), NOW) == 1


def test_missing_expiry_is_blank():
    assert expiry_text(None, NOW) == ""


def test_naive_values_are_utc():
    assert expiry_text(datetime(2026, 8, 17, 9, 0), datetime(2026, 8, 14, 9, 0)) == "deleted in 3 days"


@pytest.mark.parametrize("name", ["de_DE.UTF-8", "fr_FR.UTF-8", "ja_JP.UTF-8"])
def test_no_locale_traps(name):
    # strftime("%B %p") would follow the process locale; our words must not.
    previous = locale.setlocale(locale.LC_TIME)
    try:
        locale.setlocale(locale.LC_TIME, name)
    except locale.Error:
        pytest.skip(f"{name} is not installed on this machine")
    try:
        assert format_date(datetime(2026, 8, 1, 23, 30, tzinfo=UTC), NOW) == "1 August 2026"
        assert expiry_text(NOW + timedelta(hours=13, minutes=5), NOW) == "deleted today at 22:05"
    finally:
        locale.setlocale(locale.LC_TIME, previous)


def test_dates_spell_the_month():
    assert format_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), NOW) == "31 December 2026"
    paris = NOW.astimezone(timezone(timedelta(hours=1)))
    assert format_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), paris) == "1 January 2027"
