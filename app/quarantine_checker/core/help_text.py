"""The words of the Help menu: what quarantine is, what each status means, the keyboard shortcuts, and
the licences. English in tables (no Qt here); the UI passes each string through translate() with context
``TRANSLATION_CONTEXT``. Status names come from the one vocabulary (``vocabulary.STATUS_WORDS``), so Help
uses the words the list, the details pane and the command line show.
"""

from __future__ import annotations

from quarantine_checker.core.vocabulary import STATUS_WORDS, DisplayStatus

TRANSLATION_CONTEXT = "help"

WHAT_IS_QUARANTINE = (
    "Your organisation's mail filter (Microsoft 365) holds back mail it thinks may be junk, a scam or "
    "harmful, instead of delivering it to your inbox. Held mail waits in quarantine for a few weeks and is "
    "then deleted. This app shows only your own held mail, explains why each message was held, and lets "
    "you release it, ask IT to release it, or delete it. Nothing is released without you asking."
)

# One sentence per status the list shows, in the order a message usually goes through them.
STATUS_MEANINGS: tuple[tuple[DisplayStatus, str], ...] = (
    (DisplayStatus.CAN_RELEASE,
     "Held and waiting for you. Look at why it was held; release it to your inbox, or leave it."),
    (DisplayStatus.CAN_REQUEST,
     "Held and waiting for you. Your organisation lets you ask IT to release it; they check it first."),
    (DisplayStatus.IT_ONLY,
     "Held, and only IT can release it. Contact them if you need it."),
    (DisplayStatus.WAITING_FOR_IT,
     "You asked IT to release it. They have not answered yet; you will be told when they do."),
    (DisplayStatus.RELEASING, "The release is on its way; the message will reach your inbox soon."),
    (DisplayStatus.RELEASED, "The message has been delivered to your inbox."),
    (DisplayStatus.DECLINED,
     "IT looked at it and decided not to release it. Contact them if you think that was a mistake."),
    (DisplayStatus.FAILED, "The release did not go through. Try again, or copy the details for IT."),
    (DisplayStatus.EXPIRED, "Quarantine deleted it when its time ran out; nothing more can be done with it."),
)


def status_meanings() -> list[tuple[str, str]]:
    """(the status as the list shows it, what it means), English."""
    return [(STATUS_WORDS[status], meaning) for status, meaning in STATUS_MEANINGS]


# (keys, what they do): the shortcuts the main window binds (ui/main_window.py, ui/help_menu.py).
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Ctrl+F", "Go to the search box"),
    ("Escape", "Clear the search (in the search box)"),
    ("Down", "From the search box, go to the first message found"),
    ("Tab / Shift+Tab", "Move between search, filters, the list, the details and the buttons"),
    ("Up / Down", "Choose a message in the list (Shift or Ctrl to choose several)"),
    ("Enter", "Do the main action for the selected message (release, or ask IT to release)"),
    ("Delete", "Delete the selected message (asks first)"),
    ("F5 or Ctrl+R", "Check for held mail now"),
    ("Ctrl+,", "Settings"),
    ("F1", "This help"),
    ("Alt", "Show the menu bar's shortcuts (Alt+F: File, Alt+H: Help)"),
)

LICENCE_TEXT = (
    "Quarantine Checker is free software under the MIT licence. It is built on Qt for Python (PySide6, "
    "LGPL-3.0), MSAL (MIT), requests (Apache-2.0), keyring (MIT) and other open-source libraries; installed "
    "builds list each library and its licence in THIRD-PARTY.md next to the program."
)
