"""The demo story's guide: the held invoice is the message a new user should find first.

The window shows ``hint`` in its demo banner and selects ``first_selection()`` after the first listing;
it knows nothing else of the story (core/guide.py is the hook).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StoryGuide:
    invoice_identity: str
    invoice_sender: str
    story_missing: bool = False

    @property
    def hint(self) -> str:
        return (f"Try it: the invoice from {self.invoice_sender} was held by mistake — Request release asks "
                "IT to let it through.")

    def first_selection(self) -> str | None:
        return self.invoice_identity


@dataclass(frozen=True)
class NoStoryGuide:
    """A build without the demo story: the practice mailbox starts empty, and the banner says so."""

    hint: str = ""
    story_missing: bool = True

    def first_selection(self) -> str | None:
        return None


def demo_guide() -> StoryGuide | NoStoryGuide:
    try:
        from quarantine_checker.demo.seed import INVOICE_IDENTITY, INVOICE_SENDER
    except ImportError:  # a build without the demo story
        return NoStoryGuide()
    return StoryGuide(INVOICE_IDENTITY, INVOICE_SENDER)
