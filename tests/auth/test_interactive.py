"""Interactive sign-in through the app's own loopback listener, driven by the built-in demo browser."""

from __future__ import annotations

import logging
import threading
import time

import pytest
import requests

from quarantine_checker.core.errors import SignInCancelled, SignInError
from quarantine_checker.core.messages import user_message
from quarantine_checker.demo.directory import DemoUser

ALICE = "alice@northwind.example"
BOB = "bob@northwind.example"


def test_browser_sign_in_gives_alice_and_a_token_exchange_accepts(make_session, idp, directory, browser_log):
    auth = make_session()
    identity = auth.sign_in_interactive(timeout=20)

    assert identity.upn == ALICE
    assert identity.tenant_id == directory.tenant_id
    assert ALICE in identity.addresses
    assert identity.display_name == "Alice Moreau"
    token = auth.token_provider().access_token()
    assert directory.validate_access_token(token).upn == ALICE  # audience = Exchange Online
    assert "authorization_code" in idp.grant_types_seen()
    # The browser tab was told it worked (our listener answers only after redeeming the code).
    assert browser_log.done.wait(5) and browser_log.results == [True]


def test_authorize_request_uses_pkce_form_post_and_exchange_scope(make_session, idp):
    make_session().sign_in_interactive(timeout=20)
    authorize = next(r for r in idp.request_log if r["path"].endswith("/authorize"))
    params = authorize["params"]
    assert params["code_challenge_method"] == "S256"
    assert params["response_mode"] == "form_post"
    assert "https://outlook.office365.com/.default" in params["scope"].split()
    assert params["redirect_uri"].startswith("http://localhost:")


def test_cancel_from_the_app_ends_the_wait_promptly_and_frees_the_port(make_session):
    seen: list[str] = []
    auth = make_session(open_browser=lambda url: seen.append(url) or True)  # nobody finishes the page
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(SignInCancelled) as info:
        auth.sign_in_interactive(timeout=60, cancel=cancel)
    assert info.value.code == "cancelled"
    assert time.monotonic() - started < 3
    redirect_port = int(seen[0].split("redirect_uri=http%3A%2F%2Flocalhost%3A")[1].split("&")[0])
    with pytest.raises(requests.ConnectionError):
        requests.post(f"http://127.0.0.1:{redirect_port}/", data={"code": "x"}, timeout=2)
    assert auth.identity is None


def test_sign_in_times_out_when_the_browser_step_never_happens(make_session):
    auth = make_session(open_browser=lambda url: True)
    started = time.monotonic()
    with pytest.raises(SignInCancelled) as info:
        auth.sign_in_interactive(timeout=0.5)
    assert info.value.code == "timeout"
    assert time.monotonic() - started < 3
    assert "closed before it finished" in user_message(info.value).text or user_message(info.value).title


def test_cancel_on_the_sign_in_page_is_a_cancellation_not_a_failure(make_session, idp):
    idp.fail_next_authorize()  # the person pressed Cancel / declined on Microsoft's page
    with pytest.raises(SignInCancelled) as info:
        make_session().sign_in_interactive(timeout=20)
    assert info.value.details.get("error") == "access_denied"


def test_no_browser_says_so(make_session):
    with pytest.raises(SignInError) as info:
        make_session(open_browser=lambda url: False).sign_in_interactive(timeout=5)
    assert info.value.code == "browser_unavailable"


def test_a_response_for_another_sign_in_is_refused_and_the_real_one_still_works(make_session, http):
    from quarantine_checker.auth.demo_browser import demo_browser

    real = demo_browser(http)
    statuses: list[int] = []

    def hostile_then_real(url: str) -> bool:
        port = int(url.split("redirect_uri=http%3A%2F%2Flocalhost%3A")[1].split("&")[0])
        forged = requests.post(f"http://127.0.0.1:{port}/", data={"code": "forged", "state": "not-yours"},
                               timeout=5)
        statuses.append(forged.status_code)
        return real(url)

    identity = make_session(open_browser=hostile_then_real).sign_in_interactive(timeout=20)
    assert statuses == [400]
    assert identity.upn == ALICE


