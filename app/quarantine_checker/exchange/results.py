"""Plain results the client hands back (no HTTP types leak out of exchange/).

They are the mailbox boundary's own types (core/mailbox.py), shared by both roads; kept importable from
here for the code that has always found them here.
"""

from __future__ import annotations

from quarantine_checker.core.mailbox import Attachment, ListResult, Preview

__all__ = ["Attachment", "ListResult", "Preview"]
