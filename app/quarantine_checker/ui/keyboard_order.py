"""Moving around the window by keyboard.

The Tab order: search → filters → list → details → actions → the header's buttons. Qt's default order is
the order widgets were created in, which jumps: the filter chips for reasons are rebuilt after every
listing (so they would come last), and the header's Sign out comes before the search. ``keep_tab_order``
sets the order once and again after each listing.

Every Tab stop shows that it has the keyboard. The style draws that for most controls; the two it draws
nothing for (the frameless details area, the flat "Select all from this sender" button) get a highlight
border of their own (``show_focus``).

And Down in the search box goes straight to what it found (the first match selected), so "Ctrl+F, type,
Down, Enter" finds a message and acts on it without tabbing through every filter.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

if TYPE_CHECKING:
    from quarantine_checker.ui.main_window import MainWindow


def _chips(layout: QHBoxLayout) -> list[QWidget]:
    found: list[QWidget] = []
    for i in range(layout.count()):
        item = layout.itemAt(i)
        widget = item.widget() if item is not None else None
        if isinstance(widget, QToolButton):
            found.append(widget)
    return found


def tab_chain(window: MainWindow) -> list[QWidget]:
    lst, d = window.list, window.details
    return [
        lst.search,
        *_chips(lst.reason_chips),
        *_chips(lst.status_chips),
        lst.table,
        lst.clear_filters_button,
        d.body,  # the details scroll area: arrow keys scroll what is written about the message
        d.action_bar.primary,
        d.action_bar.delete,
        d.action_bar.not_junk,
        d.action_bar.headers,
        d.same_sender,
        d.retry_button,
        d.copy_button,
        d.preview,
        window.check_now,
        window.sign_out_button,
    ]


def apply_tab_order(window: MainWindow) -> None:
    chain = tab_chain(window)
    for first, second in pairwise(chain):
        QWidget.setTabOrder(first, second)


def show_focus(widget: QWidget, name: str) -> None:
    """A border in the palette's highlight colour while ``widget`` has the keyboard (transparent otherwise,
    so nothing moves when focus arrives). Scoped by object name so children keep their own look."""
    widget.setObjectName(name)
    kind = widget.metaObject().className()
    widget.setStyleSheet(
        f"{kind}#{name} {{ border: 2px solid transparent; border-radius: 3px; }}"
        f"{kind}#{name}:focus {{ border-color: palette(highlight); }}"
    )


def _down_from_search(window: MainWindow) -> None:
    lst = window.list
    if lst.proxy.rowCount() == 0:
        return
    if not lst.selected_rows():
        lst.select_first()
    lst.focus_list()


def keep_tab_order(window: MainWindow) -> None:
    apply_tab_order(window)
    show_focus(window.details.body, "details-scroll")
    show_focus(window.details.same_sender, "same-sender")
    down = QShortcut(QKeySequence(Qt.Key.Key_Down), window.list.search)
    down.setContext(Qt.ShortcutContext.WidgetShortcut)
    down.activated.connect(lambda: _down_from_search(window))
    # After the list view's own handler has rebuilt the reason chips (connected first, so it runs first).
    window.list.model.rows_replaced.connect(lambda *_: apply_tab_order(window))
