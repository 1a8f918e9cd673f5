"""The held-message list: search box, filter chips, the table, and its empty/loading states."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from quarantine_checker.core.vocabulary import STATUS_GROUP_WORDS
from quarantine_checker.ui.icons import icon
from quarantine_checker.ui.message_model import (
    COL_EXPIRES,
    COL_REASON,
    COL_RECEIVED,
    COL_SENDER,
    COL_STATUS,
    COL_SUBJECT,
    SUGGESTED_ORDER,
    MessageFilterProxy,
    MessageRow,
    MessageTableModel,
    PreparedRows,
)
from quarantine_checker.ui.plain_text import plain_label, set_plain

STATUS_CHIPS = tuple(STATUS_GROUP_WORDS.items())  # the one vocabulary's status groups


def waiting_text(waiting: int) -> str:
    """The window's title and status line say it in these words; the tray's tooltip counts the same."""
    tr = MessageTableModel.tr_static
    if waiting == 0:
        return tr("nothing waiting for you")
    return tr("1 waiting for you") if waiting == 1 else tr("{0} waiting for you").format(waiting)


def count_text(waiting: int, total: int, shown: int | None) -> str:
    tr = MessageTableModel.tr_static
    first = waiting_text(waiting)
    first = first[:1].upper() + first[1:]
    held = tr("1 message in your quarantine") if total == 1 else tr("{0} messages in your quarantine").format(
        total)
    if shown is not None:
        return tr("{0} · showing {1} of {2}").format(first, shown, held)
    return tr("{0} · {1}").format(first, held)


class MessageListView(QWidget):
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = MessageTableModel(self)
        self.proxy = MessageFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._loaded = False
        self._shown_selection: list[str] = []  # identities selected as of the last selection_changed
        self._focus_table_when_shown = False  # focus_list() ran while the table was not on screen

        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self.tr("Search sender, subject, reason, status… (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search held messages"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.textChanged.connect(self.proxy.set_search)

        self.reason_chips = QHBoxLayout()
        self.status_chips = QHBoxLayout()
        self._reason_buttons: dict[str, QToolButton] = {}
        self._status_buttons: dict[str, QToolButton] = {}
        reason_label = plain_label(self.tr("Why:"), self, selectable=False, wrap=False)
        status_label = plain_label(self.tr("Status:"), self, selectable=False, wrap=False)
        self.reason_label = reason_label
        self.reason_chips.addWidget(reason_label)
        self.status_chips.addWidget(status_label)
        self.status_chips.addStretch(1)
        self.reason_chips.addStretch(1)
        for key, text in STATUS_CHIPS:
            self._status_buttons[key] = self._chip(self.tr(text), self.status_chips)

        self.table = QTableView(self)
        self.table.setObjectName("message-table")
        self.table.setAccessibleName(self.tr("Held messages, likely wanted first"))
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setTabKeyNavigation(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        vh = self.table.verticalHeader()
        vh.hide()
        # Fixed row height: the view never measures 10,000 rows to lay them out.
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 10)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(False)
        hh.setSectionResizeMode(COL_SUBJECT, QHeaderView.ResizeMode.Stretch)
        em = self.fontMetrics().horizontalAdvance("M")
        for col, width in (
            (COL_SENDER, 14),
            (COL_REASON, 10),
            (COL_RECEIVED, 8),
            (COL_STATUS, 14),
        ):
            self.table.setColumnWidth(col, width * em)
        # "Deleted in 30 days" on every row hides the few that matter: those say it in the status cell.
        self.table.setColumnHidden(COL_EXPIRES, True)
        self.table.setSortingEnabled(True)
        # No column: the suggested order (likely wanted first, junk last). A click on a header sorts by it.
        hh.setSortIndicator(SUGGESTED_ORDER, Qt.SortOrder.AscendingOrder)
        hh.setSortIndicatorClearable(True)  # a third click on a header goes back to the suggested order
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        for corner in self.table.findChildren(QAbstractButton):  # the "select all" corner button
            corner.setAccessibleName(self.tr("Select all messages"))

        self.empty = QWidget(self)
        empty_icon = QLabel(self.empty)
        empty_icon.setTextFormat(Qt.TextFormat.PlainText)
        empty_icon.setPixmap(icon("state-clear").pixmap(64, 64))
        empty_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty_icon.setAccessibleName(self.tr("All clear"))
        self.empty_title = plain_label(
            "", self.empty, selectable=False, accessible_name=self.tr("List state")
        )
        font = self.empty_title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.empty_title.setFont(font)
        self.empty_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text = plain_label(
            "", self.empty, selectable=False, accessible_name=self.tr("Explanation")
        )
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clear_filters_button = QPushButton(self.tr("Clear search and filters"), self.empty)
        self.clear_filters_button.setAccessibleName(self.tr("Clear search and filters"))
        self.clear_filters_button.clicked.connect(self.clear_filters)
        self.empty_icon = empty_icon
        column = QVBoxLayout(self.empty)
        column.addStretch(1)
        column.addWidget(empty_icon)
        column.addWidget(self.empty_title)
        column.addWidget(self.empty_text)
        column.addWidget(self.clear_filters_button, 0, Qt.AlignmentFlag.AlignCenter)
        column.addStretch(2)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        self.count_label = plain_label(
            "", self, selectable=False, accessible_name=self.tr("How many are shown")
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addLayout(self.reason_chips)
        layout.addLayout(self.status_chips)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.count_label)

        self.proxy.filter_changed.connect(self._update_state)
        self.proxy.filter_changed.connect(self._selection_maybe_hidden)
        self.model.rows_replaced.connect(self._rebuild_reason_chips)
        self.model.dataChanged.connect(self._update_count)
        self.show_loading()

    # --- chips -------------------------------------------------
    def _chip(self, text: str, layout: QHBoxLayout) -> QToolButton:
        chip = QToolButton(self)
        chip.setText(text)
        chip.setCheckable(True)
        chip.setAutoRaise(False)
        chip.setAccessibleName(self.tr("Show only: {0}").format(text))
        chip.toggled.connect(self._chips_changed)
        layout.insertWidget(layout.count() - 1, chip)  # before the trailing stretch
        return chip

    def _rebuild_reason_chips(self) -> None:
        counts = self.model.reason_counts()
        checked = {k for k, b in self._reason_buttons.items() if b.isChecked()}
        for button in self._reason_buttons.values():
            self.reason_chips.removeWidget(button)
            button.deleteLater()
        self._reason_buttons = {}
        for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            chip = self._chip(self.tr("{0} ({1})").format(key, n), self.reason_chips)
            chip.setAccessibleName(self.tr("Show only: {0}").format(key))
            chip.blockSignals(True)
            chip.setChecked(key in checked)
            chip.blockSignals(False)
            self._reason_buttons[key] = chip
        self.reason_label.setVisible(bool(counts))
        self._chips_changed()

    def _chips_changed(self) -> None:
        reasons = [k for k, b in self._reason_buttons.items() if b.isChecked()]
        statuses = [k for k, b in self._status_buttons.items() if b.isChecked()]
        self.proxy.set_chips(reasons, statuses)

    def reason_chip(self, key: str) -> QToolButton | None:
        return self._reason_buttons.get(key)

    def status_chip(self, key: str) -> QToolButton:
        return self._status_buttons[key]

    def clear_filters(self) -> None:
        self.search.clear()
        for b in (*self._reason_buttons.values(), *self._status_buttons.values()):
            b.setChecked(False)

    def forget(self) -> None:
        """Signed out: no rows, and the next listing starts from "Checking your quarantine…"."""
        self.model.set_rows([])
        self._loaded = False

    def is_loaded(self) -> bool:
        return self._loaded

    # --- states -------------------------------------------------
    def show_loading(self) -> None:
        if self._loaded:
            return  # keep showing the old list while a refresh runs
        self.empty_icon.setPixmap(icon("refresh").pixmap(48, 48))
        set_plain(self.empty_title, self.tr("Checking your quarantine…"))
        set_plain(self.empty_text, self.tr("This usually takes a few seconds."))
        self.clear_filters_button.hide()
        self._show_page(self.empty)

    def _show_page(self, page: QWidget) -> None:
        if page is not self.table and self.table.hasFocus():
            # A hidden focus widget hands the keyboard to the next control in line, which may be
            # "Sign out" (Space would press it); the search box is the list's other keyboard home.
            self.search.setFocus(Qt.FocusReason.OtherFocusReason)
        self.stack.setCurrentWidget(page)

    def show_not_checked(self) -> None:
        """The first check failed: the banner above says why; "Checking…" would claim it still runs."""
        if self._loaded:
            self._update_state()  # the old list stays, under the error banner
            return
        self.empty_icon.setPixmap(icon("state-attention").pixmap(48, 48))
        set_plain(self.empty_title, self.tr("Your quarantine couldn't be checked"))
        set_plain(self.empty_text, self.tr("The message above says why. Use Check now to try again."))
        self.clear_filters_button.hide()
        self.stack.setCurrentWidget(self.empty)

    def set_rows(self, rows: list[MessageRow] | PreparedRows) -> None:
        self._loaded = True
        self.model.set_rows(rows)
        self._update_state()

    def _update_state(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        if not self._loaded:
            return
        if total == 0:
            self.empty_icon.setPixmap(icon("state-clear").pixmap(64, 64))
            set_plain(self.empty_title, self.tr("Nothing is being held for you"))
            set_plain(
                self.empty_text,
                self.tr(
                    "Your mail is reaching your inbox normally. We'll keep checking "
                    "and tell you if anything gets held."
                ),
            )
            self.clear_filters_button.hide()
            self._show_page(self.empty)
        elif shown == 0:
            self.empty_icon.setPixmap(icon("search").pixmap(48, 48))
            set_plain(self.empty_title, self.tr("No held message matches"))
            set_plain(
                self.empty_text,
                self.tr("{0} messages are held, but none match your search or filters.").format(total),
            )
            self.clear_filters_button.show()
            self._show_page(self.empty)
        else:
            self.stack.setCurrentWidget(self.table)
            # Still waiting to hand the keyboard over, and the user has not started typing a search.
            if self._focus_table_when_shown and self.search.hasFocus() and not self.search.text():
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self._focus_table_when_shown = False  # only the first listing after focus_list() moves it
        self._update_count()

    def _update_count(self, *args: object) -> None:
        """Also when one row changes (a release, IT's answer): the count of what waits must follow it."""
        if not self._loaded:
            return
        shown = self.proxy.rowCount() if self.proxy.is_filtered() else None
        set_plain(self.count_label, count_text(self.model.waiting_count(), self.model.rowCount(), shown))

    # --- selection -------------------------------------------------
    def _selection_changed(self, *args: object) -> None:
        self._shown_selection = [r.identity for r in self.selected_rows()]
        self.selection_changed.emit()

    def _selection_maybe_hidden(self) -> None:
        # Rows that search or a chip hides drop out of the selection without Qt's selectionChanged. The
        # details pane and every action follow what is visibly selected, so tell them.
        if [r.identity for r in self.selected_rows()] != self._shown_selection:
            self._selection_changed()

    def selected_rows(self) -> list[MessageRow]:
        """What the user sees selected: rows hidden by search or filters are never part of it."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.proxy.source_row(r) for r in rows if r < self.proxy.rowCount()]

    def select_identities(self, identities: list[str]) -> int:
        sel = self.table.selectionModel()
        sel.clearSelection()
        first = None
        count = 0
        for ident in identities:
            r = self.proxy.proxy_row_of(ident)
            if r is None:
                continue
            count += 1
            flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            sel.select(self.proxy.index(r, 0), flags)
            if first is None:
                first = r
        if first is not None:
            sel.setCurrentIndex(self.proxy.index(first, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(self.proxy.index(first, 0))
        return count

    def select_first(self) -> None:
        if self.proxy.rowCount():
            self.table.selectRow(0)

    def focus_list(self) -> None:
        """Give the keyboard to the list; while it is not on screen yet, to the search box until it is."""
        if self.stack.currentWidget() is self.table:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            self._focus_table_when_shown = False
        else:
            self.search.setFocus(Qt.FocusReason.OtherFocusReason)
            self._focus_table_when_shown = True

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
