"""The one text-safety module: any string the wire can carry, made safe for every place text goes.

JSON may carry text that is not valid Unicode: ``"\\ud800"`` decodes to a lone UTF-16 surrogate, which
Python keeps in a ``str`` but no encoder (terminal, log file, D-Bus, Qt) can write. ``scrub`` turns such
code points into U+FFFD; ``scrub_json`` does it for a whole decoded reply, which the Exchange transport
runs once on every answer, so nothing downstream ever holds one. Each output edge (terminal, JSON,
Qt, notifications, logs) still calls ``scrub`` through its own neutraliser, because text also comes
from places other than Exchange (the identity provider, the keyring, a log message).

``terminal_text`` is the command line's neutraliser: no escape sequences, no bidi overrides, CRLF read
as one line break.
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
# A \uD800-\uDFFF escape in raw JSON: the only way a surrogate reaches a decoded reply (raw UTF-8 bytes
# of one fail to decode). Valid pairs match too; the scrub then finds nothing to change.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_MAX_DEPTH = 64

# C0/C1 controls (tab and newline kept for the callers to decide), zero-width and bidi controls.
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_ENDS = re.compile(r"\r\n|\r|\u2028|\u2029")


def scrub(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD; the same object when there is none."""
    if text.isascii():
        return text
    return _SURROGATE.sub(REPLACEMENT, text)


def needs_json_scrub(raw: bytes) -> bool:
    """True when a raw JSON document may decode to strings holding lone surrogates."""
    return _SURROGATE_ESCAPE.search(raw) is not None


def scrub_json(value: Any, _depth: int = 0) -> Any:
    """A decoded JSON value with ``scrub`` applied to every string, keys included."""
    if isinstance(value, str):
        return scrub(value)
    if _depth > _MAX_DEPTH:
        return value  # json.loads already refuses deeper nesting than it can handle; nothing to fix here
    if isinstance(value, dict):
        return {scrub(k) if isinstance(k, str) else k: scrub_json(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_json(v, _depth + 1) for v in value]
    return value


def normalise_line_ends(text: str) -> str:
    """CRLF, lone CR and the Unicode line/paragraph separators as plain ``\\n``."""
    return _LINE_ENDS.sub("\n", text)


def terminal_text(text: Any, *, keep_newlines: bool = False, limit: int | None = None) -> str:
    """Terminal-safe text: valid Unicode, no escape sequences, no bidi overrides; one line unless
    ``keep_newlines``. Longer than ``limit`` characters ends in an ellipsis."""
    value = "" if text is None else str(text)
    if limit is not None and len(value) > limit * 4:
        value = value[: limit * 4]  # never fold megabytes for a table cell
    value = normalise_line_ends(scrub(value))
    value = _TERMINAL_CONTROL.sub(REPLACEMENT, value)
    if not keep_newlines:
        value = value.replace("\n", " ").replace("\t", " ")
    if limit is not None and len(value) > limit:
        value = value[: max(1, limit - 1)] + "…"
    return value
