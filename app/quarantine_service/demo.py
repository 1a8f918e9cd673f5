"""The service beside the demo tenant: what ``quarantine-checker demo-server`` and the tests start.

SQLite in a folder of its own, a short sweep interval, and HTTPS with the demo tenant's server
certificate (127.0.0.1/localhost, signed by the demo CA the apps already trust). The config file is
written into the folder too, so ``quarantine-checker-service --config <folder>/service.toml check``
works against the demo.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from quarantine_service.config import ServiceConfig, from_mapping, to_toml
from quarantine_service.server import BackgroundServer
from quarantine_service.service import Service
from quarantine_service.store.db import Database, migrate


def demo_settings(app: dict[str, Any], folder: Path, *, tls_certificate: Path | None = None,
                  tls_key: Path | None = None, sweep_interval: float = 5.0, **extra: Any) -> dict[str, Any]:
    """The config file's values for the demo tenant's service registration (its ``service_app``)."""
    authority = urlsplit(app["authority"])
    return {
        "tenant_id": app["tenant_id"],
        "tenant_domain": app["tenant_domain"],
        "client_id": app["client_id"],
        "certificate": app["certificate_path"],
        "certificate_key": app["private_key_path"],
        "authority_host": f"{authority.scheme}://{authority.netloc}",
        "exchange_url": app["exchange_url"],
        "exchange_resource": str(app["exchange_scope"]).removesuffix("/.default"),
        "ca_bundle": app["ca_bundle"],
        "database_url": f"sqlite:///{folder / 'service.db'}",
        "host": "127.0.0.1",
        "port": 0,
        "tls_certificate": str(tls_certificate) if tls_certificate else None,
        "tls_key": str(tls_key) if tls_key else None,
        "sweep_interval_seconds": sweep_interval,
        "reconcile_interval_seconds": max(sweep_interval * 12, 1.0),
        "exchange_rate_limit_per_second": 50,
        **extra,
    }


def prepare(app: dict[str, Any], folder: Path, **kwargs: Any) -> ServiceConfig:
    """Write the config file and migrate the database; returns the config."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = demo_settings(app, folder, **kwargs)
    (folder / "service.toml").write_text(to_toml(settings), encoding="utf-8")
    config = from_mapping(settings, base_dir=folder)
    db = Database(config.database_url)
    try:
        migrate(db.engine)
    finally:
        db.dispose()
    return config


def start(app: dict[str, Any], folder: Path, *, sweep: bool = True, **kwargs: Any) -> BackgroundServer:
    server = BackgroundServer(Service(prepare(app, folder, **kwargs)), sweep=sweep)
    server.config_file = folder / "service.toml"
    return server.start()


class DemoReviewer:
    """The demo's "IT approves": the demo IT person answers through the service's reviewer API over HTTPS,
    exactly as the IT console will."""

    def __init__(self, service_url: str, tenant: Any) -> None:
        self.url = service_url.rstrip("/")
        self.tenant = tenant
        self.session = requests.Session()
        self.session.verify = str(tenant.ca_file)
        self.session.trust_env = False

    def answer(self, identity: str, approve: bool) -> bool:
        reviewers = self.tenant.service_app_config()["reviewers"]
        if not reviewers:
            return False
        headers = {"Authorization": f"Bearer {self.tenant.user_api_token(reviewers[0])}"}
        listing = self.session.get(f"{self.url}/v1/review/requests", headers=headers, timeout=30)
        listing.raise_for_status()
        answered = False
        for request in listing.json()["items"]:
            if request["message_id"].lower() == identity.lower():
                verb = "approve" if approve else "decline"
                self.session.post(f"{self.url}/v1/review/requests/{request['request_id']}/{verb}",
                                  headers=headers, timeout=60).raise_for_status()
                answered = True
        return answered


def attach(tenant: Any, folder: Path, *, sweep_interval: float = 5.0) -> BackgroundServer:
    """Start the service beside a started demo tenant, and let the tenant's "IT approves" use it."""
    tls = tenant.tls
    server = start(tenant.service_app_config(), folder, tls_certificate=tls.cert_file, tls_key=tls.key_file,
                   sweep_interval=sweep_interval)
    tenant.service_reviewer = DemoReviewer(server.url, tenant).answer
    return server
