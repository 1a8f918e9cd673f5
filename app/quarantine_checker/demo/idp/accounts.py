"""Which demo users may sign in, and how B2B guests look to the identity provider."""

from __future__ import annotations

from quarantine_checker.demo.directory import DemoUser, Directory


def guest_email(user: DemoUser) -> str | None:
    """The home-tenant address of a B2B guest ("alice_contoso.com#EXT#@..." -> "alice@contoso.com")."""
    if "#EXT#" not in user.upn.upper():
        return None
    for alias in user.aliases:
        if "#EXT#" not in alias.upper():
            return alias.lower()
    local = user.upn[: user.upn.upper().index("#EXT#")]
    name, sep, domain = local.rpartition("_")
    return f"{name}@{domain}".lower() if sep and name and domain else None


def is_guest(user: DemoUser) -> bool:
    return user.role == "guest" or "#EXT#" in user.upn.upper()


def sign_in_user(directory: Directory, upn_or_email: str) -> DemoUser:
    """The user a login hint or picked account names. ValueError: unknown, or may not sign in."""
    wanted = (upn_or_email or "").strip().lower()
    for user in list(directory.users.values()):
        names = {user.upn.lower(), *(a.lower() for a in user.aliases)}
        email = guest_email(user)
        if email:
            names.add(email)
        if wanted in names:
            if not user.can_sign_in:
                raise ValueError(f"{user.upn} cannot sign in (role {user.role})")
            return user
    raise ValueError(f"no demo user {upn_or_email!r}")
