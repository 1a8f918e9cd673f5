"""The HTML the identity provider shows in a browser: account picker, form_post, device code, sign-out.

Every function returns finished HTML; whatever comes from a request or the directory is escaped
here, so the handler only adds headers (CSP and friends).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from urllib.parse import urlencode

from quarantine_checker.demo.directory import DemoUser
from quarantine_checker.demo.idp.accounts import is_guest


def page(title: str, body: str) -> str:
    """A minimal page; ``title`` is escaped here, ``body`` must already be safe HTML."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}"
        "button{display:block;width:100%;text-align:left;margin:.5rem 0;padding:.75rem;font-size:1rem}"
        "button.cancel{text-align:center}"
        f"</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


def signed_out_page() -> str:
    return page("Signed out", "<p>You have signed out of the demo tenant. You can close this window.</p>")


def form_post_page(redirect_uri: str, answer: dict[str, str], script_nonce: str) -> str:
    """Posts ``answer`` to the app's loopback listener, by script or by a Continue button."""
    fields = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in answer.items()
    )
    body = (
        f'<form method="post" action="{html.escape(redirect_uri)}" id="auto">{fields}'
        "<noscript><p>Script is disabled. Select Continue to return to the application.</p>"
        '<button type="submit">Continue</button></noscript></form>'
        f'<script nonce="{script_nonce}">document.getElementById("auto").submit();</script>'
    )
    return page("Working...", body)


def picker_page(tenant_title: str, action: str, request_id: str, users: Iterable[DemoUser]) -> str:
    """Choose an account for a parked authorize request (no password: nothing leaves the machine)."""
    hidden = f'<input type="hidden" name="request_id" value="{html.escape(request_id)}">'
    buttons = "".join(
        f'<button type="submit" name="upn" value="{html.escape(u.upn)}">'
        f"<strong>{html.escape(u.display_name)}</strong><br><small>{html.escape(u.upn)}"
        f"{' (guest)' if is_guest(u) else ''}</small></button>"
        for u in users
    )
    body = (
        f"<p>Choose the demo account to sign in with. No password is needed: this is a local demo "
        f'tenant and nothing leaves this computer.</p><form method="post" action="{html.escape(action)}">'
        f'{hidden}{buttons}<button type="submit" name="cancel" value="1" class="cancel">Cancel'
        "</button></form>"
    )
    return page(f"Sign in to the {tenant_title} demo tenant", body)


def device_code_entry_page() -> str:
    body = (
        '<form method="get" action="/device"><label>Code <input name="user_code" '
        'autocomplete="off" maxlength="16"></label><button type="submit">Next</button></form>'
    )
    return page("Enter the code shown by the app", body)


def device_account_page(tenant_title: str, user_code: str, users: Iterable[DemoUser]) -> str:
    links = "".join(
        f'<li><a href="/device?{html.escape(urlencode({"user_code": user_code, "upn": u.upn}))}">'
        f"{html.escape(u.display_name)} ({html.escape(u.upn)})</a></li>"
        for u in users
    )
    return page(f"Sign in to the {tenant_title} demo tenant", f"<p>Choose an account:</p><ul>{links}</ul>")
