"""Who signed in, from the ID token's claims (never from anything the user typed).

``preferred_username``/``upn``/``email`` are display and routing hints (ownership check,
X-AnchorMailbox), not authorisation: Exchange itself only ever returns the caller's own items for
``MyItems``. What we do enforce here is the organisation: ``tid`` must be the configured tenant, and a
B2B guest (``#EXT#``) is refused with an explanation, because a guest has no mailbox in this tenant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from quarantine_checker.core.account import UserIdentity
from quarantine_checker.core.errors import SignInError

from . import sign_in_errors as codes

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# A deliberately plain address shape: no spaces, no control characters, one "@", sane length.
_ADDRESS = re.compile(r"^[^\s@<>\"'\x00-\x1f\x7f]{1,64}@[^\s@<>\"'\x00-\x1f\x7f]{1,255}$")
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MULTI_TENANT = {"organizations", "common", "consumers"}


def _claim(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def clean_addresses(values: Iterable[Any]) -> frozenset[str]:
    out = set()
    for value in values:
        if isinstance(value, str):
            candidate = value.strip().lower()
            if len(candidate) <= 320 and _ADDRESS.match(candidate) and "#ext#" not in candidate:
                out.add(candidate)
    return frozenset(out)


def tenant_matches(expected: str | None, tid: str) -> bool:
    """Only a tenant *id* can be compared with ``tid``; a domain or "organizations" cannot."""
    if not expected or expected.lower() in _MULTI_TENANT or not _GUID.match(expected):
        return True
    return tid.lower() == expected.lower()


def identity_from_claims(claims: Mapping[str, Any], *, expected_tenant: str | None) -> UserIdentity:
    """Build the ``UserIdentity``; raise ``SignInError`` for another organisation or a guest."""
    if not isinstance(claims, Mapping):
        raise SignInError("The sign-in did not say who you are.", code=codes.NO_USERNAME)
    tid = _claim(claims, "tid")
    upn = _claim(claims, "upn")
    preferred = _claim(claims, "preferred_username")
    email = _claim(claims, "email")
    username = preferred or upn or email or _claim(claims, "unique_name")
    if any("#ext#" in v.lower() for v in (upn, preferred, username) if v):
        raise SignInError(
            "This is a guest account: it belongs to another organisation and has no mailbox here.",
            code=codes.GUEST_ACCOUNT, tenant_id=tid or None,
        )
    if not tenant_matches(expected_tenant, tid):
        raise SignInError(
            "This account belongs to a different organisation than the one this app is set up for.",
            code=codes.WRONG_TENANT, tenant_id=tid or None, expected_tenant_id=expected_tenant,
        )
    if not username:
        raise SignInError("The sign-in did not say who you are.", code=codes.NO_USERNAME)
    name = _NAME_CONTROL.sub("", _claim(claims, "name"))[:256]
    return UserIdentity(
        upn=(upn or username).lower(),
        tenant_id=tid,
        display_name=name,
        addresses=clean_addresses((upn, preferred, email)),
    )


def with_addresses(identity: UserIdentity, extra: Iterable[Any]) -> UserIdentity:
    """The same person with more addresses of theirs (e.g. what Exchange reports as their aliases)."""
    return UserIdentity(identity.upn, identity.tenant_id, identity.display_name,
                        identity.addresses | clean_addresses(extra))
