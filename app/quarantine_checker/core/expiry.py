"""How long until quarantine deletes a message, in plain words.

Times are shown in the time zone of ``now``: pass ``datetime.now().astimezone()`` to get the user's
local clock. Formatting is done by hand (24-hour HH:MM, English month names from a table) rather than
with strftime, whose output depends on the process locale.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

TRANSLATION_CONTEXT = "expiry"

# Below this much time left we count hours, not calendar days: "deleted tomorrow" said at 23:00
# about 07:00 would make someone think they have a whole day.
HOURS_THRESHOLD = timedelta(hours=12)

TEXTS: dict[str, str] = {
    "gone": "already deleted",
    "under_minute": "deleted in less than a minute",
    "minute": "deleted in 1 minute",
    "minutes": "deleted in {n} minutes",
    "hour": "deleted in 1 hour",
    "hours": "deleted in {n} hours",
    "today_at": "deleted today at {time}",
    "tomorrow": "deleted tomorrow",
    "days": "deleted in {n} days",
}

MONTHS: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

DATE_FORMAT = "{day} {month} {year}"

# When a message arrived, as the list and the command line show it.
RECEIVED_TEXTS: dict[str, str] = {"today": "Today {0}", "yesterday": "Yesterday {0}"}
RECEIVED_CONTEXT = "received"


def _same(context: str, text: str) -> str:
    return text


def _in_zone_of(moment: datetime, now: datetime) -> tuple[datetime, datetime]:
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(now.tzinfo), now


def days_left(expires: datetime | None, now: datetime) -> int | None:
    """Calendar days from today until the expiry date (0 = today, 1 = tomorrow, negative = past).

    None when the message has no expiry date.
    """
    if expires is None:
        return None
    local, now = _in_zone_of(expires, now)
    return (local.date() - now.date()).days


def format_time(moment: datetime, now: datetime) -> str:
    local, _ = _in_zone_of(moment, now)
    return f"{local.hour:02d}:{local.minute:02d}"


def format_date(moment: datetime, now: datetime) -> str:
    """'21 August 2026' in the zone of ``now``; no locale involved."""
    local, _ = _in_zone_of(moment, now)
    return DATE_FORMAT.format(day=local.day, month=MONTHS[local.month - 1], year=local.year)


def expiry_text(expires: datetime | None, now: datetime) -> str:
    """'deleted in 3 days', 'deleted tomorrow', 'deleted today at 14:00', 'deleted in 5 hours', …

    Empty when the service gave no expiry date, so the UI can leave the cell blank.
    """
    if expires is None:
        return ""
    local, now = _in_zone_of(expires, now)
    remaining = local - now
    if remaining <= timedelta(0):
        return TEXTS["gone"]
    if remaining < timedelta(minutes=1):
        return TEXTS["under_minute"]
    if remaining < timedelta(hours=1):
        minutes = int(remaining.total_seconds() // 60)  # round down: never promise more time than there is
        return TEXTS["minute"] if minutes == 1 else TEXTS["minutes"].format(n=minutes)
    if remaining < HOURS_THRESHOLD:
        hours = int(remaining.total_seconds() // 3600)
        return TEXTS["hour"] if hours == 1 else TEXTS["hours"].format(n=hours)
    days = (local.date() - now.date()).days
    if days <= 0:
        return TEXTS["today_at"].format(time=format_time(local, now))
    if days == 1:
        return TEXTS["tomorrow"]
    return TEXTS["days"].format(n=days)


def received_text(
    moment: datetime | None, now: datetime, translate: Callable[[str, str], str] = _same
) -> str:
    """'Today 08:15', 'Yesterday 17:02', '12 May 08:15', '12 May 2025' (24-hour, no locale, no seconds).

    ``translate(context, text)`` lets the window pass its strings through Qt's translation.
    """
    if moment is None:
        return ""
    local, now = _in_zone_of(moment, now)
    hhmm = f"{local.hour:02d}:{local.minute:02d}"
    days = (now.date() - local.date()).days
    if days == 0:
        return translate(RECEIVED_CONTEXT, RECEIVED_TEXTS["today"]).format(hhmm)
    if days == 1:
        return translate(RECEIVED_CONTEXT, RECEIVED_TEXTS["yesterday"]).format(hhmm)
    month = translate(TRANSLATION_CONTEXT, MONTHS[local.month - 1])[:3]
    if local.year == now.year:
        return f"{local.day} {month} {hhmm}"
    return f"{local.day} {month} {local.year}"
