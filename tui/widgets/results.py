"""The results view: one table row per requested id, in input order, and a count line.

Rows are keyed by position, so an id pasted twice gets two rows and both fill in when its batch
arrives. A row remembers its rating type, so changing the type selector never re-labels old rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable, Static
from textual.widgets.data_table import CellKey, ColumnKey, RowKey

from tui.api.errors import AmRatingsError
from tui.api.results import RatingResult, rating_word
from tui.widgets.rating_badge import (
    DISLIKED,
    FAILED,
    LIKED,
    LOADING,
    NOT_RATED,
    rating_badge,
    symbol_for,
)
from tui.widgets.wording import plural

#: The note column is cut here so one long error does not push the table sideways.
MAX_NOTE_CHARS = 60
#: The name column too (name and artist, ``Neon Harbor · Juno Marlow``).
MAX_NAME_CHARS = 40


@dataclass
class ResultRow:
    """What one row shows: the id, its type, the rating word and a short note."""

    item_id: str
    rating_type: str
    word: str = LOADING
    value: int | None = None
    note: str = ""
    #: The error of the last failed request for this row, if any.
    error: AmRatingsError | None = None
    #: What the item is called (``Neon Harbor · Juno Marlow``), once the names lookup found it.
    name: str = ""


def error_note(error: AmRatingsError) -> str:
    """A row-sized summary of an error: ``HTTP 403 · Music user token rejected``."""
    return f"HTTP {error.status} · {error.kind}" if error.status else error.kind


class ResultsTable(DataTable[Any]):
    """The ratings of the looked-up ids. The row actions' keys live here so the footer shows
    them exactly when they work (when the table has focus); the actions themselves are the
    screen's (``screen.like`` ...), which the command palette calls too."""

    DEFAULT_CSS = """
    ResultsTable {
        height: 1fr;
    }
    """

    BINDINGS = [
        Binding("l", "screen.like", "Like", id="rating.like"),
        Binding("d", "screen.dislike", "Dislike", id="rating.dislike"),
        Binding("c", "screen.clear_rating", "Clear", id="rating.clear"),
        Binding("r", "screen.refetch", "Re-fetch", id="rating.refetch"),
        Binding("i", "screen.inspect", "Inspect", id="request.inspect"),
        Binding("slash", "screen.focus_ids", "IDs", id="browser.ids", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_state: list[ResultRow] = []
        self._where: dict[tuple[str, str], list[int]] = {}
        self._keys: list[RowKey] = []
        self._note_key: ColumnKey = ColumnKey("note")
        #: (cell, width, lines) of each cell as Rich laid it out, unstyled (see _render_cell).
        self._laid_out: dict[tuple[RowKey, ColumnKey], tuple[Text, int, list[list[Segment]]]] = {}

    def on_mount(self) -> None:
        # Text labels: a str label goes through Rich markup, whose first use loads Rich's
        # emoji table (about 1.4 MiB of memory) for nothing.
        self.add_column(Text("#"), key="n")
        self.add_column(Text("ID"), key="id")
        self.add_column(Text("Rating"), key="rating", width=12)
        self.add_column(Text("Name"), key="name")
        self._note_key = self.add_column(Text("Note"), key="note")

    # -- filling -----------------------------------------------------------------------

    def show_ids(self, rating_type: str, ids: list[str]) -> None:
        """Replace the table with one loading row per id."""
        self.clear()
        self._laid_out = {}
        # clear() keeps the columns' measured widths; start from the new rows instead.
        for column in self.columns.values():
            column.content_width = column.label.cell_len
        self.rows_state = [ResultRow(i, rating_type) for i in ids]
        self._where = {}
        for index, row in enumerate(self.rows_state):
            self._where.setdefault((rating_type, row.item_id), []).append(index)
        self._keys = self.add_rows(self._cells(i, row) for i, row in enumerate(self.rows_state))
        # DataTable would measure every cell of every new row when next idle (about 80 ms for
        # 1000 rows, keys waiting meanwhile); the widths are plain text lengths, known here.
        # Clearing its list of new rows (Textual 8.2.8 internals) leaves it only the table's
        # size to work out.
        # (The rating column has a fixed width; loading rows have empty notes.)
        widths = {"n": len(str(len(ids))), "id": max((cell_len(i) for i in ids), default=0)}
        for key, column in self.columns.items():
            column.content_width = max(column.content_width, widths.get(key.value or "", 0))
        self._new_rows.clear()

    def apply_result(self, result: RatingResult, note: str = "") -> bool:
        """Show ``result`` in every row of its (type, id). False if no row has it."""
        return bool(self.apply_results([result], note))

    def apply_results(self, results: Iterable[RatingResult], note: str = "") -> int:
        """Show ``results`` (a batch) in the rows of their (type, id), with one repaint.
        Returns how many of them had a row."""
        changed: list[int] = []
        shown = 0
        for result in results:
            indexes = self._where.get((result.type, result.id))
            if not indexes:
                continue
            shown += 1
            for index in indexes:
                row = self.rows_state[index]
                row.error = result.error
                if result.error is not None:
                    row.word = FAILED
                    row.note = error_note(result.error)
                else:
                    row.value = result.value
                    row.word = rating_word(result.value)
                    row.note = note
                changed.append(index)
        self._update_rows(changed)
        return shown

    def apply_names(self, rating_type: str, names: dict[str, str]) -> int:
        """Show names (id -> ``name · artist``) in the rows of their ids, with one repaint.
        Returns how many rows got a name."""
        changed = [index for item_id, name in names.items()
                   for index in self._where.get((rating_type, item_id), [])]
        for index in changed:
            row = self.rows_state[index]
            row.name = names[row.item_id]
        self._update_rows(changed)
        return len(changed)

    def mark(self, rating_type: str, item_id: str, note: str, *,
             failed: AmRatingsError | None = None) -> None:
        """Set the note of an item's rows (``liking…``); with ``failed``, keep the rating and
        show the failure in the note."""
        self._mark(self._where.get((rating_type, item_id), []), note, failed)

    def mark_all(self, note: str, *, failed: AmRatingsError | None = None) -> None:
        """:meth:`mark` every row (a lookup that failed as a whole), with one repaint."""
        self._mark(range(len(self.rows_state)), note, failed)

    def _mark(self, indexes: Iterable[int], note: str, failed: AmRatingsError | None) -> None:
        changed = list(indexes)
        for index in changed:
            row = self.rows_state[index]
            row.note = error_note(failed) if failed is not None else note
            if failed is not None:
                row.error = failed
                if row.word == LOADING:  # never read: unknown, so Failed (not "Not rated")
                    row.word = FAILED
        self._update_rows(changed)

    def _update_rows(self, indexes: list[int]) -> None:
        """Put the rating and note cells of changed rows in, and repaint just those rows.

        ``DataTable.update_cell`` counts every update in ``_update_count``, which is part of
        the key of every cached render, so one changed cell re-renders every visible line:
        30-90 ms a batch for a screenful, during which keys wait. Here the cells go into the
        table's data directly and only the changed rows' cached renders are dropped. This
        relies on DataTable internals of the pinned Textual (8.2.8): its caches and their
        keys. ``tests/tui/test_results_rows.py`` compares the outcome with ``update_cell``'s.
        """
        if not indexes:
            return
        theme = self.app.theme_variables
        note_column = self.columns[self._note_key]
        rating_key, name_key = ColumnKey("rating"), ColumnKey("name")
        name_column = self.columns[name_key]
        keys: set[RowKey] = set()
        wider = False
        for index in indexes:
            key = self._keys[index]
            row = self.rows_state[index]
            cells = self._data[key]
            cells[rating_key] = rating_badge(row.word, theme)
            name = cells[name_key] = self._name_cell(row)
            note = cells[self._note_key] = self._note(row)
            # Only ever widen: a narrower cell makes DataTable re-measure the whole column,
            # which is quadratic when a thousand rows fill in.
            for cell, column, column_key in ((note, note_column, self._note_key),
                                             (name, name_column, name_key)):
                if cell.cell_len > column.content_width:
                    self._updated_cells.add(CellKey(key, column_key))
                    wider = True
            keys.add(key)
        if wider:
            # A new column width changes every row's render: let all of them go, as
            # update_cell does.
            self._require_update_dimensions = True
            self._update_count += 1
        else:
            self._forget_rendered_rows(keys)
        self.refresh()

    def _forget_rendered_rows(self, keys: set[RowKey]) -> None:
        """Drop the cached renders of the rows ``keys`` (and no others)."""
        caches: tuple[Any, ...] = (self._cell_render_cache, self._row_render_cache)
        for cache in caches:  # both keyed (row key, ...); an LRUCache cannot be iterated
            for cache_key in [k for k in cache.keys() if k[0] in keys]:  # noqa: SIM118
                cache.discard(cache_key)
        for row_key in keys:
            index = self._row_locations.get(row_key)
            if index is not None:
                self._row_renderable_cache.discard((self._update_count, index))
        lines = self._line_cache  # keyed (y, ...): the row is the one drawn at line y
        for line_key in list(lines.keys()):
            try:
                row_key, _ = self._get_offsets(line_key[0])
            except LookupError:
                continue
            if row_key in keys:
                lines.discard(line_key)

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list[list[Segment]]:
        """DataTable's cell rendering, with Rich's layout of the padded cell done once per
        cell content and width rather than once per style.

        Focusing the table changes its background (and so every cell's style), which made
        DataTable lay out every visible cell again: about 30 ms a screenful, keys waiting.
        Styles are applied to the laid-out cell exactly as DataTable's ``Styled`` does
        (``Segment.apply_style`` with the same pre and post styles), so the result is the
        same; ``tests/tui/test_results_rows.py`` compares them. Header cells, row labels,
        fixed rows and columns, and anything but a one-line ``Text`` take DataTable's path.
        Relies on DataTable internals of the pinned Textual (8.2.8).
        """
        if row_index < 0 or column_index < 0 or self.fixed_rows or self.fixed_columns:
            return super()._render_cell(row_index, column_index, base_style, width, cursor,
                                        hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:
            return super()._render_cell(row_index, column_index, base_style, width, cursor,
                                        hover)
        cache_key = (row_key, column_key, base_style, cursor, hover, self._show_hover_cursor,
                     self._update_count, self._pseudo_class_state)
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        cell = self._get_row_renderables(row_index).cells[column_index]
        if self.rows[row_key].height != 1 or not isinstance(cell, Text):
            return super()._render_cell(row_index, column_index, base_style, width, cursor,
                                        hover)
        laid_out = self._laid_out.get((row_key, column_key))
        if laid_out is None or laid_out[0] is not cell or laid_out[1] != width:
            console = self.app.console
            options = self.app.console_options.update_dimensions(width, 1).update(
                no_wrap=True)
            laid_out = (cell, width,
                        console.render_lines(Padding(cell, (0, self.cell_padding)), options))
            self._laid_out[(row_key, column_key)] = laid_out
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css")
        pre_style = (base_style + Style.from_meta({"row": row_index, "column": column_index})
                     + component_style)
        lines = [list(Segment.apply_style(line, pre_style, post_style)) for line in laid_out[2]]
        self._cell_render_cache[cache_key] = lines
        return lines

    def _cells(self, index: int, row: ResultRow) -> tuple[Text, Text, Text, Text, Text]:
        return (Text(str(index + 1), style="dim"), Text(row.item_id),
                rating_badge(row.word, self.app.theme_variables), self._name_cell(row),
                self._note(row))

    @staticmethod
    def _name_cell(row: ResultRow) -> Text:
        name = row.name if len(row.name) <= MAX_NAME_CHARS else \
            row.name[:MAX_NAME_CHARS - 1] + "…"
        return Text(name)

    @staticmethod
    def _note(row: ResultRow) -> Text:
        note = row.note if len(row.note) <= MAX_NOTE_CHARS else row.note[:MAX_NOTE_CHARS - 1] + "…"
        return Text(note, style="dim" if row.error is None else "")

    # -- reading -----------------------------------------------------------------------

    @property
    def selected(self) -> ResultRow | None:
        """The row under the cursor, if the table has rows."""
        if not self.rows_state or not (0 <= self.cursor_row < len(self.rows_state)):
            return None
        return self.rows_state[self.cursor_row]

    def counts(self) -> Counter[str]:
        """How many rows are Liked / Disliked / Not rated / Failed / Loading."""
        return Counter(row.word for row in self.rows_state)


class ResultsSummary(Static):
    """``5 ids   ♥ 2 liked   ✕ 1 disliked   · 1 not rated   ! 1 failed`` (symbols and numbers
    only when the terminal is too narrow for the words)."""

    DEFAULT_CSS = """
    ResultsSummary {
        height: auto;
        padding: 0 1;
    }
    """

    EMPTY = "No lookup yet: type or paste ids above and press Enter."

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.counts: Counter[str] | None = None
        self.busy = False

    def show(self, counts: Counter[str], *, busy: bool) -> None:
        """Show the counts of a table; ``busy`` while batches are still arriving."""
        before = self._line()
        self.counts = counts
        self.busy = busy
        after = self._line()
        if after == before:
            return
        width = self.content_size.width
        if width and len(before) <= width and len(after) <= width:
            # Still one line: repaint only. A layout refresh would reflow the whole screen
            # (and re-render every visible table line) on every batch.
            self.refresh()
        else:
            self.refresh(layout=True)

    def on_resize(self) -> None:
        self.refresh(layout=True)

    def render(self) -> Text:
        return Text(self._line())

    def _line(self) -> str:
        if self.counts is None:
            return self.EMPTY
        counts = self.counts
        total = sum(counts.values())
        words = [plural(total, "id")]
        short = [f"{plural(total, 'id')}:"]
        for word, label in ((LIKED, "liked"), (DISLIKED, "disliked"),
                            (NOT_RATED, "not rated"), (FAILED, "failed")):
            words.append(f"{symbol_for(word)} {counts.get(word, 0)} {label}")
            short.append(f"{symbol_for(word)}{counts.get(word, 0)}")
        waiting = counts.get(LOADING, 0)
        if self.busy and waiting:
            words.append(f"… {waiting} loading")
            short.append(f"…{waiting}")
        text = "   ".join(words)
        if len(text) > self.content_size.width > 0:
            text = "  ".join(short)
        return text
