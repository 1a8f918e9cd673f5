"""The demo as a whole organisation (issue 13 item 6): the identity provider, the Exchange emulator in the
"denied" world (employees may not run the quarantine cmdlets, as in most real organisations), and the
organisation service beside them (SQLite in a temp folder, a sweep every 5 s), so the app signs in as
Alice and takes the service road.

The installed desktop app contains no service (the ``[service]`` extra is left out of the installers):
there ``--demo`` stays on the direct road, in the "allowed" world, and the banner says so
(``ROAD_NOTE``). This is the one desktop module besides ``demo-server`` that starts the service.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from quarantine_checker.config import AppConfig
from quarantine_checker.demo.tenant import DemoTenant

log = logging.getLogger(__name__)

SWEEP_SECONDS = 5.0
ROAD_NOTE = {
    "service": "Demo organisation: your account may not use quarantine directly, so the app goes "
               "through the organisation service IT runs (here on this computer).",
    "direct": "Demo: this installation has no organisation service, so the app goes straight to the "
              "demo's Microsoft 365, where employees are allowed to.",
}


@dataclass
class DemoOrganisation:
    tenant: DemoTenant
    service: Any | None  # quarantine_service.server.BackgroundServer, when the service is installed

    @property
    def road(self) -> str:
        return "service" if self.service is not None else "direct"

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()
            self.service = None
        self.tenant.stop()


def service_available() -> bool:
    try:
        import quarantine_service  # noqa: F401
    except ImportError:
        return False
    return True


def start_organisation(state_dir: Path | None = None, *, with_service: bool | None = None,
                       sweep_interval: float = SWEEP_SECONDS) -> DemoOrganisation:
    """Start the tenant, and the service beside it when it is installed (``with_service`` forces it)."""
    use_service = service_available() if with_service is None else with_service
    tenant = DemoTenant(state_dir=state_dir, end_user_cmdlets="denied" if use_service else "allowed")
    tenant.start()
    if not use_service:
        return DemoOrganisation(tenant, None)
    try:
        from quarantine_service import demo as service_demo

        folder = Path(tempfile.mkdtemp(prefix="qc-demo-service-"))
        server = service_demo.attach(tenant, folder, sweep_interval=sweep_interval)
    except Exception:
        tenant.stop()
        raise
    # The app's first listing must not come before the service's first sweep: an empty store would read
    # as "nothing held" (a false all clear) for the first few seconds of the demo.
    deadline = time.monotonic() + 30
    while server.service.sweeper.last is None and time.monotonic() < deadline:
        time.sleep(0.05)
    log.info("demo organisation: the service is at %s", server.url)
    return DemoOrganisation(tenant, server)


def organisation_config(base: AppConfig, org: DemoOrganisation) -> AppConfig:
    """The demo's settings, on the service road when the organisation has its service."""
    if org.service is None:
        return base
    sources = {**base.sources, "service_url": "demo organisation", "service_scope": "demo organisation"}
    return replace(base, service_url=org.service.url,
                   service_scope=org.tenant.service_app_config()["api_scope"], sources=sources)


NEW_HOLD = {"Subject": "Shipping confirmation for order 4471", "SenderAddress": "orders@adatum.example",
            "QuarantineTypes": "HighConfPhish", "TagName": "LimitedAccessWithNotificationPolicy"}


def answer_pending(tenant: DemoTenant, upn: str, *, approve: bool) -> int:
    """Play IT: answer every open release request of ``upn`` through the service's reviewer API (over
    HTTPS, as the IT console will). Returns how many were answered."""
    reviewer = getattr(tenant, "service_reviewer", None)
    if reviewer is None:
        raise RuntimeError("this demo has no organisation service")
    mine = {m["Identity"] for m in tenant.messages_for(upn)}
    pending = [m for m in tenant.messages_for(upn) if str(m.get("ReleaseStatus", "")).upper() == "REQUESTED"]
    answered = 0
    for identity in {m["Identity"] for m in pending} & mine:
        answered += bool(reviewer(identity, approve))
    return answered


def hold_new_message(tenant: DemoTenant, upn: str) -> str:
    """A newly held message for ``upn``: the service's next sweep sees it and the app is told."""
    return tenant.add_message(upn, **NEW_HOLD)
