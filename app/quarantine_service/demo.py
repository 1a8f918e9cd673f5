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
    return BackgroundServer(Service(prepare(app, folder, **kwargs)), sweep=sweep).start()
