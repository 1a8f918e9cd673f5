"""The held-message list: a table model over precomputed rows and a fast filtering proxy.

Rows (``MessageRow``) are built off the UI thread by ``row_view.build_rows``; the model only swaps
the whole list in (one reset, never per-row inserts) and answers ``data`` from ready strings.

The proxy is a ``QAbstractProxyModel`` rather than a ``QSortFilterProxyModel``: the latter calls a
Python ``filterAcceptsRow`` once per row on every keystroke (measured 60–110 ms at 100k rows),
while this one filters with one list comprehension over the precomputed lower-case search text
and only ever maps the rows the view actually paints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QIcon

from quarantine_checker.core.model import QuarantinedMessage
from quarantine_checker.ui.icons import icon
from quarantine_checker.ui.plain_text import plain_tooltip

COL_SENDER, COL_SUBJECT, COL_REASON, COL_RECEIVED, COL_EXPIRES, COL_STATUS = range(6)
COLUMN_COUNT = 6
SUGGESTED_ORDER = -1  # no column: likely wanted first (core.glance.Group), newest first within a group

_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
# Looked up once: data() runs for every role of every painted cell, and an enum attribute lookup is slow.
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_FONT = Qt.ItemDataRole.FontRole
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole

# Built once: combining enum flags creates new enum members each time, which is slow per cell.
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags

IdentityRole = Qt.ItemDataRole.UserRole + 1
RowRole = Qt.ItemDataRole.UserRole + 2


@dataclass(slots=True)
class MessageRow:
    """One message, ready to show. ``cells`` are display strings already made safe (plain_text.visible)."""

    identity: str
    message: QuarantinedMessage
    cells: list[str]  # one per column
    haystack: str  # lower-case text of every field, for search
    reason_key: str  # filter chip keys
    status_key: str
    received_sort: float  # POSIX seconds
    expires_sort: float
    attention: bool = False  # e.g. phishing or malware: icon draws the eye
    pending: str = ""  # "Releasing…" while an action runs for this row
    error: str = ""  # last failed action, in words
    sender_tooltip: str = ""  # only when it differs from the cell (memory: 100k rows)
    sender_shown: str = ""  # the list's From cell when it differs from cells[0]: the name without address
    group: int = 1  # core.glance.Group: the suggested order (likely wanted first, junk last)
    waiting: bool = False  # core.waiting.is_waiting_for_you, for the counts the window and tray agree on
    urgent: bool = False  # deleted within two days, or IT answered: the status cell is bold


@dataclass(slots=True)
class PreparedRows:
    """A listing's rows already in the model's order, with the lookups the model and the filter chips keep
    (``prepare_rows``, on the worker): the UI thread then only swaps them in. Sorting and indexing 100k rows
    there held it for 200+ ms."""

    rows: list[MessageRow]
    sort: tuple[int, Qt.SortOrder]
    by_identity: dict[str, int]
    senders: Counter[str]
    waiting: int
    reasons: Counter[str]


def _sort_rows(rows: list[MessageRow], column: int, order: Qt.SortOrder) -> None:
    reverse = order == Qt.SortOrder.DescendingOrder
    if column == SUGGESTED_ORDER:
        # One float per row, not a tuple: comparing floats in the sort's C loop is several times faster.
        rows.sort(key=lambda r: r.group * 1e12 - r.received_sort, reverse=reverse)
    elif column == COL_RECEIVED:
        rows.sort(key=lambda r: r.received_sort, reverse=reverse)
    elif column == COL_EXPIRES:
        rows.sort(key=lambda r: r.expires_sort, reverse=reverse)
    else:
        rows.sort(key=lambda r: r.cells[column].casefold(), reverse=reverse)


def prepare_rows(rows: list[MessageRow], sort: tuple[int, Qt.SortOrder]) -> PreparedRows:
    """Runs off the UI thread (no Qt calls): order the rows and build the lookups."""
    _sort_rows(rows, *sort)
    return PreparedRows(
        rows=rows,
        sort=sort,
        by_identity={r.identity: i for i, r in enumerate(rows)},
        senders=Counter(r.message.sender_address.lower() for r in rows),
        waiting=sum(1 for r in rows if r.waiting),
        reasons=Counter(r.reason_key for r in rows),
    )


def _headers() -> list[str]:
    tr = MessageTableModel.tr_static
    return [tr("From"), tr("Subject"), tr("Why it was held"), tr("Received"), tr("Deleted"),
            tr("What you can do")]


class MessageTableModel(QAbstractTableModel):
    """Source model: the full list of the user's held messages, newest first by default."""

    rows_replaced = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[MessageRow] = []
        self._by_identity: dict[str, int] = {}
        self._senders: Counter[str] = Counter()
        self._header = _headers()
        self._sort = (SUGGESTED_ORDER, Qt.SortOrder.AscendingOrder)
        self._icons: dict[str, QIcon] = {}
        self._waiting = 0
        self._reasons: Counter[str] | None = None
        self._bold: QFont | None = None

    @staticmethod
    def tr_static(text: str) -> str:
        from PySide6.QtCore import QCoreApplication

        return QCoreApplication.translate("MessageTableModel", text)

    # --- Qt model API ---------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == _DISPLAY:
            if col == COL_STATUS and row.pending:
                return row.pending
            if col == COL_STATUS and row.error:
                return row.error
            if col == COL_SENDER and row.sender_shown:
                return row.sender_shown
            return row.cells[col]
        if role == _TOOLTIP:
            # Only for the hovered cell, so escaping here costs nothing while scrolling.
            if col == COL_SENDER:
                return plain_tooltip(row.sender_tooltip or row.cells[col])
            return plain_tooltip(row.cells[col])
        if role == _DECORATION and col == COL_STATUS:
            return self._icon(row)
        if role == _FONT and col == COL_STATUS and row.urgent:
            if self._bold is None:
                self._bold = QFont()
                self._bold.setBold(True)
            return self._bold
        if role == _ACCESSIBLE:
            return row.cells[col]
        if role == IdentityRole:
            return row.identity
        if role == RowRole:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)
            and 0 <= section < COLUMN_COUNT
        ):
            return self._header[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else _NO_FLAGS

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not SUGGESTED_ORDER <= column < COLUMN_COUNT:
            return
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        identities = [self._rows[i.row()].identity if i.isValid() else None for i in before]
        self._sort = (column, order)
        self._apply_sort()
        where = self._by_identity
        after = [
            self.index(where[ident], i.column()) if ident in where else QModelIndex()
            for ident, i in zip(identities, before, strict=True)
        ]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    # --- our API ------------------------------------------------------------------------------------
    def set_rows(self, rows: list[MessageRow] | PreparedRows) -> None:
        """Replace everything in one reset (a 10,000-row refresh is one signal, not 10,000). ``PreparedRows``
        made for the current order are swapped in as they are; anything else is sorted and indexed here."""
        self.beginResetModel()
        if isinstance(rows, PreparedRows) and rows.sort == self._sort:
            self._rows, self._by_identity, self._senders = rows.rows, rows.by_identity, rows.senders
            self._waiting, self._reasons = rows.waiting, rows.reasons
        else:
            self._rows = rows.rows if isinstance(rows, PreparedRows) else rows
            self._apply_sort()
        self.endResetModel()
        self.rows_replaced.emit()

    def reason_counts(self) -> Counter[str]:
        """Rows per filter chip (why it was held)."""
        if self._reasons is None:
            self._reasons = Counter(r.reason_key for r in self._rows)
        return self._reasons

    def rows(self) -> list[MessageRow]:
        return self._rows

    def row_of(self, identity: str) -> int | None:
        return self._by_identity.get(identity)

    def row_for(self, identity: str) -> MessageRow | None:
        i = self._by_identity.get(identity)
        return None if i is None else self._rows[i]

    def replace_row(self, row: MessageRow) -> None:
        """Swap in a re-read message (after an action) in place; keeps selection."""
        i = self._by_identity.get(row.identity)
        if i is None:
            return
        self._waiting += int(row.waiting) - int(self._rows[i].waiting)
        self._rows[i] = row
        self._changed(i)

    def waiting_count(self) -> int:
        """How many rows wait for the person (core.waiting: the same count as the tray's)."""
        return self._waiting

    def remove_identities(self, identities: Iterable[str]) -> None:
        gone = set(identities) & set(self._by_identity)
        if not gone:
            return
        # Removal is rare (delete); one reset keeps the proxy simple and the cost is a single repaint.
        self.beginResetModel()
        self._rows = [r for r in self._rows if r.identity not in gone]
        self._reindex()
        self.endResetModel()
        self.rows_replaced.emit()

    def set_pending(self, identity: str, text: str) -> None:
        i = self._by_identity.get(identity)
        if i is None:
            return
        row = self._rows[i]
        row.pending = text
        if text:
            row.error = ""
        self._changed(i)

    def set_error(self, identity: str, text: str) -> None:
        i = self._by_identity.get(identity)
        if i is None:
            return
        row = self._rows[i]
        row.error = text
        row.pending = ""
        self._changed(i)

    def sort_state(self) -> tuple[int, Qt.SortOrder]:
        return self._sort

    # --- internals -------------------------------------------------
    def _changed(self, i: int) -> None:
        self.dataChanged.emit(self.index(i, 0), self.index(i, COLUMN_COUNT - 1))

    def _apply_sort(self) -> None:
        _sort_rows(self._rows, *self._sort)
        self._reindex()

    def _reindex(self) -> None:
        self._by_identity = {r.identity: i for i, r in enumerate(self._rows)}
        self._senders = Counter(r.message.sender_address.lower() for r in self._rows)
        self._waiting = sum(1 for r in self._rows if r.waiting)
        self._reasons = None

    def sender_count(self, address: str) -> int:
        """How many loaded messages share this sender (for "select all from this sender")."""
        return self._senders.get(address.lower(), 0)

    def _icon(self, row: MessageRow) -> QIcon:
        name = (
            "state-attention"
            if (row.error or row.attention)
            else ("state-clear" if row.status_key in ("released", "approved") else "state-held")
        )
        cached = self._icons.get(name)
        if cached is None:
            cached = self._icons[name] = icon(name)
        return cached


class _Same:
    """Source row -> proxy row when all ``n`` rows are shown in order: each row is its own position."""

    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n

    def get(self, row: int, default: int | None = None) -> int | None:
        return row if 0 <= row < self.n else default

    def __contains__(self, row: object) -> bool:
        return isinstance(row, int) and 0 <= row < self.n

    def __getitem__(self, row: int) -> int:
        if not 0 <= row < self.n:
            raise KeyError(row)
        return row


class MessageFilterProxy(QAbstractProxyModel):
    """Search across every field of every loaded message, plus reason and status chips."""

    filter_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._visible: list[int] = []
        self._pos: dict[int, int] | _Same | None = None
        self._terms: tuple[str, ...] = ()
        self._reasons: frozenset[str] = frozenset()
        self._statuses: frozenset[str] = frozenset()
        self._saved: list[tuple[QPersistentModelIndex, QModelIndex]] = []

    # --- filter API -------------------------------------------------------------------------------------
    def set_search(self, text: str) -> None:
        terms = tuple(t for t in text.casefold().split() if t)
        if terms == self._terms:
            return
        # Typing more characters only narrows: re-check just the rows still shown.
        narrowing = (
            bool(self._terms)
            and len(terms) >= len(self._terms)
            and all(any(old in new for new in terms) for old in self._terms)
        )
        self._terms = terms
        self._refilter(narrow=narrowing)

    def set_chips(self, reasons: Iterable[str] = (), statuses: Iterable[str] = ()) -> None:
        reasons, statuses = frozenset(reasons), frozenset(statuses)
        if (reasons, statuses) == (self._reasons, self._statuses):
            return
        self._reasons, self._statuses = reasons, statuses
        self._refilter(narrow=False)

    def search_terms(self) -> tuple[str, ...]:
        return self._terms

    def is_filtered(self) -> bool:
        return bool(self._terms or self._reasons or self._statuses)

    def source_row(self, proxy_row: int) -> MessageRow:
        return self._src().rows()[self._visible[proxy_row]]

    def proxy_row_of(self, identity: str) -> int | None:
        s = self._src().row_of(identity)
        if s is None:
            return None
        return self._positions().get(s)

    # --- QAbstractProxyModel ---------------------------------------------------------------------------
    def setSourceModel(self, model: QAbstractTableModel) -> None:  # type: ignore[override]
        old = self.sourceModel()
        if old is not None:
            for sig, slot in self._connections(old):
                sig.disconnect(slot)
        self.beginResetModel()
        super().setSourceModel(model)
        for sig, slot in self._connections(model):
            sig.connect(slot)
        self._visible = self._compute(None)
        self._pos = None
        self.endResetModel()

    def _connections(self, model: QAbstractItemModel) -> list[tuple[Any, Any]]:
        return [
            (model.modelAboutToBeReset, self._on_source_about_to_reset),
            (model.modelReset, self._on_source_reset),
            (model.layoutAboutToBeChanged, self._on_source_layout_about),
            (model.layoutChanged, self._on_source_layout),
            (model.dataChanged, self._on_source_data),
        ]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or not (0 <= row < len(self._visible) and 0 <= column < COLUMN_COUNT):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, child: _Index | None = None) -> QModelIndex:  # type: ignore[override]
        return QModelIndex()

    def sibling(self, row: int, column: int, idx: _Index) -> QModelIndex:
        return self.index(row, column)

    def mapToSource(self, proxy_index: _Index) -> QModelIndex:
        if not proxy_index.isValid() or proxy_index.row() >= len(self._visible):
            return QModelIndex()
        return self._src().index(self._visible[proxy_index.row()], proxy_index.column())

    def mapFromSource(self, source_index: _Index) -> QModelIndex:
        if not source_index.isValid():
            return QModelIndex()
        p = self._positions().get(source_index.row())
        return QModelIndex() if p is None else self.createIndex(p, source_index.column())

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or index.row() >= len(self._visible):
            return None
        return self._src().data(self._src().index(self._visible[index.row()], index.column()), role)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            return self._src().headerData(section, orientation, role)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else _NO_FLAGS

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._src().sort(column, order)  # the source re-orders; we follow through layoutChanged

    # --- internals -------------------------------------------------
    def _src(self) -> MessageTableModel:
        return self.sourceModel()  # type: ignore[return-value]

    def _positions(self) -> dict[int, int] | _Same:
        if self._pos is None:
            n = len(self._visible)
            # Every row shown (no search, no chip): the positions are the rows themselves. Building the
            # dict for 100k rows cost the UI thread 10 ms after every refresh.
            if n and self._visible[-1] == n - 1:
                self._pos = _Same(n)
            else:
                self._pos = {s: p for p, s in enumerate(self._visible)}
        return self._pos

    def _compute(self, within: list[int] | None) -> list[int]:
        src = self.sourceModel()
        if src is None:
            return []
        rows = self._src().rows()
        candidates = range(len(rows)) if within is None else within
        terms, reasons, statuses = self._terms, self._reasons, self._statuses
        if reasons:
            candidates = [i for i in candidates if rows[i].reason_key in reasons]
        if statuses:
            candidates = [i for i in candidates if rows[i].status_key in statuses]
        for term in terms:
            candidates = [i for i in candidates if term in rows[i].haystack]
        return list(candidates)

    def _refilter(self, *, narrow: bool) -> None:
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        sources = [
            self._visible[i.row()] if i.isValid() and i.row() < len(self._visible) else None for i in before
        ]
        self._visible = self._compute(self._visible if narrow else None)
        self._pos = None
        pos = self._positions()
        after = [
            self.createIndex(pos[s], i.column()) if s is not None and s in pos else QModelIndex()
            for s, i in zip(sources, before, strict=True)
        ]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()
        self.filter_changed.emit()

    def _on_source_about_to_reset(self) -> None:
        self.beginResetModel()

    def _on_source_reset(self) -> None:
        self._visible = self._compute(None)
        self._pos = None
        self.endResetModel()
        self.filter_changed.emit()

    def _on_source_layout_about(self, *args: Any) -> None:
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        self._saved = [(QPersistentModelIndex(self.mapToSource(i)), i) for i in before]

    def _on_source_layout(self, *args: Any) -> None:
        self._visible = self._compute(None)
        self._pos = None
        before = [p for _, p in self._saved]
        after = [self.mapFromSource(s) if s.isValid() else QModelIndex() for s, _ in self._saved]
        self._saved = []
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def _on_source_data(self, top_left: QModelIndex, bottom_right: QModelIndex, roles: Any = ()) -> None:
        pos = self._positions()
        for s in range(top_left.row(), bottom_right.row() + 1):
            p = pos.get(s)
            if p is not None:
                self.dataChanged.emit(self.index(p, 0), self.index(p, COLUMN_COUNT - 1))