@pytest.mark.parametrize(
    ("error", "description", "expected_code"),
    [
        ("interaction_required", "AADSTS50076: Due to a configuration change made by your administrator, "
         "or because you moved to a new location, you must use multi-factor authentication.", "AADSTS50076"),
        ("interaction_required", "AADSTS53003: Access has been blocked by Conditional Access policies.",
         "AADSTS53003"),
        ("invalid_grant", "AADSTS65001: The user or administrator has not consented to use the application.",
         "AADSTS65001"),
    ],
)
def test_policy_errors_become_plain_sentences_with_a_correlation_id(make_session, idp, error, description,
                                                                  expected_code):
    idp.fail_next(error, description)
    with pytest.raises(SignInError) as info:
        make_session().sign_in_interactive(timeout=20)
    exc = info.value
    assert exc.code == expected_code
    assert exc.correlation_id  # copyable for the helpdesk
    message = user_message(exc, action="sign_in")
    assert "AADSTS" not in message.text and "interaction_required" not in message.text
    assert exc.correlation_id in message.details_for_it


def test_account_from_another_organisation_is_refused_and_not_remembered(make_session, config):
    from dataclasses import replace

    other = replace(config, tenant_id="11111111-2222-4333-8444-555555555555")
    auth = make_session(config=other)
    with pytest.raises(SignInError) as info:
        auth.sign_in_interactive(timeout=20)
    assert info.value.code == "wrong_tenant"
    assert auth.app.get_accounts() == []


def test_guest_account_gets_a_clear_explanation(make_session, directory):
    guest = "carol_contoso.com#EXT#@northwind.example"
    directory.add_user(DemoUser(guest, "Carol (guest)", "guest", "7d1f0e3c-0000-4000-8000-00000000c0a1"))
    auth = make_session()
    with pytest.raises(SignInError) as info:
        auth.sign_in_interactive(timeout=20, login_hint=guest)
    assert info.value.code == "guest_account"
    assert "guest" in user_message(info.value).text.lower()
    assert auth.app.get_accounts() == []


def test_switching_account_keeps_only_the_new_one(make_session, idp, http, directory):
    from quarantine_checker.auth.demo_browser import demo_browser

    idp.default_user = None  # the demo shows its account picker, like a real multi-account browser
    choice = {"user": ALICE}
    auth = make_session(open_browser=lambda url: demo_browser(http, user=choice["user"])(url))
    assert auth.sign_in_interactive(timeout=20).upn == ALICE
    alice_tokens = auth.token_provider()

    choice["user"] = BOB
    assert auth.sign_in_interactive(timeout=20, select_account=True).upn == BOB
    assert [a["username"] for a in auth.app.get_accounts()] == [BOB]
    assert directory.validate_access_token(auth.token_provider().access_token()).upn == BOB
    # A client built for Alice must not silently get Bob's token.
    from quarantine_checker.core.errors import AuthenticationError

    with pytest.raises(AuthenticationError):
        alice_tokens.access_token()


def test_nothing_secret_reaches_the_app_log_even_at_debug(make_session, tmp_path):
    from quarantine_checker.logging_setup import setup_logging

    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.getLogger("msal").level)
    try:
        log_file = setup_logging(tmp_path / "logs", level="DEBUG")
        auth = make_session()
        auth.sign_in_interactive(timeout=20)
        token = auth.token_provider().access_token(force_refresh=True)
        for handler in root.handlers:
            handler.flush()
        text = log_file.read_text(encoding="utf-8")
    finally:
        for handler in list(root.handlers):
            if handler not in saved[0]:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(saved[1])
        logging.getLogger("msal").setLevel(saved[2])
    assert "signed in" in text  # the log is being written...
    assert token not in text  # ...but holds no token, code or verifier
    assert "code_verifier" not in text and '"code":' not in text
