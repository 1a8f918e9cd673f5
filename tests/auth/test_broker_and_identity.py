"""WAM (Windows only: MSAL's broker entry point is replaced by a recorder or a hanging stand-in, since it
cannot exist on this Linux machine; the load-failure fallback runs real MSAL against the demo tenant) and
the identity rules applied to ID-token claims."""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
from types import SimpleNamespace

import msal
import pytest

from quarantine_checker.auth import broker
from quarantine_checker.auth.broker import acquire_interactive_via_broker, broker_app_kwargs
from quarantine_checker.auth.identity import identity_from_claims
from quarantine_checker.core.errors import SignInCancelled, SignInError

TENANT = "5f2b3c4d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"


def test_wam_is_opted_in_only_on_windows_with_the_broker_runtime():
    assert broker_app_kwargs("win32", has_runtime=lambda: True) == {"enable_broker_on_windows": True}
    assert broker_app_kwargs("win32", has_runtime=lambda: False) == {}  # MSAL would raise otherwise
    assert broker_app_kwargs("linux", has_runtime=lambda: True) == {}
    assert broker_app_kwargs("darwin", has_runtime=lambda: True) == {}


@pytest.fixture
def broken_broker_runtime(tmp_path, monkeypatch):
    """A ``pymsalruntime`` whose native part fails to load, as on a PC without the VC++ runtime: the
    module file exists (find_spec finds it) but importing it raises, as Windows' loader does.
    What this cannot prove: that the real pymsalruntime on a real Windows fails in exactly this way."""
    pkg = tmp_path / "pymsalruntime"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        'raise ImportError("DLL load failed while importing _pymsalruntime: The specified module could not '
        'be found.")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("pymsalruntime", "msal.broker"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    yield
    for name in ("pymsalruntime", "msal.broker"):
        sys.modules.pop(name, None)


def test_a_broker_runtime_that_does_not_load_means_the_browser_not_a_failed_sign_in(broken_broker_runtime):
    assert importlib.util.find_spec("pymsalruntime") is not None  # what the old check relied on
    assert broker_app_kwargs("win32") == {}


def test_when_msal_cannot_load_the_broker_sign_in_still_works_in_the_browser(make_session, monkeypatch):
    # Real MSAL, really opting in: on this Linux machine pymsalruntime is absent, so MSAL's constructor
    # raises ImportError exactly as it does on a Windows PC whose broker DLL fails to load.
    monkeypatch.setattr(broker, "broker_app_kwargs", lambda platform=None: {"enable_broker_on_linux": True})
    auth = make_session()
    identity = auth.sign_in_interactive(timeout=20)
    assert identity.upn == "alice@northwind.example"
    assert not broker.broker_in_use(auth.app)


class RecordingWamApp:
    """Mock of the one thing that cannot exist here: MSAL's WAM call. Records what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], dict]] = []

    def acquire_token_interactive(self, scopes: list[str], **kwargs: object) -> dict:
        self.calls.append((scopes, kwargs))
        return {"error": "not_on_windows"}


class HangingWamApp:
    """Stand-in for WAM's window left open behind the app: MSAL's broker call never returns (it ignores
    its timeout and has no cancel). What this cannot prove: how the real WAM window behaves afterwards."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def acquire_token_interactive(self, scopes: list[str], **kwargs: object) -> dict:
        self.release.wait(60)
        return {"error": "late"}


def test_wam_call_gets_the_window_handle_and_no_prompt_for_silent_windows_sso():
    app = RecordingWamApp()
    acquire_interactive_via_broker(app, ["https://outlook.office365.com/.default"],
                                   parent_window_handle=0x1234, login_hint="alice@northwind.example",
                                   select_account=False, timeout=300)
    scopes, kwargs = app.calls[0]
    assert scopes == ["https://outlook.office365.com/.default"]
    assert kwargs == {"parent_window_handle": 0x1234, "login_hint": "alice@northwind.example",
                      "prompt": None, "timeout": 300}


def test_switching_account_shows_the_picker():
    app = RecordingWamApp()
    acquire_interactive_via_broker(app, ["s"], parent_window_handle=0x42, login_hint=None,
                                   select_account=True, timeout=60)
    assert app.calls[0][1]["prompt"] == "select_account"


def test_the_console_sentinel_is_for_the_command_line_only():
    from quarantine_checker.cli.main import _parent_wam_to_the_console

    services = SimpleNamespace(auth=SimpleNamespace(parent_window_handle=None))
    _parent_wam_to_the_console(services)
    assert services.auth.parent_window_handle == msal.PublicClientApplication.CONSOLE_WINDOW_HANDLE
    # The GUI's session starts without a handle: it is never the console sentinel by default.
    from quarantine_checker.auth.session import AuthSession

    assert AuthSession(object(), msal.SerializableTokenCache()).parent_window_handle is None


def test_cancel_ends_a_wam_sign_in_whose_window_never_answers():
    app = HangingWamApp()
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(SignInCancelled) as info:
        acquire_interactive_via_broker(app, ["s"], parent_window_handle=0x42, login_hint=None,
                                       select_account=False, timeout=60, cancel=cancel)
    assert info.value.code == "cancelled"
    assert time.monotonic() - started < 5
    app.release.set()


def test_a_wam_sign_in_that_never_answers_times_out():
    app = HangingWamApp()
    with pytest.raises(SignInCancelled) as info:
        acquire_interactive_via_broker(app, ["s"], parent_window_handle=0x42, login_hint=None,
                                       select_account=False, timeout=0.5)
    assert info.value.code == "timeout"
    app.release.set()


def _claims(**extra: object) -> dict:
    base = {"tid": TENANT, "preferred_username": "Alice@Northwind.example", "name": "Alice Moreau",
            "oid": "x"}
    base.update(extra)
    return base


def test_addresses_come_from_upn_and_email_lower_cased():
    claims = _claims(upn="Alice@Northwind.example", email="A.Moreau@Northwind.example")
    identity = identity_from_claims(claims, expected_tenant=TENANT)
    assert identity.upn == "alice@northwind.example"
    assert identity.addresses == {"alice@northwind.example", "a.moreau@northwind.example"}
    assert identity.owns("A.MOREAU@northwind.example")


def test_other_tenant_is_refused_but_a_domain_setting_cannot_be_compared():
    with pytest.raises(SignInError) as info:
        identity_from_claims(_claims(tid="11111111-2222-4333-8444-555555555555"), expected_tenant=TENANT)
    assert info.value.code == "wrong_tenant"
    assert identity_from_claims(_claims(), expected_tenant="northwind.example").tenant_id == TENANT


def test_hostile_claims_are_carried_as_data_or_refused():
    rtl = "Alice \u202eevil\u202c" + "x" * 1_000_000
    claims = _claims(name=rtl, email="<script>@x" + "y" * 1000)
    identity = identity_from_claims(claims, expected_tenant=TENANT)
    assert len(identity.display_name) <= 256
    assert all("<" not in a for a in identity.addresses)
    with pytest.raises(SignInError) as info:
        identity_from_claims({"tid": TENANT}, expected_tenant=TENANT)
    assert info.value.code == "no_username"
    with pytest.raises(SignInError):
        identity_from_claims("not a dict", expected_tenant=TENANT)  # type: ignore[arg-type]
