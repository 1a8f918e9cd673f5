"""Fixtures for sign-in tests: the demo identity provider over real HTTPS on 127.0.0.1, real MSAL,
the app's own loopback listener and the built-in demo browser. Nothing of ours is mocked."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import msal
import pytest
import requests

from quarantine_checker.auth.demo_browser import demo_browser
from quarantine_checker.auth.session import AuthSession
from quarantine_checker.config import AppConfig
from quarantine_checker.demo.directory import DEMO_CLIENT_ID, DEMO_TENANT_ID, Directory
from quarantine_checker.demo.identity_provider import IdentityProvider
from quarantine_checker.demo.tls import TlsMaterial, make_tls_material

ALICE = "alice@northwind.example"
BOB = "bob@northwind.example"


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsMaterial:
    return make_tls_material(tmp_path_factory.mktemp("auth-tls"))


@pytest.fixture
def directory() -> Directory:
    return Directory()


@pytest.fixture
def idp(directory: Directory, tls: TlsMaterial) -> Iterator[IdentityProvider]:
    with IdentityProvider(directory, tls, default_user=ALICE) as provider:
        yield provider


@pytest.fixture
def http(tls: TlsMaterial) -> Iterator[requests.Session]:
    session = requests.Session()
    session.verify = str(tls.ca_file)
    session.trust_env = False  # REQUESTS_CA_BUNDLE on this machine would override verify
    with session:
        yield session


@pytest.fixture
def config(idp: IdentityProvider, tls: TlsMaterial) -> AppConfig:
    return AppConfig(tenant_id=DEMO_TENANT_ID, client_id=DEMO_CLIENT_ID, authority=idp.authority,
                     ca_bundle=tls.ca_file, demo=True)


@dataclass
class BrowserLog:
    """What the built-in demo browser saw: one entry per completed browser step."""
    results: list[bool] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def __call__(self, ok: bool) -> None:
        self.results.append(ok)
        self.done.set()


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def make_session(config: AppConfig, http: requests.Session,
                 browser_log: BrowserLog) -> Callable[..., AuthSession]:
    """A fresh AuthSession; pass ``cache=`` to share a token cache (a "restart"), ``user=`` to pick
    an account on the demo picker, ``open_browser=`` to replace the demo browser."""

    def make(*, cache: msal.TokenCache | None = None, user: str | None = None,
             open_browser: Callable[[str], bool] | None = None, **kwargs: Any) -> AuthSession:
        opener = open_browser or demo_browser(http, user=user, done=browser_log)
        token_cache = cache if cache is not None else msal.SerializableTokenCache()
        return AuthSession(kwargs.pop("config", config), token_cache,
                           http_session=http, open_browser=opener, **kwargs)

    return make

