"""The demo's own controls (issue 13 item 6): a "Demo" menu, shown only in the in-process demo, that plays
IT and the mail filter so a newcomer can finish the story without a terminal.

- "IT approves your request" / "IT declines your request": the demo IT person answers the signed-in
  person's open release requests through the organisation service's reviewer API.
- "A new message is held for you": the Exchange emulator holds one more message; the service's next
  sweep (5 s) sees it and the app notifies.

Each runs on the background helper; what happened is said in the demo banner area. Nothing here exists
outside the demo (no tenant, no menu), and on the direct road (an installed app without the service)
the IT items say why they are unavailable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow, QMenu

from quarantine_checker.ui.banner import BannerKind

if TYPE_CHECKING:
    from quarantine_checker.ui.tasks import TaskRunner
    from quarantine_checker.wiring import Services

BANNER = "demo-control"


def road_note(services: Services | None) -> str:
    """The demo banner's line about which road the demo takes (demo/organisation.py)."""
    org = getattr(getattr(services, "demo", None), "organisation", None)
    if org is None:
        return ""
    from quarantine_checker.demo.organisation import ROAD_NOTE

    return ROAD_NOTE[org.road]


def install_demo_menu(window: QMainWindow, services: Services, tasks: TaskRunner) -> QMenu | None:
    tenant = getattr(services, "demo", None)
    org = getattr(tenant, "organisation", None)
    if tenant is None or org is None:
        return None
    from quarantine_checker.demo import organisation

    bar = window.menuBar()
    for action in bar.actions():  # a second organisation (services replaced): one menu only
        if action.objectName() == "demo-menu":
            bar.removeAction(action)
    menu = bar.addMenu(window.tr("&Demo (plays IT — demo only)"))
    menu.menuAction().setObjectName("demo-menu")
    menu.setObjectName("demo-menu")

    def upn() -> str:
        identity = services.auth.identity
        return identity.upn if identity is not None else "alice@northwind.example"

    def say(title: str, text: str = "") -> None:
        banners = getattr(window, "banners", None)
        if banners is not None:
            banners.show_banner(BANNER, BannerKind.DEMO, title, text)

    def answer(approve: bool) -> None:
        verb = window.tr("approved") if approve else window.tr("declined")

        def done(count: int) -> None:
            if count:
                say(window.tr("Demo IT {0} your request").format(verb),
                    window.tr("Watch for the notification; the list updates by itself."))
                refresh = getattr(window, "refresh", None)
                if callable(refresh):
                    refresh()  # the event does this too; without a tray (no watch) the window asks itself
            else:
                say(window.tr("No request to answer"),
                    window.tr("Ask IT to release a message first (Request release), then try again."))

        tasks.run(lambda: organisation.answer_pending(tenant, upn(), approve=approve), done,
                  lambda exc: say(window.tr("The demo IT couldn't answer"), type(exc).__name__),
                  key=("demo-answer",))

    def hold() -> None:
        tasks.run(lambda: organisation.hold_new_message(tenant, upn()),
                  lambda _identity: say(window.tr("A new message was held for you"),
                                        window.tr("The organisation service sees it at its next sweep "
                                                  "(within 5 seconds); a notification follows.")),
                  lambda exc: say(window.tr("The demo couldn't hold a message"), type(exc).__name__),
                  key=("demo-hold",))

    approve = menu.addAction(window.tr("IT approves your release request"), lambda: answer(True))
    decline = menu.addAction(window.tr("IT declines your release request"), lambda: answer(False))
    menu.addAction(window.tr("A new message is held for you"), hold)
    approve.setObjectName("demo-approve")
    decline.setObjectName("demo-decline")
    if org.road != "service":
        why = window.tr("This installation has no organisation service to play IT through.")
        for action in (approve, decline):
            action.setEnabled(False)
            action.setToolTip(why)
            action.setStatusTip(why)
        menu.setToolTipsVisible(True)
    return menu
