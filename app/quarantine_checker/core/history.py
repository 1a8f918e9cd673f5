"""History: the employee's past held mail and what became of it, in words (the service keeps it after
Exchange deleted the messages; org-service.md §2.6). Shared by the History window and ``history``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from quarantine_checker.core.model import QuarantineType

OUTCOME_WORDS = {
    "held": "Still held",
    "released_by_me": "Released by you",
    "released_by_it": "Released by IT",
    "released_by_microsoft": "Released by Microsoft",
    "declined": "IT declined to release it",
    "expired": "Deleted after its time in quarantine ran out",
    "deleted": "Deleted",
}


@dataclass(frozen=True)
class HistoryEntry:
    """One past held message and what became of it."""

    identity: str
    received: datetime | None
    sender: str
    subject: str
    reason: QuarantineType
    outcome: str  # a key of OUTCOME_WORDS
    outcome_at: datetime | None

    @property
    def outcome_text(self) -> str:
        return OUTCOME_WORDS.get(self.outcome, "Unknown")
