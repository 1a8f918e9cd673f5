"""A hook for a guided tour: what to point a new user at. The app knows only this shape; the demo's
story (demo/guide.py) fills it in, and a real organisation has none."""

from __future__ import annotations

from typing import Protocol


class Guide(Protocol):
    @property
    def hint(self) -> str:
        """One plain sentence naming the message to try ("" when there is nothing to point at)."""
        ...

    @property
    def story_missing(self) -> bool:
        """The practice mailbox starts empty because its story is not part of this build."""
        ...

    def first_selection(self) -> str | None:
        """The message to select after the first listing (once), or None."""
        ...
