"""The tenant setting "may ordinary users run the quarantine cmdlets?": both worlds of org-service.md §1.1.

It is not settled whether a plain employee may call ``Get-QuarantineMessage`` over InvokeCommand, so
the demo tenant can be either world. **denied** (the ``demo-server`` default, and probably the common
case): a user without an admin role finds no quarantine cmdlet in ``EXOModuleFile`` and every
quarantine InvokeCommand answers 401 with a JSON body, *without* ``WWW-Authenticate: ...
error="invalid_token"``, because the token is fine and only the role is missing. **allowed**: every
user has the end-user cmdlets. Admin role holders have the cmdlets in both worlds (and see admin
``PermissionTo*`` values, store.wire's job). The per-user ``EXOModuleEnabled`` switch is separate.

The Exchange emulator consults this module at one authorisation point, before any cmdlet runs.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from quarantine_checker.demo.directory import DemoUser

DENIED = "denied"
ALLOWED = "allowed"
WORLDS = (DENIED, ALLOWED)

# People without an admin role. A caller with another role (an administrator, or an app-only
# service principal should one be added) is never refused by this setting.
REFUSED_ROLES = frozenset({"employee", "guest", "shared"})


def check_world(value: object) -> str:
    """``value`` as a world name, or ValueError naming the two choices."""
    if not isinstance(value, str) or value.strip().lower() not in WORLDS:
        raise ValueError(f"end-user cmdlets must be one of {', '.join(WORLDS)}, not {str(value)[:40]!r}")
    return value.strip().lower()


def is_quarantine_cmdlet(name: str) -> bool:
    # By name, so cmdlets added later (Get-QuarantinePolicy, ...) fall under the same rule.
    return "quarantine" in name.lower()


def refused(world: str, caller: DemoUser) -> bool:
    return world == DENIED and caller.role in REFUSED_ROLES


def exported(world: str, caller: DemoUser, names: Iterable[str]) -> tuple[str, ...]:
    """The cmdlets ``caller``'s session exports in ``world``, from the ones their role would export."""
    if not refused(world, caller):
        return tuple(names)
    return tuple(n for n in names if not is_quarantine_cmdlet(n))


def refusal_body(cmdlet: str, client_request_id: str | None) -> bytes:
    """The 401 body of org-service.md §1.1 (closest observed shape, office-docs-powershell issue 7970)."""
    name = "".join(ch for ch in cmdlet if ch.isalnum() or ch == "-")[:80] or "Get-QuarantineMessage"
    inner = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": str(uuid.uuid4()),
        "client-request-id": (client_request_id or str(uuid.uuid4()))[:100],
    }
    error = {"code": "Unauthorized", "message": f"User is not allowed to call {name}", "innererror": inner}
    return json.dumps({"error": error}).encode("utf-8")
