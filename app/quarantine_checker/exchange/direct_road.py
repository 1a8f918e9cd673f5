"""Is the direct road open? One question to Exchange, asked once after sign-in.

The direct road (this app calling the quarantine cmdlets with the employee's own token) is open only
if the account's session exports them (EXOModuleFile, spec §5.8). Many organisations never give
ordinary users these cmdlets, or switch PowerShell off for them (org-service.md §1.1). The answer is
shown, never guessed: a closed road is ``NoDirectAccessError``; when the question itself could not be
answered (offline, busy) that error passes through unchanged and nothing is concluded.
"""

from __future__ import annotations

import logging
from typing import Any

from quarantine_checker.core.errors import NoDirectAccessError, NotAllowedError
from quarantine_checker.exchange.client import can_use_quarantine

log = logging.getLogger(__name__)


def require_direct_road(client: Any) -> None:
    """Raise ``NoDirectAccessError`` unless ``client``'s account may run the quarantine cmdlets."""
    try:
        capabilities = client.capabilities()
    except NoDirectAccessError:
        raise
    except NotAllowedError as exc:
        # A 403 to EXOModuleFile itself: Exchange PowerShell is switched off for this account
        # (Set-User -EXOModuleEnabled $false) or Conditional Access blocks it. Same road, same fix.
        log.info("direct road closed: EXOModuleFile refused")
        raise NoDirectAccessError("Exchange PowerShell is not available to this account",
                                  **{**exc.details, "reason": "module_file_refused"}) from None
    if not can_use_quarantine(capabilities):
        log.info("direct road closed: the session exports no quarantine cmdlets")
        raise NoDirectAccessError("This account's session has no quarantine commands",
                                  reason="cmdlets_not_exported", cmdlet="EXOModuleFile")
    log.info("direct road open")
