"""The demo tenant's OpenID Connect identity provider, one module per concern.

- provider.py   ``IdentityProvider``: lifecycle, addresses, test hooks, the state it keeps
- handler.py    HTTP parsing, redacted request log, routing, Entra-style replies
- grants.py     token endpoint grants and the device authorization endpoint
- tokens.py     access/refresh/id tokens, JWKS, client_info, scope -> resource
- validation.py what authorize and token requests must satisfy (loopback redirect, PKCE, client)
- discovery.py  OpenID configuration and instance discovery documents
- pages.py      HTML shown in the browser (account picker, form_post, device code, sign-out)
- accounts.py   who may sign in, and B2B guest addresses
- state.py      records kept between requests (codes, device codes, parked requests, failures)
- errors.py     ``IdpError`` and the Entra error body
"""

from __future__ import annotations

from quarantine_checker.demo.idp.errors import IdpError
from quarantine_checker.demo.idp.provider import IdentityProvider
from quarantine_checker.demo.idp.validation import is_loopback_redirect

__all__ = ["IdentityProvider", "IdpError", "is_loopback_redirect"]
