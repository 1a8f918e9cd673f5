"""The composition root shared by the command line and the GUI (no Qt here).

``build_services(config)`` puts the parts together: an HTTP session that trusts only what the settings
say, the keyring self-test, the encrypted token cache (or a memory-only one, said out loud), the
``AuthSession`` and, on demand, an Exchange client for whoever is signed in.

``start_demo()`` starts a demo tenant in this process and returns settings pointing at it. Demo
tokens never mix with real ones: an in-process demo keeps its tokens in memory only (they are useless
once the tenant stops), and a config with ``demo = true`` that points at an external demo server
(``quarantine-checker demo-server``) uses its own ``demo`` data directory.
"""

from __future__ import annotations

import logging
import threading
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msal
import requests

from quarantine_checker import paths
from quarantine_checker.auth.demo_browser import demo_browser
from quarantine_checker.auth.session import AuthSession
from quarantine_checker.config import AppConfig
from quarantine_checker.core.errors import AuthenticationError, ConfigurationError
from quarantine_checker.storage.encrypted_cache import KEY_ENTRY
from quarantine_checker.storage.keyring_facade import SecretStore, StorageStatus
from quarantine_checker.storage.token_cache import (
    DEMO_KEY_ENTRY,
    CacheStatus,
    SignOutReport,
    open_token_cache,
    remove_files,
    wipe_token_cache,
)

if TYPE_CHECKING:
    from quarantine_checker.core.account import UserIdentity
    from quarantine_checker.core.guide import Guide
    from quarantine_checker.core.mailbox import Mailbox
    from quarantine_checker.core.mailbox_session import MailboxSession
    from quarantine_checker.demo.tenant import DemoTenant
    from quarantine_checker.exchange.client import ExoClient
    from quarantine_checker.orgservice.mailbox import ServiceMailbox

log = logging.getLogger(__name__)

DEMO_DATA_SUBDIR = paths.DEMO_SUBDIR
MSG_DEMO_MEMORY = "Demo mode: nothing is saved, and the demo forgets your sign-in when it closes."


def http_session(config: AppConfig) -> requests.Session:
    """The app's own session. With a configured CA bundle (the demo tenant, a TLS-inspecting proxy) the
    environment must not override it (REQUESTS_CA_BUNDLE wins over ``verify`` otherwise), so the
    environment is ignored and only its proxy settings are carried over explicitly."""
    session = requests.Session()
    if config.ca_bundle is not None:
        session.verify = str(config.ca_bundle)
        session.trust_env = False
        if not config.demo:
            session.proxies.update(urllib.request.getproxies())
    return session


@dataclass
class Services:
    config: AppConfig
    auth: AuthSession
    storage_status: StorageStatus
    cache_status: CacheStatus
    demo: DemoTenant | None = None
    data_dir: Path | None = None
    guide: Guide | None = None  # the demo's guided tour (demo/guide.py); None for a real organisation
    _owned: list[DemoTenant] = field(default_factory=list, repr=False)  # started here: stopped by close()
    _session: MailboxSession | None = field(default=None, repr=False)
    _session_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def exchange_client(self, **options: Any) -> ExoClient:
        """An Exchange client for the signed-in identity (``AuthenticationError`` if nobody is).

        ``options`` go to ``ExoClient`` (e.g. the tray checker's ``retry=RetryPolicy(max_attempts=1)``:
        it does its own back-off between checks instead of waiting inside one)."""
        from quarantine_checker.exchange.client import ExoClient

        identity = self.auth.identity
        if identity is None:
            raise AuthenticationError("You're not signed in.", code="not_signed_in")
        if self.config.service_url:
            # On the service road the sign-in is for the service's scope: that token never goes to Exchange.
            raise ConfigurationError("This app is set up to use the organisation service.", key="service_url")
        tenant = self.config.tenant_id or identity.tenant_id
        return ExoClient(self.config.exchange_url, tenant, identity, self.auth.token_provider(),
                         ca_bundle=self.config.ca_bundle, **options)

    def mailbox_session(self) -> MailboxSession:
        """The one ``MailboxSession`` of whoever is signed in, shared by the window, the tray checker and
        the command line (``AuthenticationError`` if nobody is). A different account gets a new one."""
        from quarantine_checker.core.mailbox_session import MailboxSession
        from quarantine_checker.exchange.direct_mailbox import DirectMailbox

        identity = self.auth.identity
        if identity is None:
            raise AuthenticationError("You're not signed in.", code="not_signed_in")
        with self._session_lock:
            current = self._session
            if current is not None and not current.closed and _same_account(current.account, identity):
                return current
            if current is not None:
                current.close()
            # The service road when IT deployed the service (config.road), else the direct road.
            road: Mailbox = (self.service_mailbox() if self.config.service_url
                             else DirectMailbox(self.exchange_client()))
            self._session = MailboxSession(road)
            return self._session

    def service_mailbox(self) -> ServiceMailbox:
        """The service road's mailbox for whoever is signed in (``AuthenticationError`` if nobody is).
        Its token is for the service's scope and goes only to the configured ``service_url``."""
        from quarantine_checker.orgservice.client import ServiceClient
        from quarantine_checker.orgservice.mailbox import ServiceMailbox

        identity = self.auth.identity
        if identity is None:
            raise AuthenticationError("You're not signed in.", code="not_signed_in")
        if not self.config.service_url:
            raise ConfigurationError("No organisation service is set up (service_url).", key="service_url")
        client = ServiceClient(self.config.service_url, self.auth.token_provider(), http_session(self.config))
        return ServiceMailbox(client, identity)

    def end_session(self) -> None:
        """Signed out (or another organisation): the account's listing and caches are dropped."""
        with self._session_lock:
            current, self._session = self._session, None
        if current is not None:
            current.close()

    def close(self) -> None:
        """Stop an in-process demo tenant, if this run started one."""
        self.end_session()
        if self.demo is not None and self.demo in self._owned:
            org = getattr(self.demo, "organisation", None)
            (org or self.demo).stop()  # the organisation's service first, then its tenant
            self._owned.remove(self.demo)


