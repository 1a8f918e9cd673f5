"""Configuration: which organisation to sign in to, and how.

Layers, later ones win:
1. built-in defaults;
2. the machine-wide file IT deploys (``paths.system_config_file()``);
3. the user's own file (``paths.user_config_file()``, written by the first-run screen);
4. ``QC_*`` environment variables (tests, the demo, and one-off troubleshooting).

IT can pin values so neither the user's file nor the environment can change them: list the keys in
``locked = ["tenant_id", "client_id"]`` in the system file (a locked key the system file doesn't set
stays at its built-in default). See docs/configuration.md.

Where tokens may go (outside demo mode): the settings that name a host a token is sent to
(``HOST_BEARING_KEYS``) must name one of Microsoft's hosts for that setting, from the built-in table or
from ``[allowed_hosts]`` in the machine-wide file; only the machine-wide file may name another host
directly, and only it may set ``ca_bundle`` (a CA file decides which server is believed to be
Microsoft). The user's file and ``QC_*`` variables are writable by anything running as the user, so they
must not be able to send a real token elsewhere.

There is no built-in client id: each organisation registers its own app in Entra ID (a public client
with the Exchange Online delegated permission) and deploys its id with the system file, or the user
enters it. Without a tenant, ``needs_tenant`` is true and the first-run screen asks for one.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import tomllib
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from quarantine_checker import paths, system_file_trust
from quarantine_checker.core.errors import ConfigurationError
from quarantine_checker.storage.private_files import NotARegularFile, read_regular

log = logging.getLogger(__name__)

DEFAULT_LOGIN_HOST = "https://login.microsoftonline.com"
DEFAULT_EXCHANGE_URL = "https://outlook.office365.com"
DEFAULT_CHECK_INTERVAL = 5
MIN_CHECK_INTERVAL, MAX_CHECK_INTERVAL = 1, 60
MAX_CONFIG_FILE_BYTES = 64 * 1024  # a config file is a dozen lines; anything huge is not ours

KEYS = (
    "tenant_id",
    "client_id",
    "authority",
    "exchange_url",
    "ca_bundle",
    "helpdesk",
    "demo",
    "check_interval_minutes",
    "service_url",
    "service_scope",
)
ENV_VARS = {
    "QC_TENANT_ID": "tenant_id",
    "QC_CLIENT_ID": "client_id",
    "QC_AUTHORITY": "authority",
    "QC_EXCHANGE_URL": "exchange_url",
    "QC_CA_BUNDLE": "ca_bundle",
    "QC_HELPDESK": "helpdesk",
    "QC_CHECK_INTERVAL": "check_interval_minutes",
    "QC_DEMO": "demo",
    "QC_SERVICE_URL": "service_url",
    "QC_SERVICE_SCOPE": "service_scope",
}
# Hosts a real token may be sent to, per host-bearing setting: Microsoft's public cloud and its national
# clouds (sources in docs/configuration.md, "Where tokens may go"). A new host-bearing setting (e.g. the
# organisation service's URL) is one more line here; its table may be empty, leaving it to IT.
LOGIN_HOSTS = frozenset({
    "login.microsoftonline.com", "login.microsoft.com", "login.windows.net",  # global
    "login.microsoftonline.us",                                              # US Government
    "login.partner.microsoftonline.cn", "login.chinacloudapi.cn",            # China (21Vianet)
})
EXCHANGE_HOSTS = frozenset({
    "outlook.office365.com", "outlook.office.com",  # global, GCC
    "outlook.office365.us",                         # GCC High
    "webmail.apps.mil",                             # DoD
    "partner.outlook.cn",                           # China (21Vianet)
})
HOST_BEARING_KEYS: dict[str, frozenset[str]] = {
    "authority": LOGIN_HOSTS,
    "exchange_url": EXCHANGE_HOSTS,
}
# Settings only the machine-wide file (or the MSI property SERVICE_URL, which writes it) may set outside
# demo mode. The service's URL and scope decide where an employee's service token goes: one sent to a
# host the user's file named could be replayed against the real service (org-service.md §3).
SYSTEM_ONLY_KEYS = frozenset({"ca_bundle", "service_url", "service_scope"})
_SCOPE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s]{1,250}$|^[0-9a-fA-F-]{36}/[^\s/]{1,100}$")

# Tenants that would let any (or personal) Microsoft accounts in: never for this app.
_MULTI_TENANT = {"common", "organizations", "consumers"}
_DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class AppConfig:
    tenant_id: str | None = None
    client_id: str | None = None
    authority: str | None = None
    exchange_url: str = DEFAULT_EXCHANGE_URL
    ca_bundle: Path | None = None  # only for the demo tenant and tests
    helpdesk: str = ""
    demo: bool = False
    check_interval_minutes: int = DEFAULT_CHECK_INTERVAL
    service_url: str | None = None  # the organisation service: when set, the app takes the service road
    service_scope: str | None = None  # its API scope, e.g. api://<service app id>/Quarantine.Self
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    notes: tuple[str, ...] = ()  # things an IT person should know: ignored keys, clamped values

    @property
    def needs_tenant(self) -> bool:
        return self.tenant_id is None

    @property
    def needs_client_id(self) -> bool:
        return self.client_id is None

    @property
    def road(self) -> str:
        """"service" when IT deployed the organisation service, else "direct" (with its probe)."""
        return "service" if self.service_url else "direct"

    def road_reason(self) -> str:
        """Which road to the quarantine is in use and why, in plain words (first-run screen, diagnostics)."""
        if self.service_url:
            host = urlsplit(self.service_url).hostname or self.service_url
            if self.demo:
                return f"Through the demo organisation's quarantine service at {host} (the demo runs one)."
            where = _where(self.sources.get("service_url"))
            return (f"Through your organisation's quarantine service at {host}, because IT set it up "
                    f"({where}).")
        return ("Straight to Microsoft 365, because no organisation service is set up. If your account "
                "may not do this, the app says so after you sign in.")

    def describe_for_it(self) -> str:
        """Every setting and where it came from, for "Copy details for IT". Holds no secrets."""
        lines = []
        for key in KEYS:
            value = getattr(self, key)
            shown = "(not set)" if value in (None, "") else str(value)
            lines.append(f"{key} = {shown}  [{self.sources.get(key, 'default')}]")
        lines.append(f"road = {self.road}: {self.road_reason()}")
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)


# --- validation of single values -------------------------------------------------------------------
def _clean(text: str) -> str:
    # Strip invisible formatting characters (RTL overrides, zero-width spaces) people paste by accident.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return text.strip()


def _short(text: str) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in text[:60])
    return text + ("…" if len(text) >= 60 else "")


def parse_tenant(text: str) -> str:
    """The tenant id (GUID) or domain the user typed, normalised. Also accepts an email address."""
    if not isinstance(text, str) or len(text) > 1000:
        raise ConfigurationError(
            "That doesn't look like an organisation domain or tenant ID.", key="tenant_id"
        )
    value = _clean(text).lower()
    if "@" in value:  # people type their email address; the part after @ is the domain we need
        value = value.rsplit("@", 1)[1]
    if not value:
        raise ConfigurationError("Enter your organisation's domain (for example contoso.com) or tenant ID.",
                                 key="tenant_id")
    if value in _MULTI_TENANT:
        raise ConfigurationError(
            f"\"{value}\" isn't one organisation. Enter your organisation's own domain or tenant ID.",
            key="tenant_id",
        )
    try:
        return str(uuid.UUID(value))
    except ValueError:
        pass
    try:
        ascii_domain = value.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = ""
    if _DOMAIN_RE.match(ascii_domain):
        return ascii_domain
    raise ConfigurationError(
        f"\"{_short(value)}\" doesn't look like an organisation domain (like contoso.com) or tenant ID.",
        key="tenant_id",
    )


def _parse_client_id(text: Any) -> str:
    try:
        return str(uuid.UUID(_clean(str(text))))
    except ValueError:
        raise ConfigurationError(
            "The app ID (client ID) must be a GUID like 00000000-0000-0000-0000-000000000000, "
            "from the app registration in Entra ID.",
            key="client_id",
        ) from None


def _parse_https_url(text: Any, key: str) -> str:
    value = _clean(str(text)).rstrip("/")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise ConfigurationError(
            f"The address for {key} must start with https:// (got \"{_short(value)}\").", key=key
        )
    return value


def _parse_interval(value: Any) -> tuple[int, str | None]:
    if isinstance(value, bool):
        raise ConfigurationError("check_interval_minutes must be a whole number of minutes.",
                                 key="check_interval_minutes")
    try:
        minutes = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ConfigurationError("check_interval_minutes must be a whole number of minutes.",
                                 key="check_interval_minutes") from None
    clamped = max(MIN_CHECK_INTERVAL, min(MAX_CHECK_INTERVAL, minutes))
    note = None if clamped == minutes else f"check_interval_minutes {minutes} adjusted to {clamped}"
    return clamped, note


def _parse_bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigurationError(f"{key} must be true or false.", key=key)


def _parse_ca_bundle(value: Any) -> Path:
    path = Path(_clean(str(value))).expanduser()
    if not path.is_file():
        raise ConfigurationError(f"The CA bundle file {path} doesn't exist.", key="ca_bundle")
    return path


def _parse_helpdesk(value: Any) -> str:
    text = _clean(str(value))
    text = "".join(ch for ch in text if ch.isprintable())
    return text[:200]


# --- reading the layers ------------------------------------------------------------------------------
def _read_toml(path: Path, label: str) -> dict[str, Any]:
    try:
        # A regular file only (a FIFO or device here would hang start-up), and capped in size.
        raw, _ = read_regular(path, MAX_CONFIG_FILE_BYTES, follow_links=True)
    except FileNotFoundError:
        return {}
    except NotARegularFile as exc:
        what = "too large to be a settings file" if exc.errno == errno.EFBIG else "not a regular file"
        raise ConfigurationError(f"The {label} {path} is {what}.", file=str(path)) from None
    except OSError as exc:
        log.warning("can't read the %s %s: %s", label, path, exc.strerror)
        return {}
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(
            f"The {label} {path} can't be read: {exc}. Fix or delete it.", file=str(path)
        ) from None
    return data


def load_config(
    env: Mapping[str, str] | None = None,
    user_file: Path | None = None,
    system_file: Path | None = None,
) -> AppConfig:
    """Merge defaults < system file < user file < QC_* environment, validate, and say where each came from."""
    env = os.environ if env is None else env
    user_file = user_file if user_file is not None else paths.user_config_file(env)
    system_file = system_file if system_file is not None else paths.system_config_file(env=env)

    raw: dict[str, Any] = {}
    sources: dict[str, str] = {}
    notes: list[str] = []

    distrust = system_file_trust.distrust_reason(system_file)
    system = {} if distrust else _read_toml(system_file, "system-wide settings file")
    if distrust:
        log.warning("system-wide settings file %s ignored: %s", system_file, distrust)
        notes.append(f"system file {system_file} ignored: {distrust}")
    locked = system.pop("locked", [])
    if not isinstance(locked, list) or not all(isinstance(k, str) for k in locked):
        raise ConfigurationError(f"\"locked\" in {system_file} must be a list of setting names.")
    locked_keys = set(locked) & set(KEYS)
    extra_hosts = _allowed_hosts(system.pop("allowed_hosts", {}), system_file)

    system_label = f"system file {system_file}"
    layers: list[tuple[str, dict[str, Any], dict[str, str]]] = [
        (system_label, system, {}),
        (f"user file {user_file}", _read_toml(user_file, "settings file"), {}),
        (
            "environment",
            {key: env[var] for var, key in ENV_VARS.items() if env.get(var, "").strip()},
            {key: f"environment {var}" for var, key in ENV_VARS.items()},
        ),
    ]
    for label, values, per_key_label in layers:
        for key, value in values.items():
            if key not in KEYS:
                notes.append(f"unknown setting {_short(str(key))!r} in {label} ignored")
                continue
            if key in locked_keys and label != system_label:
                # Locked pins the system file's value, or the built-in default if it sets none.
                notes.append(f"{key} from {label} ignored: locked by IT in the system file")
                continue
            raw[key] = value
            sources[key] = per_key_label.get(key, label)
    config = _build(raw, sources, notes)
    if not config.demo:
        _check_who_set_what(config, system_label, extra_hosts)
    return config


def _allowed_hosts(value: Any, system_file: Path) -> dict[str, frozenset[str]]:
    """``[allowed_hosts]`` in the system file: more hosts per host-bearing setting (IT's own proxy...)."""
    if not isinstance(value, dict) or not all(
        key in HOST_BEARING_KEYS and isinstance(hosts, list) and all(isinstance(h, str) for h in hosts)
        for key, hosts in value.items()
    ):
        raise ConfigurationError(
            f"\"allowed_hosts\" in {system_file} must list host names for "
            f"{', '.join(sorted(HOST_BEARING_KEYS))}, like exchange_url = [\"mail.example.org\"].",
            file=str(system_file))
    return {key: frozenset(_clean(h).lower().rstrip(".") for h in hosts) for key, hosts in value.items()}


def _check_who_set_what(config: AppConfig, system_label: str, extra_hosts: dict[str, frozenset[str]]) -> None:
    """Outside demo mode, refuse settings that would send a real token (or trust) somewhere else."""
    for key in SYSTEM_ONLY_KEYS:
        source = config.sources.get(key)
        if getattr(config, key) is not None and source not in (None, system_label):
            raise ConfigurationError(
                f"The setting {key} in the {_where(source)} can't be used: only IT's machine-wide "
                "settings file may set it (outside the demo). Remove it from there.", key=key, source=source)
    for key, built_in in HOST_BEARING_KEYS.items():
        value = getattr(config, key, None)
        source = config.sources.get(key, "default")
        if not value or source == system_label:
            continue  # the machine-wide file is IT's: what it names is allowed
        parts = urlsplit(str(value))
        host = (parts.hostname or "").lower().rstrip(".")
        if host in built_in | extra_hosts.get(key, frozenset()) and parts.port in (None, 443):
            continue
        raise ConfigurationError(
            f"The setting {key} in the {_where(source)} names {_short(host or str(value))}, which isn't one "
            "of Microsoft's addresses for it, so the app won't send your sign-in there. Remove the "
            "setting, or ask IT to allow that address in the machine-wide settings file.",
            key=key, source=source, host=host or None)


def _where(source: str | None) -> str:
    source = source or "settings"
    if source.startswith("environment "):
        return f"environment variable {source.removeprefix('environment ')}"
    if source.startswith("default for tenant"):
        return "settings"
    return source


def _build(raw: dict[str, Any], sources: dict[str, str], notes: list[str]) -> AppConfig:
    values: dict[str, Any] = {}
    if raw.get("tenant_id") not in (None, ""):
        values["tenant_id"] = parse_tenant(str(raw["tenant_id"]))
    if raw.get("client_id") not in (None, ""):
        values["client_id"] = _parse_client_id(raw["client_id"])
    if raw.get("authority") not in (None, ""):
        values["authority"] = _parse_https_url(raw["authority"], "authority")
    elif "tenant_id" in values:
        values["authority"] = f"{DEFAULT_LOGIN_HOST}/{values['tenant_id']}"
        sources["authority"] = f"default for tenant ({sources.get('tenant_id', 'default')})"
    if raw.get("exchange_url") not in (None, ""):
        values["exchange_url"] = _parse_https_url(raw["exchange_url"], "exchange_url")
    if raw.get("ca_bundle") not in (None, ""):
        values["ca_bundle"] = _parse_ca_bundle(raw["ca_bundle"])
    if "helpdesk" in raw:
        values["helpdesk"] = _parse_helpdesk(raw["helpdesk"])
    if "demo" in raw:
        values["demo"] = _parse_bool(raw["demo"], "demo")
    if "check_interval_minutes" in raw:
        values["check_interval_minutes"], note = _parse_interval(raw["check_interval_minutes"])
        if note:
            notes.append(note)
    if raw.get("service_url") not in (None, ""):
        values["service_url"] = _parse_https_url(raw["service_url"], "service_url")
    if raw.get("service_scope") not in (None, ""):
        values["service_scope"] = _parse_scope(raw["service_scope"])
    if "service_url" in values and "service_scope" not in values:
        raise ConfigurationError(
            "The organisation service is set (service_url) but not its sign-in scope (service_scope, "
            "like api://<service app id>/Quarantine.Self). Ask IT to add it to the machine-wide settings.",
            key="service_scope")
    return AppConfig(**values, sources=dict(sources), notes=tuple(notes))


def _parse_scope(value: Any) -> str:
    text = _clean(str(value))
    if not _SCOPE_RE.match(text):
        raise ConfigurationError(
            f"service_scope must look like api://<service app id>/Quarantine.Self (got \"{_short(text)}\").",
            key="service_scope")
    return text


# --- writing the user's file ---------------------------------------------------------------------------
def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def save_user_config(values: Mapping[str, Any], user_file: Path | None = None,
                     env: Mapping[str, str] | None = None) -> Path:
    """Validate ``values`` and merge them into the user's config file (e.g. the tenant from first run).

    A value of None removes that key. Returns the file written.
    """
    user_file = user_file if user_file is not None else paths.user_config_file(env)
    unknown = set(values) - set(KEYS)
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    current = _read_toml(user_file, "settings file")
    current = {k: v for k, v in current.items() if k in KEYS}
    for key, value in values.items():
        if value is None:
            current.pop(key, None)
        else:
            current[key] = str(value) if isinstance(value, Path) else value
    # Validate the result exactly as load_config would, before touching the file.
    checked = _build(dict(current), {}, [])
    if "tenant_id" in current:
        current["tenant_id"] = checked.tenant_id
    if "client_id" in current:
        current["client_id"] = checked.client_id
    if "check_interval_minutes" in current:
        current["check_interval_minutes"] = checked.check_interval_minutes
    body = "# Quarantine Checker settings. See docs/configuration.md.\n" + "".join(
        f"{key} = {_toml_value(current[key])}\n" for key in KEYS if key in current
    )
    user_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = user_file.with_name(user_file.name + ".tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, user_file)
    return user_file
