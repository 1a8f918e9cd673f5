"""The service's settings: one small TOML file IT writes once (docs/it/service.md).

Every value has a safe default except the tenant, the app id and the certificate. The file holds no
secret: the certificate's private key lives in its own file, readable only by the service's account.
"""

from __future__ import annotations

import os
import re
import tomllib
import uuid
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"
DEFAULT_EXCHANGE_URL = "https://outlook.office365.com"
DEFAULT_DATABASE_URL = "sqlite:///quarantine-service.db"
CONFIG_ENV = "QC_SERVICE_CONFIG"
_DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class ConfigError(Exception):
    """The configuration cannot be used. ``key`` names the setting; the text is for IT, in plain words."""

    def __init__(self, key: str, text: str) -> None:
        super().__init__(f"{key}: {text}")
        self.key = key
        self.text = text


@dataclass(frozen=True)
class ServiceConfig:
    tenant_id: str
    tenant_domain: str  # e.g. contoso.onmicrosoft.com: the app-only X-AnchorMailbox needs it
    client_id: str  # the service's own app registration: it exposes the API and holds the certificate
    certificate: Path  # PEM certificate, with its private key in it unless certificate_key is set
    certificate_key: Path | None = None  # PEM private key, when it is kept in a file of its own
    authority_host: str = DEFAULT_AUTHORITY_HOST
    exchange_url: str = DEFAULT_EXCHANGE_URL
    # The token's resource; the same as exchange_url except where they differ (the demo tenant).
    exchange_resource: str = DEFAULT_EXCHANGE_URL
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8443
    tls_certificate: Path | None = None  # serve HTTPS with these; omit only behind a TLS-terminating proxy
    tls_key: Path | None = None
    ca_bundle: Path | None = None  # only for the demo tenant and tests: the CA its HTTPS certificates use
    employee_scope: str = "Quarantine.Self"
    reviewer_role: str = "Quarantine.Reviewer"
    sweep_interval_seconds: float = 60.0
    sweep_overlap_seconds: float = 600.0
    reconcile_interval_seconds: float = 3600.0
    retention_days: int = 365
    max_streams_per_employee: int = 5
    heartbeat_seconds: float = 15.0
    clock_skew_seconds: int = 120
    jwks_refetch_seconds: float = 300.0
    recipient_cache_seconds: float = 3600.0
    exchange_rate_limit_per_second: float | None = 2.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def authority(self) -> str:
        return f"{self.authority_host.rstrip('/')}/{self.tenant_id}"

    @property
    def audiences(self) -> tuple[str, ...]:
        # Entra puts the App ID URI in v1 tokens and the bare app id in v2 tokens.
        return (f"api://{self.client_id}", self.client_id)

    @property
    def issuers(self) -> tuple[str, ...]:
        return (f"https://sts.windows.net/{self.tenant_id}/", f"{self.authority}/v2.0")

    @property
    def anchor_mailbox(self) -> str:
        # App-only routing hint (org-service.md §3; GreyCorbel/ExoHelper, to verify on a real tenant).
        return f"APP:SystemMailbox{{bb558c35-97f1-4cb9-8ff7-d53741dc928c}}@{self.tenant_domain}"


