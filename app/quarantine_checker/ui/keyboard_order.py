"""The window's Tab order: search → filters → list → details → actions → the header's buttons.

Qt's default order is the order widgets were created in, which jumps: the filter chips for reasons are
rebuilt after every listing (so they would come last), and the header's Sign out comes before the search.
``keep_tab_order`` sets the order once and again after each listing.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget


def _chips(layout: QHBoxLayout) -> list[QWidget]:
    found = []
    for i in range(layout.count()):
        widget = layout.itemAt(i).widget()
        if isinstance(widget, QToolButton):
            found.append(widget)
    return found


def tab_chain(window: Any) -> list[QWidget]:
    lst, d = window.list, window.details
    return [
        lst.search,
        *_chips(lst.reason_chips),
        *_chips(lst.status_chips),
        lst.table,
        lst.clear_filters_button,
        d.body,  # the details scroll area: arrow keys scroll what is written about the message
        d.actions.primary,
        d.actions.delete,
        d.actions.not_junk,
        d.actions.headers,
        d.same_sender,
        d.retry_button,
        d.copy_button,
        d.preview,
        window.check_now,
        window.sign_out_button,
    ]


def apply_tab_order(window: Any) -> None:
    chain = tab_chain(window)
    for first, second in pairwise(chain):
        QWidget.setTabOrder(first, second)


def keep_tab_order(window: Any) -> None:
    apply_tab_order(window)
    # After the list view's own handler has rebuilt the reason chips (connected first, so it runs first).
    window.list.model.rows_replaced.connect(lambda *_: apply_tab_order(window))
