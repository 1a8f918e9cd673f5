"""Faults the Exchange emulator can be told to inject, each for the next N matching requests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = frozenset(
    {
        "throttle",
        "unavailable",
        "redirect",
        "forbidden_nul",
        "slow",
        "malformed_json",
        "unauthorized",
        "value_null",
        "value_missing",
        "command_not_found",
        "error_shape",
        "html_502",
        "drop_connection",
        # Hostile or odd replies, for the client's reading of them: "reply" answers 200 with ``body``
        # (any JSON value, sent as is) or, with ``value``, the service's own envelope around it;
        # "cmdlet_error" answers a cmdlet error with ``message`` and ``type_name`` (spec §5.6).
        "reply",
        "cmdlet_error",
    }
)
# Matched against the EXOModuleFile request when a fault names this as its cmdlet.
MODULE_FILE = "EXOModuleFile"


@dataclass
class Fault:
    kind: str
    count: int = 1
    cmdlet: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def matches(self, cmdlet: str | None, caller: str | None = None) -> bool:
        if not _caller_matches(self.params.get("caller"), caller):
            return False
        return self.cmdlet is None or (cmdlet is not None and self.cmdlet.lower() == cmdlet.lower())


def _caller_matches(wanted: Any, caller: str | None) -> bool:
    """A fault's optional ``caller``: a UPN, or "app" for any app-only caller (whose name is
    "app:<client id>"), so the organisation service's sweep and a desktop app can be told apart
    when both talk to one demo tenant."""
    if wanted is None:
        return True
    if caller is None:
        return False
    wanted = str(wanted).lower()
    return caller.lower().startswith("app:") if wanted == "app" else caller.lower() == wanted


class FaultPlan:
    """First-in, first-out list of pending faults; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, kind: str, *, count: int = 1, cmdlet: str | None = None, **params: Any) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(sorted(FAULT_KINDS))}")
        if count < 1:
            raise ValueError("count must be at least 1")
        if kind == "error_shape" and params.get("shape", 1) not in (1, 2, 3):
            raise ValueError("error_shape needs shape 1, 2 or 3")
        if kind == "reply" and ("body" in params) == ("value" in params):
            raise ValueError("reply needs exactly one of body or value")
        if kind == "cmdlet_error" and not isinstance(params.get("message"), str):
            raise ValueError("cmdlet_error needs a message")
        with self._lock:
            self._faults.append(Fault(kind, int(count), cmdlet, dict(params)))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take(self, cmdlet: str | None, *, shape: bool, caller: str | None = None) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if (fault.kind == "error_shape") == shape and fault.matches(cmdlet, caller):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def take(self, cmdlet: str | None, caller: str | None = None) -> Fault | None:
        """The fault that applies to this request (``caller``: its UPN, if it has a valid token),
        consuming one use of it."""
        return self._take(cmdlet, shape=False, caller=caller)

    def take_error_shape(self, cmdlet: str | None, caller: str | None = None) -> int:
        """The envelope shape for a cmdlet error about to be sent (1 unless a fault says otherwise)."""
        fault = self._take(cmdlet, shape=True, caller=caller)
        return int(fault.params.get("shape", 1)) if fault else 1

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [{"kind": f.kind, "count": f.count, "cmdlet": f.cmdlet, **f.params} for f in self._faults]
