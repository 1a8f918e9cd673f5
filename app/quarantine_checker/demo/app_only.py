"""App-only callers of the Exchange emulator: what a service principal must hold (org-service.md §3).

An app-only token (client credentials) reaches InvokeCommand as the service principal. Exchange
lets it run cmdlets only with **both** the application permission ``Exchange.ManageAsApp`` in the
token's ``roles`` claim **and** a directory role for the service principal that includes the
quarantine cmdlets. graph2otel measured, live: no grant -> 401; the app role only -> 403; both ->
200 (exchange-quarantine-api.md §5.6). Exchange reads the directory role at call time, so taking
the role away refuses tokens already issued; the permission is a claim, fixed at issuance.

With both, the caller has admin semantics (``DemoUser.is_admin``): tenant-wide listing, admin
``PermissionTo*`` values, ``-User``/``-ReleaseToAll`` releases. It has no mailbox, so ``MyItems``
finds nothing. Faults and the rate limit apply to app-only callers like to anyone else.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from quarantine_checker.demo.directory import Caller, Directory
from quarantine_checker.demo.service_app import EXCHANGE_APP_ROLE

NUL_BODY = b"\x00" * 4096  # what a 403 for a cmdlet outside the caller's roles carries, live


def _unauthorized(message: str, client_request_id: str | None) -> bytes:
    inner = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": str(uuid.uuid4()),
        "client-request-id": (client_request_id or str(uuid.uuid4()))[:100],
    }
    return json.dumps({"error": {"code": "Unauthorized", "message": message, "innererror": inner}}).encode()


def refusal(
    directory: Directory, caller: Caller, endpoint: str, client_request_id: str | None
) -> tuple[int, bytes] | None:
    """(status, body) when an app-only caller may not go on; None for people and entitled apps.

    ``endpoint`` is "invokecommand" or "exomodulefile"; the module file is served to an app with
    the permission but without a role (it then lists no quarantine cmdlets, see ``exported``).
    """
    if not caller.app_only:
        return None
    if EXCHANGE_APP_ROLE not in caller.roles:
        message = f"The application does not have the {EXCHANGE_APP_ROLE} permission to call this API."
        return 401, _unauthorized(message, client_request_id)
    if endpoint == "invokecommand" and not directory.service_app.holds_quarantine_role():
        return 403, NUL_BODY
    return None


def exported(directory: Directory, caller: Caller, names: tuple[str, ...]) -> tuple[str, ...]:
    """The cmdlets an app-only session exports: none without a directory role."""
    if caller.app_only and not directory.service_app.holds_quarantine_role():
        return ()
    return names
