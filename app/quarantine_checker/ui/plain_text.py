"""The only way message data reaches the screen: plain-text widgets and a neutraliser for tricks.

Every field of a quarantined message (subject, sender, names, headers, body, link text) is
attacker-controlled. Widgets built here never interpret rich text, never follow or open links and
never load a resource: ``QLabel`` with ``Qt.PlainText`` and ``QPlainTextEdit`` (which has no HTML
mode at all). ``visible`` also turns invisible direction overrides and control characters into
visible markers, so "‮fdp.exe" cannot pose as "exe.pdf" and a subject cannot hide text. Long text is
cut for display with its whole length said (``shorten``), and wrapping labels get a break opportunity in
every long unbroken run, so a 20 kB subject wraps instead of pushing the window sideways.
"""

from __future__ import annotations

import re

from PySide6 import QtGui
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSizePolicy, QWidget

from quarantine_checker.core.text_safety import scrub

# Bidi embeddings/overrides/isolates, zero-width and other format characters, C0/C1 controls.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\t|\u2028|\u2029")

SINGLE_LINE_LIMIT = 300  # characters shown in a one-line field; the rest is elided (full text in details)
# A wrapping label only breaks lines between words, so one long unbroken run (a 20 kB subject) would
# set its minimum width and push the whole pane sideways. Runs longer than this get a break opportunity.
WRAP_RUN = 40
_LONG_RUN = re.compile(rf"(\S{{{WRAP_RUN}}})(?=\S)")


def _marker(match: re.Match[str]) -> str:
    return f"[U+{ord(match.group(0)):04X}]"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters for display, saying how long the whole of it is."""
    if len(text) <= limit:
        return text
    whole = QCoreApplication.translate("plain_text", "({0} characters in all)").format(
        QLocale().toString(len(text))
    )
    return f"{text[:limit]}… {whole}"


def visible(text: object, *, single_line: bool = True, limit: int | None = SINGLE_LINE_LIMIT) -> str:
    """Return ``text`` safe to show literally: invisible characters made visible, optionally one line."""
    s = scrub("" if text is None else str(text))
    if limit is not None and len(s) > limit:  # checked here too: this runs for every cell of every row
        s = shorten(s, limit)
    s = _LINE_BREAKS.sub(" ", s) if single_line else s.replace("\r\n", "\n").replace("\r", "\n")
    return _INVISIBLE.sub(_marker, s)


def wrappable(text: str) -> str:
    """``text`` with a zero-width break opportunity in every run of more than ``WRAP_RUN`` characters."""
    return _LONG_RUN.sub("\\1\u200b", text)


def plain_tooltip(text: str) -> str:
    """``text`` for a tooltip, shown literally.

    Tooltips have no plain-text switch: QToolTip renders anything ``Qt.mightBeRichText`` accepts as
    HTML (so a subject ``<img src="file:///…">`` would load a local file, and ``<span style=…>``
    could hide or restyle words). Such text is escaped into rich text that displays the characters.
    """
    rich = QtGui.Qt.mightBeRichText(text)  # the QtGui half of the Qt namespace holds these two
    return QtGui.Qt.convertFromPlainText(text) if rich else text


def has_hidden_characters(text: object) -> bool:
    return bool(_INVISIBLE.search("" if text is None else str(text)))


def plain_label(
    text: str = "",
    parent: QWidget | None = None,
    *,
    selectable: bool = True,
    wrap: bool = True,
    accessible_name: str | None = None,
) -> QLabel:
    """A QLabel that can only ever show ``text`` literally."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setOpenExternalLinks(False)
    flags = Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
    label.setTextInteractionFlags(flags if selectable else Qt.TextInteractionFlag.NoTextInteraction)
    label.setWordWrap(wrap)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    if accessible_name:
        label.setAccessibleName(accessible_name)
    label.setText(text)
    _expose_value(label, text)
    return label


def _expose_value(label: QLabel, shown: str) -> None:
    """Let a screen reader hear what the label shows, not only its caption.

    A QLabel offers assistive technology no text of its own: with an accessible name set, the name is all
    that is read. So a value label named by its caption ("Subject", "From") would be heard as the caption.
    Its text goes into the accessible description (name = caption, description = the value); a label
    without a caption is named by its text, which Qt does by itself.
    """
    if label.accessibleName():
        label.setAccessibleDescription(shown.replace("\u200b", ""))


def set_plain(label: QLabel, text: object, *, single_line: bool = False, limit: int | None = 2000) -> None:
    """Put message data into a label made by ``plain_label`` (re-asserts plain text, then neutralises)."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    shown = visible(text, single_line=single_line, limit=limit)
    label.setText(wrappable(shown) if label.wordWrap() else shown)
    _expose_value(label, shown)


def plain_text_view(
    parent: QWidget | None = None, *, monospace: bool = False, accessible_name: str | None = None
) -> QPlainTextEdit:
    """A read-only, selectable, copyable text area that has no notion of HTML, links or images."""
    view = QPlainTextEdit(parent)
    view.setReadOnly(True)
    view.setUndoRedoEnabled(False)
    view.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    view.setTabChangesFocus(True)
    if monospace:
        view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    if accessible_name:
        view.setAccessibleName(accessible_name)
    return view


def set_plain_body(view: QPlainTextEdit, text: object, *, limit: int = 200_000) -> None:
    """Fill a ``plain_text_view`` with multi-line message data."""
    view.setPlainText(visible(text, single_line=False, limit=limit))
