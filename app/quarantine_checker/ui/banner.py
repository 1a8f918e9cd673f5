"""The banner area above the list: offline, service refused, keyring missing, demo mode, errors.

Banners are keyed, so the same condition reported twice updates one banner instead of stacking.
Text is always plain (it may quote a server's own words). A banner that reports an error offers
"Copy details for IT" when there are details, and "Retry" when the caller can retry.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from quarantine_checker.ui.help_dialogs import contact_text
from quarantine_checker.ui.icons import icon
from quarantine_checker.ui.plain_text import plain_label, set_plain


class BannerKind(Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    DEMO = "demo"


_ICONS = {
    BannerKind.INFO: "state-clear",
    BannerKind.WARNING: "state-attention",
    BannerKind.ERROR: "state-attention",
    BannerKind.DEMO: "demo",
}


class Banner(QFrame):
    def __init__(self, key: str, kind: BannerKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.kind = kind
        self.setObjectName(f"banner-{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self._details = ""
        self._retry: Callable[[], None] | None = None

        self._icon = QLabel(self)
        self._icon.setTextFormat(Qt.TextFormat.PlainText)
        self._icon.setPixmap(icon(_ICONS[kind]).pixmap(24, 24))
        self._icon.setAccessibleName(self.tr("Banner icon"))
        self.title = plain_label("", self, wrap=True, accessible_name=self.tr("Banner title"))
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.text = plain_label("", self, wrap=True, accessible_name=self.tr("Banner message"))
        # Beside "Copy details for IT": who that is (the helpdesk IT configured).
        self.contact = plain_label("", self, wrap=True, accessible_name=self.tr("Who to contact"))

        self.retry_button = QPushButton(self.tr("Retry"), self)
        self.retry_button.setAccessibleName(self.tr("Retry"))
        self.retry_button.clicked.connect(self._on_retry)
        self.copy_button = QPushButton(self.tr("Copy details for IT"), self)
        self.copy_button.setAccessibleName(self.tr("Copy details for IT"))
        self.copy_button.clicked.connect(self._on_copy)

        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.title)
        words.addWidget(self.text)
        words.addWidget(self.contact)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 6, 8, 6)
        row.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(words, 1)
        row.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)
        self._apply_palette()

    def _apply_palette(self) -> None:
        # Tint from the current palette's highlight/window colours so light and dark themes both work.
        pal = self.palette()
        base = QGuiApplication.palette()
        role = QPalette.ColorRole.AlternateBase
        if self.kind in (BannerKind.ERROR, BannerKind.WARNING):
            tint = base.color(QPalette.ColorRole.Highlight)
            tint.setAlpha(60)
            pal.setColor(QPalette.ColorRole.Window, tint)
        else:
            pal.setColor(QPalette.ColorRole.Window, base.color(role))
        self.setPalette(pal)

    def set_content(
        self, title: str, text: str = "", *, details: str = "", retry: Callable[[], None] | None = None
    ) -> None:
        set_plain(self.title, title)
        set_plain(self.text, text)
        self.text.setVisible(bool(text))
        self._details = details
        self._retry = retry
        self.copy_button.setVisible(bool(details))
        set_plain(self.contact, contact_text(self.window()) if details else "")
        self.contact.setVisible(bool(details))
        self.retry_button.setVisible(retry is not None)
        self.setAccessibleName(title)
        self.setAccessibleDescription(text)

    def details(self) -> str:
        return self._details

    def _on_retry(self) -> None:
        if self._retry is not None:
            self._retry()

    def _on_copy(self) -> None:
        QGuiApplication.clipboard().setText(self._details)


class BannerArea(QWidget):
    """A vertical stack of keyed banners; empty (and zero height) when nothing needs saying."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Notices"))
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._banners: dict[str, Banner] = {}

    def show_banner(
        self,
        key: str,
        kind: BannerKind,
        title: str,
        text: str = "",
        *,
        details: str = "",
        retry: Callable[[], None] | None = None,
    ) -> Banner:
        banner = self._banners.get(key)
        if banner is None or banner.kind is not kind:
            if banner is not None:
                self.hide_banner(key)
            banner = Banner(key, kind, self)
            self._banners[key] = banner
            # Demo first, then errors: the most important line is read first.
            order = [BannerKind.DEMO, BannerKind.ERROR, BannerKind.WARNING, BannerKind.INFO]
            index = sum(
                1
                for b in self._banners.values()
                if b is not banner and order.index(b.kind) <= order.index(kind)
            )
            self._layout.insertWidget(index, banner)
        banner.set_content(title, text, details=details, retry=retry)
        banner.show()
        return banner

    def hide_banner(self, key: str) -> None:
        banner = self._banners.pop(key, None)
        if banner is not None:
            banner.hide()
            banner.deleteLater()

    def banner(self, key: str) -> Banner | None:
        return self._banners.get(key)

    def keys(self) -> list[str]:
        return list(self._banners)
