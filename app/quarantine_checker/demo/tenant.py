"""The demo tenant: directory, identity provider, Exchange emulator and control API in one handle.

See /work/brief/demo-tenant-api.md for the contract. State lives in memory; the seed is rebuilt on
each start relative to "now" so the story always looks recent.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from quarantine_checker.demo import end_user_access
from quarantine_checker.demo.cmdlets import Cmdlets
from quarantine_checker.demo.control import ControlServer
from quarantine_checker.demo.directory import EXCHANGE_AUDIENCE, Directory
from quarantine_checker.demo.exchange_server import ExchangeEmulator, RequestRecord
from quarantine_checker.demo.identity_provider import IdentityProvider
from quarantine_checker.demo.service_app import ServiceApp
from quarantine_checker.demo.service_side import register_service_certificate, service_app_config
from quarantine_checker.demo.store import Clock, QuarantineStore
from quarantine_checker.demo.synthetic import synthetic_records
from quarantine_checker.demo.tls import TlsMaterial, make_tls_material

log = logging.getLogger("quarantine_checker.demo.tenant")


def _seed_records(domain: str, now: dt.datetime) -> list[dict[str, Any]]:
    try:
        from quarantine_checker.demo.seed import seed_messages
    except ImportError:
        log.warning("demo/seed.py is not available yet: starting with an empty quarantine")
        return []
    return list(seed_messages(domain, now))


class DemoTenant:
    def __init__(
        self,
        *,
        seed: bool = True,
        state_dir: Path | None = None,
        release_delay: float = 1.0,
        rate_limit_per_second: float | None = None,
        clock: Clock | None = None,
        end_user_cmdlets: str = end_user_access.DENIED,
    ) -> None:
        """``end_user_cmdlets``: "denied" (users without an admin role may not run the quarantine
        cmdlets, the world that probably exists) or "allowed"; see demo/end_user_access.py."""
        self.directory = Directory()
        self.tenant_id = self.directory.tenant_id
        self.client_id = self.directory.client_id
        self.clock = clock or Clock()
        self.store = QuarantineStore(self.directory, clock=self.clock, release_delay=release_delay)
        self._seed = seed
        self._state_dir = Path(state_dir) if state_dir else None
        self._rate_limit = rate_limit_per_second
        self._end_user_cmdlets = end_user_access.check_world(end_user_cmdlets)
        self._control_key = secrets.token_urlsafe(18)
        self.tls: TlsMaterial | None = None
        self.idp: IdentityProvider | None = None
        self.exchange: ExchangeEmulator | None = None
        self.control: ControlServer | None = None
        # (identity, approve) -> True when the organisation service held a request for it and answered
        # it through its reviewer API. Set by ``quarantine-checker demo-server``; None in tests.
        self.service_reviewer: Callable[[str, bool], bool] | None = None
        self._started = False
        self._temp_dir: Path | None = None

    # --- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> DemoTenant:
        if self._started:
            return self
        if self._state_dir:
            tls_dir = self._state_dir / "tls"
        else:  # holds the demo's TLS private key: removed again in stop()
            tls_dir = self._temp_dir = Path(tempfile.mkdtemp(prefix="qc-demo-"))
        self.tls = make_tls_material(tls_dir)
        register_service_certificate(self, tls_dir)
        if self._seed:
            records = _seed_records(self.directory.domain, self.clock.now())
            if records:
                self.store.add_records(records)
        self.idp = IdentityProvider(self.directory, self.tls)
        self.exchange = ExchangeEmulator(
            self.directory,
            self.store,
            self.tls,
            rate_limit_per_second=self._rate_limit,
            end_user_cmdlets=self._end_user_cmdlets,
        )
        self.control = ControlServer(self, self.tls, self._control_key)
        self.idp.start()
        self.exchange.start()
        self.control.start()
        self._started = True
        return self

    def stop(self) -> None:
        # Each server's shutdown waits for its poll loop; stopping them side by side keeps tests fast.
        servers = [s for s in (self.control, self.exchange, self.idp) if s is not None]
        threads = [threading.Thread(target=self._stop_one, args=(s,), daemon=True) for s in servers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        self._started = False
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    @staticmethod
    def _stop_one(server: Any) -> None:
        try:
            server.stop()
        except Exception:
            log.exception("stopping %s failed", type(server).__name__)

    def __enter__(self) -> DemoTenant:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _need(self) -> ExchangeEmulator:
        if self.exchange is None:
            raise RuntimeError("the demo tenant is not started")
        return self.exchange

    # --- what a client needs -------------------------------------------------------------------------
    @property
    def authority(self) -> str:
        if self.idp is None:
            raise RuntimeError("the demo tenant is not started")
        return self.idp.authority

    @property
    def exchange_url(self) -> str:
        return self._need().base_url

    @property
    def ca_file(self) -> Path:
        if self.tls is None:
            raise RuntimeError("the demo tenant is not started")
        return self.tls.ca_file

    @property
    def control_url(self) -> str:
        if self.control is None:
            raise RuntimeError("the demo tenant is not started")
        return self.control.url

    @property
    def accounts(self) -> list[dict[str, str]]:
        return [
            {"upn": u.upn, "name": u.display_name, "role": u.role} for u in self.directory.sign_in_users()
        ]

    def describe(self) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "client_id": self.client_id,
            "authority": self.authority,
            "exchange_url": self.exchange_url,
            "ca_file": str(self.ca_file),
            "control_url": self.control_url,
            "accounts": self.accounts,
            "end_user_cmdlets": self.end_user_cmdlets,
            "service_app": self.service_app_config(),
        }

    def session(self) -> requests.Session:
        s = requests.Session()
        s.verify = str(self.ca_file)
        s.trust_env = False
        return s

    # --- the organisation service's registration (demo/service_side.py has the whole story) -----------
    @property
    def service_app(self) -> ServiceApp:
        return self.directory.service_app

    def service_app_config(self) -> dict[str, Any]:
        """Everything the organisation service configures itself from (see demo/service_side.py)."""
        return service_app_config(self)

    def rotate_signing_keys(self, grace_seconds: float = 3600.0) -> str:
        """Sign new tokens with a fresh key; the old one stays in the JWKS for ``grace_seconds``."""
        return self.directory.signing_keys.rotate(grace_seconds)

    def announce_next_signing_key(self) -> str:
        """Publish the key the next rotation will sign with (Entra does so well ahead)."""
        return self.directory.signing_keys.announce_next()

    def assign_reviewer(self, upn: str, assigned: bool = True) -> None:
        """Assign (or remove) the service's Quarantine.Reviewer app role; affects new tokens."""
        self.directory.user(upn)
        self.service_app.assign_reviewer(upn, assigned)

    def set_service_directory_role(self, role: str | None) -> None:
        """The service principal's directory role (e.g. "Security Administrator"; None: no role)."""
        self.service_app.set_directory_role(role)

    def set_service_exchange_consent(self, granted: bool) -> None:
        """Admin consent for Exchange.ManageAsApp; new app-only tokens carry the role or not."""
        self.service_app.set_exchange_consent(granted)

    # --- tokens ----------------------------------------------------------------------------------------
    def token_for(self, upn: str, *, lifetime: int | None = None, audience: str = EXCHANGE_AUDIENCE) -> str:
        return self.directory.issue_access_token(upn, audience=audience, lifetime=lifetime)

    def app_token(self, *, lifetime: int | None = None, audience: str = EXCHANGE_AUDIENCE) -> str:
        """An app-only token for the service principal, as the client credentials grant issues it."""
        app = self.service_app
        roles = app.app_roles_on_exchange() if audience == EXCHANGE_AUDIENCE else []
        return self.directory.issue_app_token(audience, roles, lifetime)

    def user_api_token(self, upn: str, *, lifetime: int | None = None) -> str:
        """An employee's (or reviewer's) token for the service's own API, as the IdP issues it."""
        if self.idp is None:
            raise RuntimeError("the demo tenant is not started")
        return self.directory.issue_service_api_token(
            upn, issuer=self.idp.issuer, scope=self.service_app_config()["self_scope"], lifetime=lifetime
        )

    def revoke_sessions(self, upn: str) -> None:
        self.directory.revoke_sessions(upn)

    # --- the quarantine ----------------------------------------------------------------------------------
    def add_message(self, recipient: str | list[str], **fields: Any) -> str:
        return self.store.add_message(recipient, **fields)

    def add_late_hold(self, recipient: str | list[str], *, hours_late: float = 6.0, **fields: Any) -> str:
        """A message quarantined now that was received ``hours_late`` hours ago, as zero-hour auto
        purge does: a sweep that only looks at recently *received* mail misses it."""
        if hours_late <= 0:
            raise ValueError("hours_late must be positive")
        now = self.clock.now()
        fields.setdefault("ReceivedTime", now - dt.timedelta(hours=hours_late))
        fields.setdefault("QuarantinedAt", now)
        return self.store.add_message(recipient, **fields)

    def bulk_load(self, upn: str, count: int, *, days: int = 29) -> None:
        # The cyclic GC would walk the growing heap many times over while 100k dicts are built.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._bulk_load(upn, count, days)
        finally:
            if was_enabled:
                gc.enable()

    def _bulk_load(self, upn: str, count: int, days: int) -> None:
        self.store.add_records(
            synthetic_records(
                self.store.resolve_address(upn),
                count,
                now=self.clock.now(),
                days=days,
                seed=len(self.store) + 1,
            )
        )

    def approve(self, identity: str) -> None:
        """IT approves: through the organisation service's reviewer API when the request was made there
        (``service_reviewer``, set by ``demo-server``), else as an admin in the portal would."""
        if self.service_reviewer is None or not self.service_reviewer(identity, True):
            Cmdlets(self.store).approve(identity, self._admin_upn())

    def deny(self, identity: str) -> None:
        if self.service_reviewer is None or not self.service_reviewer(identity, False):
            Cmdlets(self.store).deny(identity, self._admin_upn())

    def message(self, identity: str) -> dict[str, Any]:
        return self.store.message(identity)

    def messages_for(self, upn: str) -> list[dict[str, Any]]:
        return self.store.messages_for(upn)

    def set_exo_module_enabled(self, upn: str, enabled: bool) -> None:
        """What ``Set-User -EXOModuleEnabled`` does: when off, the user's calls get a non-JSON 403."""
        self._need().set_exo_module_enabled(upn, enabled)

    @property
    def end_user_cmdlets(self) -> str:
        return self._end_user_cmdlets

    def set_end_user_cmdlets(self, world: str) -> None:
        """Switch the tenant between the "denied" and "allowed" worlds (demo/end_user_access.py)."""
        self._end_user_cmdlets = end_user_access.check_world(world)
        if self.exchange is not None:
            self.exchange.end_user_cmdlets = self._end_user_cmdlets

    def _admin_upn(self) -> str:
        admins = [u.upn for u in self.directory.users.values() if u.role == "admin"]
        return admins[0] if admins else f"admin@{self.directory.domain}"

    # --- faults and log ----------------------------------------------------------------------------------
    def inject_fault(self, kind: str, *, count: int = 1, cmdlet: str | None = None, **params: Any) -> None:
        self._need().faults.add(kind, count=count, cmdlet=cmdlet, **params)

    def clear_faults(self) -> None:
        self._need().faults.clear()

    @property
    def requests_log(self) -> list[RequestRecord]:
        return self._need().requests_log

    def clear_log(self) -> None:
        self._need().clear_log()
