"""The window's banners: those that depend only on how the app was set up (the demo's, a sign-in that won't
be kept), and those a listing leaves behind (offline, service trouble, an incomplete list)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from quarantine_checker.ui.banner import BannerArea, BannerKind

if TYPE_CHECKING:
    from quarantine_checker.core.messages import UserMessage
    from quarantine_checker.wiring import Services


def _tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def show_static_banners(banners: BannerArea, services: Services, *, demo: bool) -> None:
    if demo:
        # The demo keeps nothing on purpose; its banner says so instead of a keyring warning.
        text = _tr(
            "This window shows a made-up organisation (Northwind) and its mail. Nothing here is "
            "real, and nothing you do here touches real mail."
        )
        guide = services.guide
        if guide is not None and guide.hint:
            # A new user should find the story without reading docs: the guide names the message to try.
            text += " " + guide.hint
        from quarantine_checker.ui.demo_menu import road_note

        note = road_note(services)  # which road the demo takes, and why
        text += " " + note if note else ""
        banners.show_banner("demo", BannerKind.DEMO, _tr("DEMO — practice mailbox"), text)
        if guide is None or guide.story_missing:
            # Say plainly what is missing rather than let an empty demo look like "all clear".
            banners.show_banner(
                "demo-story",
                BannerKind.INFO,
                _tr("The demo story isn't built yet"),
                _tr(
                    "This version of the demo starts with an empty quarantine: the sample incident "
                    "mail (the held invoice, contract and payment confirmation) has not been added yet."
                ),
            )
        return
    storage = services.storage_status
    if not storage.available:
        banners.show_banner(
            "keyring",
            BannerKind.WARNING,
            _tr("Your sign-in won't be remembered"),
            _tr(
                "This computer's password store (keyring) isn't available, so you will need to sign "
                "in again each time you open the app. Nothing was saved unprotected."
            ),
            details=str(storage.reason or ""),
        )
    cache = services.cache_status
    if not cache.persistent and storage.available:
        banners.show_banner(
            "cache", BannerKind.WARNING, _tr("Your sign-in won't be remembered"), str(cache.message or "")
        )


# --- the banners a listing leaves behind -------------------------------------------------------------------
LISTING_ERROR_KEYS = ("offline", "service")


def show_listing_shown(banners: BannerArea, *, truncated: bool) -> None:
    """A listing arrived: its errors are over; say when it may be incomplete."""
    for key in LISTING_ERROR_KEYS:
        banners.hide_banner(key)
    if truncated:
        banners.show_banner(
            "truncated", BannerKind.INFO, _tr("Some older messages may be missing"),
            _tr("You have more held mail than we could fetch in one go. The newest messages are shown."),
        )
    else:
        banners.hide_banner("truncated")


def show_listing_failed(banners: BannerArea, exc: BaseException, retry: Callable[[], None]) -> UserMessage:
    """A listing failed: plain words, "Copy details for IT" and Retry. Returns the words."""
    from quarantine_checker.core import errors
    from quarantine_checker.core.messages import user_message

    msg = user_message(exc, action="refresh")
    key = "offline" if isinstance(exc, errors.NetworkError) else "service"
    banners.show_banner(key, BannerKind.ERROR, msg.title, msg.text, details=msg.details_for_it, retry=retry)
    return msg
