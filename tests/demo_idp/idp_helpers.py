"""Helpers shared by the identity-provider tests: trusted sessions and a scripted browser."""

from __future__ import annotations

import threading
from html.parser import HTMLParser
from pathlib import Path

import msal
import requests

EXCHANGE_SCOPE = "https://outlook.office365.com/.default"
ALICE = "alice@northwind.example"
BOB = "bob@northwind.example"


def trusting_session(ca_file: Path) -> requests.Session:
    # The machine exports REQUESTS_CA_BUNDLE; trust_env=False keeps it from overriding verify.
    session = requests.Session()
    session.verify = str(ca_file)
    session.trust_env = False
    return session


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and self.action is None:
            self.action, self.method = values.get("action"), (values.get("method") or "get").lower()
        elif tag == "input" and values.get("name"):
            self.fields[values["name"] or ""] = values.get("value") or ""


def parse_form(page: str) -> _FormParser:
    parser = _FormParser()
    parser.feed(page)
    return parser


class FakeBrowser:
    """Stands in for the system browser: GETs the authorize URL and submits the form_post page.

    MSAL calls the browser hook before its loopback listener serves requests, so this must not
    block: the work happens on a thread and MSAL's listener receives the POST when it is ready.
    """

    def __init__(self, ca_file: Path) -> None:
        self._ca_file = ca_file
        self.visited: list[str] = []
        self.authorize_status: int | None = None
        self.loopback_status: int | None = None
        self.failures: list[BaseException] = []
        self._threads: list[threading.Thread] = []

    def __call__(self, auth_uri: str) -> None:
        self.visited.append(auth_uri)
        thread = threading.Thread(target=self._run, args=(auth_uri,), daemon=True)
        self._threads.append(thread)
        thread.start()

    def _run(self, auth_uri: str) -> None:
        try:
            with trusting_session(self._ca_file) as session:
                page = session.get(auth_uri, timeout=10, allow_redirects=False)
                self.authorize_status = page.status_code
                form = parse_form(page.text)
                assert form.action and form.method == "post", "expected a form_post page"
                answer = session.post(form.action, data=form.fields, timeout=10)
                self.loopback_status = answer.status_code
        except BaseException as exc:  # surfaced by the test through .failures
            self.failures.append(exc)

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=10)


def sign_in(app: msal.PublicClientApplication, browser: FakeBrowser, **kwargs: object) -> dict:
    result = app.acquire_token_interactive([EXCHANGE_SCOPE], timeout=15, auth_uri_callback=browser,
                                           **kwargs)
    browser.join()
    assert not browser.failures, browser.failures
    assert result is not None
    return result


def sign_in_by_device_code(app: msal.PublicClientApplication, idp: object, upn: str) -> dict:
    """A sign-in without MSAL's one-second browser poll, for tests about what happens afterwards."""
    flow = app.initiate_device_flow([EXCHANGE_SCOPE])
    idp.approve_device_code(flow["user_code"], upn)  # type: ignore[attr-defined]
    result = app.acquire_token_by_device_flow(flow)
    assert "access_token" in result, result.get("error_description")
    return result