def _same_account(a: UserIdentity, b: UserIdentity) -> bool:
    return (str(a.upn).lower(), str(a.tenant_id).lower()) == (str(b.upn).lower(), str(b.tenant_id).lower())


def build_services(config: AppConfig, *, demo: DemoTenant | None = None,
                   data_dir: Path | None = None, store: SecretStore | None = None) -> Services:
    """Blocks on the keyring (D-Bus) and the disk: call it off the UI thread."""
    # Missing tenant/app id is not an error here: the GUI's first-run screen asks for them, and
    # AuthSession.start() raises ConfigurationError if sign-in is attempted without them.
    session = http_session(config)
    open_browser = demo_browser(session) if config.demo else None
    if demo is not None:
        # In-process demo: memory only, and the keyring is not touched at all.
        cache: msal.TokenCache = msal.SerializableTokenCache()
        storage = StorageStatus(False, "none (demo)", MSG_DEMO_MEMORY)
        status = CacheStatus(False, MSG_DEMO_MEMORY)
        auth = AuthSession(config, cache, http_session=session, open_browser=open_browser)
        return Services(config, auth, storage, status, demo=demo, guide=_guide(config))

    base = data_dir or paths.data_dir()
    if config.demo:
        base = base / DEMO_DATA_SUBDIR
    key_entry = DEMO_KEY_ENTRY if config.demo else KEY_ENTRY
    secret_store = store or SecretStore()
    storage = secret_store.self_test()
    # One self-test per start.
    cache, status = open_token_cache(base, secret_store, checked=storage, key_entry=key_entry)

    def wipe() -> SignOutReport:
        # Whatever the keyring's state: with it locked at start-up the cache was memory-only for this
        # run, but the file from an earlier run is still on disk and must go.
        report = wipe_token_cache(base, secret_store, key_entry=key_entry)
        return report + remove_files(paths.sign_out_files(config.demo))

    auth = AuthSession(config, cache, http_session=session, open_browser=open_browser, on_sign_out=wipe)
    return Services(config, auth, storage, status, data_dir=base, guide=_guide(config))


def _guide(config: AppConfig) -> Guide | None:
    if not config.demo:
        return None
    try:
        from quarantine_checker.demo.guide import demo_guide
    except ImportError:  # a build without the demo package
        return None
    return demo_guide()


def start_demo(state_dir: Path | None = None) -> tuple[DemoTenant, AppConfig]:
    """Start a demo organisation in this process and return its tenant with settings that point at it.

    Where the organisation service is installed (a developer's checkout: ``make demo``) the tenant is in
    the "denied" world and the service runs beside it: the app takes the service road. The installed
    app has no service: the tenant allows the cmdlets and the app takes the direct road
    (demo/organisation.py)."""
    from quarantine_checker.demo.organisation import organisation_config, start_organisation

    org = start_organisation(state_dir)
    tenant = org.tenant
    tenant.organisation = org  # type: ignore[attr-defined]  # stopped with the tenant (Services.close)
    return tenant, organisation_config(demo_config(tenant.describe()), org)


def demo_config(described: dict[str, Any]) -> AppConfig:
    """Settings for a demo tenant, from ``DemoTenant.describe()`` (the demo-server's JSON line)."""
    keys = ("tenant_id", "client_id", "authority", "exchange_url", "ca_bundle")
    return AppConfig(
        tenant_id=described["tenant_id"],
        client_id=described["client_id"],
        authority=described["authority"],
        exchange_url=described["exchange_url"],
        ca_bundle=Path(described["ca_file"]),
        helpdesk="the demo IT team (it-admin@northwind.example)",
        demo=True,
        sources={k: "demo tenant" for k in keys},
    )


def build_demo_services(state_dir: Path | None = None) -> Services:
    """``start_demo`` + ``build_services``; ``Services.close()`` stops the tenant."""
    tenant, config = start_demo(state_dir)
    try:
        services = build_services(config, demo=tenant)
    except Exception:
        tenant.stop()
        raise
    services._owned.append(tenant)
    return services
