"""What a bulk action did, message by message, in plain words: the results panel shows it and its Copy
button copies it (with the facts for IT under the failures). No Qt here; the window translates the table's
English like every other core text (context ``TRANSLATION_CONTEXT``)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from quarantine_checker.core.decision import Action

TRANSLATION_CONTEXT = "bulk_report"


class Result(enum.Enum):
    DONE = "done"
    FAILED = "failed"    # tried, and Microsoft 365 (or the network) said no
    SKIPPED = "skipped"  # not tried: the action isn't available for it, or something else is running


DONE_WORDS: dict[Action, str] = {
    Action.RELEASE: "Released to your Inbox",
    Action.REPORT_NOT_JUNK: "Released to your Inbox and reported as not junk",
    Action.REQUEST_RELEASE: "Release requested: IT will answer",
    Action.DELETE: "Deleted from your quarantine",
}
ACTION_TITLES: dict[Action, str] = {
    Action.RELEASE: "Release",
    Action.REPORT_NOT_JUNK: "Release and report as not junk",
    Action.REQUEST_RELEASE: "Request release",
    Action.DELETE: "Delete",
}
SUMMARY = "{action}: {done} of {total} done"
NOT_DONE = "{0} not done"
LINE_DONE = "✓ {message}\n    {what}"
LINE_NOT_DONE = "✗ {message}\n    Not done: {why}"
FOR_IT = "    For IT: {0}"
BUSY = "Something is already running for this message"
NOT_AVAILABLE = "This action isn't available for it"


@dataclass
class Entry:
    identity: str
    label: str  # "Subject — sender", already plain and short
    result: Result | None = None  # None: still running
    words: str = ""  # what was done, or why not
    details_for_it: str = ""


@dataclass
class BulkReport:
    action: Action
    entries: list[Entry] = field(default_factory=list)

    def entry(self, identity: str) -> Entry | None:
        return next((e for e in self.entries if e.identity == identity), None)

    def finished(self) -> bool:
        return all(e.result is not None for e in self.entries)

    def done(self) -> list[Entry]:
        return [e for e in self.entries if e.result is Result.DONE]

    def not_done(self) -> list[Entry]:
        return [e for e in self.entries if e.result in (Result.FAILED, Result.SKIPPED)]


def summary(report: BulkReport, tr: object = None) -> str:
    t = _tr(tr)
    text = t(SUMMARY).format(action=t(ACTION_TITLES[report.action]), done=len(report.done()),
                             total=len(report.entries))
    missed = len(report.not_done())
    return f"{text} · {t(NOT_DONE).format(missed)}" if missed else text


def lines(report: BulkReport, tr: object = None, *, for_it: bool = False) -> str:
    """One paragraph per message: what was done, or that it wasn't and why. Not done first: that is what
    the person has to look at."""
    t = _tr(tr)
    out = [summary(report, tr), ""]
    for e in [*report.not_done(), *report.done()]:
        if e.result is Result.DONE:
            out.append(t(LINE_DONE).format(message=e.label, what=e.words))
        else:
            out.append(t(LINE_NOT_DONE).format(message=e.label, why=e.words))
            if for_it and e.details_for_it:
                out.append(t(FOR_IT).format(" ".join(e.details_for_it.split())[:600]))
    return "\n".join(out)


def _tr(tr: object) -> Callable[[str], str]:
    """``tr``: a (text) -> text translation, or None for the English."""
    return tr if callable(tr) else (lambda text: text)
