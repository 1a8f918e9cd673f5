"""Fixtures for the demo identity provider: real HTTPS on 127.0.0.1, real MSAL, a scripted browser."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import msal
import pytest
import requests
from idp_helpers import ALICE, FakeBrowser, trusting_session

from quarantine_checker.demo.directory import DEMO_CLIENT_ID, Directory
from quarantine_checker.demo.identity_provider import IdentityProvider
from quarantine_checker.demo.tls import TlsMaterial, make_tls_material


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsMaterial:
    return make_tls_material(tmp_path_factory.mktemp("idp-tls"))


@pytest.fixture
def directory() -> Directory:
    return Directory()


@pytest.fixture
def idp(directory: Directory, tls: TlsMaterial) -> Iterator[IdentityProvider]:
    provider = IdentityProvider(directory, tls)
    provider.default_user = ALICE
    with provider:
        yield provider


@pytest.fixture
def http(tls: TlsMaterial) -> Iterator[requests.Session]:
    with trusting_session(tls.ca_file) as session:
        yield session


@pytest.fixture
def make_app(idp: IdentityProvider, http: requests.Session) -> Callable[..., msal.PublicClientApplication]:
    def make(**kwargs: object) -> msal.PublicClientApplication:
        options: dict[str, object] = {"authority": idp.authority, "instance_discovery": False,
                                      "http_client": http}
        options.update(kwargs)
        return msal.PublicClientApplication(DEMO_CLIENT_ID, **options)
    return make


@pytest.fixture
def app(make_app: Callable[..., msal.PublicClientApplication]) -> msal.PublicClientApplication:
    return make_app()


@pytest.fixture
def browser(tls: TlsMaterial, monkeypatch: pytest.MonkeyPatch) -> FakeBrowser:
    # MSAL hands the authorize URL to the public ``auth_uri_callback`` only when it could not open
    # a real browser. Patching msal's private _browse to report "no browser" makes that path
    # deterministic and guarantees no real browser is launched on a developer machine; the fake
    # browser itself is injected through the public callback.
    monkeypatch.setattr("msal.oauth2cli.authcode._browse", lambda *args, **kwargs: False)
    return FakeBrowser(tls.ca_file)


