"""The demo tenant's identity provider, by its long-standing import path.

The code lives in ``quarantine_checker.demo.idp``, one module per concern; this module keeps
``from quarantine_checker.demo.identity_provider import IdentityProvider`` working for the tenant,
the tests and anything else that imported it before the split.
"""

from __future__ import annotations

from quarantine_checker.demo.idp import IdentityProvider, IdpError, is_loopback_redirect

__all__ = ["IdentityProvider", "IdpError", "is_loopback_redirect"]
