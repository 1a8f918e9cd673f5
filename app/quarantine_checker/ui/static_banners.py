"""The banners that depend only on how the app was set up: the demo's, and a sign-in that won't be kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from quarantine_checker.ui.banner import BannerArea, BannerKind

if TYPE_CHECKING:
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