def _guid(key: str, value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ConfigError(key, "must be a GUID like 11111111-2222-3333-4444-555555555555") from None


def _https(key: str, value: Any, *, allow_path: bool = False) -> str:
    parts = urlsplit(str(value))
    if parts.scheme != "https" or not parts.hostname or (parts.path.strip("/") and not allow_path):
        raise ConfigError(key, "must be an https:// address without a path")
    return str(value).rstrip("/")


def _number(key: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(key, f"must be a number from {low:g} to {high:g}")
    return float(value)


def from_mapping(data: dict[str, Any], *, base_dir: Path | None = None) -> ServiceConfig:
    """Check every value and build the config. Relative paths are relative to ``base_dir``."""
    base = base_dir or Path.cwd()
    known = {f.name for f in fields(ServiceConfig)} - {"extra"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(unknown[0], "is not a setting this service knows (check the spelling)")
    for key in ("tenant_id", "tenant_domain", "client_id", "certificate"):
        if not data.get(key):
            raise ConfigError(key, "is required")

    def path(key: str) -> Path | None:
        raw = data.get(key)
        if raw in (None, ""):
            return None
        p = Path(str(raw)).expanduser()
        return p if p.is_absolute() else base / p

    domain = str(data["tenant_domain"]).strip().lower()
    if not _DOMAIN_RE.match(domain):
        raise ConfigError("tenant_domain", "must be the tenant's domain, like contoso.onmicrosoft.com")
    values: dict[str, Any] = {
        "tenant_id": _guid("tenant_id", data["tenant_id"]),
        "tenant_domain": domain,
        "client_id": _guid("client_id", data["client_id"]),
        "certificate": path("certificate"),
        "certificate_key": path("certificate_key"),
        "tls_certificate": path("tls_certificate"),
        "tls_key": path("tls_key"),
        "ca_bundle": path("ca_bundle"),
    }
    if "authority_host" in data:
        values["authority_host"] = _https("authority_host", data["authority_host"])
    if "exchange_url" in data:
        values["exchange_url"] = _https("exchange_url", data["exchange_url"])
        values["exchange_resource"] = values["exchange_url"]
    if "exchange_resource" in data:
        values["exchange_resource"] = _https("exchange_resource", data["exchange_resource"])
    if "database_url" in data:
        url = str(data["database_url"])
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and base_dir is not None:
            url = f"sqlite:///{base / url.removeprefix('sqlite:///')}"
        values["database_url"] = url
    for key in ("host", "employee_scope", "reviewer_role"):
        if key in data:
            if not isinstance(data[key], str) or not data[key].strip():
                raise ConfigError(key, "must be a non-empty text")
            values[key] = data[key].strip()
    if "port" in data:
        values["port"] = int(_number("port", data["port"], 0, 65535))
    limits = {
        "sweep_interval_seconds": (0.1, 86400), "sweep_overlap_seconds": (0, 86400),
        "reconcile_interval_seconds": (0.1, 7 * 86400), "heartbeat_seconds": (0.05, 3600),
        "jwks_refetch_seconds": (1, 86400), "recipient_cache_seconds": (0, 86400),
        "exchange_rate_limit_per_second": (0.1, 1000),
    }
    for key, (low, high) in limits.items():
        if key in data:
            values[key] = _number(key, data[key], low, high)
    for key, (low, high) in {"retention_days": (1, 3650), "max_streams_per_employee": (1, 1000),
                             "clock_skew_seconds": (0, 600)}.items():
        if key in data:
            values[key] = int(_number(key, data[key], low, high))
    if (values["tls_certificate"] is None) != (values["tls_key"] is None):
        raise ConfigError("tls_certificate", "and tls_key go together: set both or neither")
    return ServiceConfig(**values)


def load(path: str | Path | None = None) -> ServiceConfig:
    """Read the config file (the argument, else $QC_SERVICE_CONFIG)."""
    raw = path or os.environ.get(CONFIG_ENV)
    if not raw:
        raise ConfigError("config", f"no configuration file given (use --config or set {CONFIG_ENV})")
    file = Path(raw).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError("config", f"cannot read {file}: {exc.strerror or type(exc).__name__}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config", f"{file} is not valid TOML ({exc})") from None
    return from_mapping(data, base_dir=file.parent.resolve())


def with_overrides(config: ServiceConfig, **changes: Any) -> ServiceConfig:
    return replace(config, **changes)


def to_toml(values: dict[str, Any]) -> str:
    """Write a config file (the demo and setup-guide use it); values are strings, numbers or paths."""
    lines = []
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, int | float):
            lines.append(f"{key} = {value}")
        else:
            text = str(value).replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'{key} = "{text}"')
    return "\n".join(lines) + "\n"
