"""A built-in "browser" for the demo tenant's sign-in page.

The demo identity provider signs the demo employee in without asking and answers the authorize
request with a self-submitting form (response_mode=form_post). A real browser would submit it to the
app's loopback listener; this does the same two HTTP steps, so the demo and the tests run the real
sign-in code path end to end. It only ever talks to the demo tenant (through the session the caller
gives it, which trusts only the demo CA) and to the loopback address in the form's action.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

log = logging.getLogger(__name__)

_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method = "get"
        self.fields: dict[str, str] = {}
        self.buttons: list[tuple[str, str]] = []
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action, self._in_form = a.get("action", ""), True
            self.method = a.get("method", "get").lower()
        elif tag == "input" and self._in_form and a.get("name"):
            self.fields[a["name"]] = a.get("value", "")

        elif tag == "button" and self._in_form and a.get("name"):
            self.buttons.append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def _pick(buttons: list[tuple[str, str]], user: str | None) -> tuple[str, str] | None:
    accounts = [(n, v) for n, v in buttons if n == "upn"]
    if user is not None:
        if user == "cancel":
            return next(((n, v) for n, v in buttons if n == "cancel"), None)
        return next(((n, v) for n, v in accounts if v.lower() == user.lower()), None)
    return accounts[0] if accounts else None


def _drive(app_session: requests.Session, url: str, user: str | None,
           done: Callable[[bool], None] | None) -> None:
    ok = False
    # Like a real browser, its own connections: reusing the app's pooled keep-alive connections from
    # this thread could pick one the identity provider had already closed (an SSLError at random).
    session = _plain_session()
    session.verify = app_session.verify
    session.headers["Connection"] = "close"
    try:
        page = session.get(url, timeout=15, allow_redirects=False)
        if page.status_code in (301, 302, 303, 307, 308):  # query mode: the redirect *is* the response
            target = page.headers.get("Location", "")
            if urlsplit(target).hostname in _LOOPBACK_HOSTS:
                ok = _plain_session().get(target, timeout=35).ok
            return
        parser = _FormParser()
        parser.feed(page.text[:1_000_000])
        action = urljoin(url, parser.action or "")
        if parser.action is not None and urlsplit(action).hostname == urlsplit(url).hostname:
            # The account picker (no default demo user): choose like a person would, then go on.
            choice = _pick(parser.buttons, user)
            if choice is None:
                log.warning("demo sign-in page offered no account to pick")
                return
            page = session.post(action, data={**parser.fields, choice[0]: choice[1]}, timeout=15,
                                allow_redirects=False)
            parser = _FormParser()
            parser.feed(page.text[:1_000_000])
            action = urljoin(url, parser.action or "")
        if urlsplit(action).hostname not in _LOOPBACK_HOSTS:
            log.warning("demo sign-in page had no form for the app (HTTP %s)", page.status_code)
            return
        # The loopback listener answers after the code is redeemed, so allow it a while.
        ok = _plain_session().post(action, data=parser.fields, timeout=35).ok
    except requests.RequestException as exc:
        log.warning("demo browser step failed: %s", type(exc).__name__)
    finally:
        session.close()
        if done is not None:
            done(ok)


def _plain_session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # never send the loopback request through a proxy from the environment
    return s


def demo_browser(session: requests.Session, *, user: str | None = None,
                 done: Callable[[bool], None] | None = None) -> Callable[[str], bool]:
    """An ``open_browser`` for ``AuthSession``: returns at once and does the browser step on a thread
    (the app is waiting on its loopback listener meanwhile). If the demo shows its account picker,
    ``user`` is the account chosen (default: the first; "cancel" presses Cancel). ``done(ok)`` is for
    tests."""

    def open_url(url: str) -> bool:
        threading.Thread(target=_drive, args=(session, url, user, done), name="demo-browser",
                         daemon=True).start()
        return True

    return open_url
