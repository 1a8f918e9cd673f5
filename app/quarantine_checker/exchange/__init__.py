"""The Exchange Online transport: InvokeCommand over HTTPS with a delegated token.

Public surface: ``ExoClient``, ``can_use_quarantine``, ``ListResult``, ``Preview``, ``Attachment``.
Imported lazily so that the transport and guard load without the domain model (and quickly).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ExoClient": "quarantine_checker.exchange.client",
    "can_use_quarantine": "quarantine_checker.exchange.client",
    "Attachment": "quarantine_checker.exchange.results",
    "ListResult": "quarantine_checker.exchange.results",
    "Preview": "quarantine_checker.exchange.results",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
