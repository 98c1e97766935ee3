"""A DataTable that stays quick while rows fill in: per-row cell updates, known column widths,
and each cell laid out once and restyled, rather than laid out again for every style.

Generic on purpose: it knows nothing about ratings (``ResultsTable`` puts the domain on top),
so every table of the app can reuse it. It is the one place that relies on DataTable internals
(private names) of the pinned Textual, 8.2.8: its caches and their keys, its list of rows to
measure, its cell rendering. ``tests/tui/test_fast_table.py`` compares every picture with
DataTable's own rendering, and fails with a plain message naming this file when the installed
Textual is another version.

What it buys, measured with 1000 ids loading: the worst key press took about 55 ms instead of
about 80 ms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import CellKey, ColumnKey, RowKey

#: The Textual release whose DataTable internals this module was written against.
TEXTUAL_VERSION = "8.2.8"

#: One row's new cells, by column.
RowCells = Mapping[ColumnKey, Text]


class FastTable(DataTable[Text]):
    """A DataTable of one-line :class:`~rich.text.Text` cells with three shortcuts:

    - :meth:`add_rows_measured`: rows whose column widths the caller knows, so DataTable does
      not measure every new cell when next idle;
    - :meth:`update_rows`: new cells for some rows, repainting only those rows;
    - cell rendering that lays a cell out once per content and width and restyles it for the
      cursor, hover and focus.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: (cell, width, lines) of each cell as Rich laid it out, unstyled (see _render_cell).
        self._laid_out: dict[tuple[RowKey, ColumnKey], tuple[Text, int, list[list[Segment]]]] = {}

    def clear_rows(self) -> None:
        """Remove every row; the columns stay, as wide as their labels."""
        self.clear()
        self._laid_out = {}
        # clear() keeps the columns' measured widths; start from the new rows instead.
        for column in self.columns.values():
            column.content_width = column.label.cell_len

    def add_rows_measured(self, rows: Iterable[Iterable[Text]],
                          widths: Mapping[str, int]) -> list[RowKey]:
        """Add ``rows`` whose cells are at most ``widths[column key]`` cells wide.

        DataTable would measure every cell of every new row when next idle (about 80 ms for
        1000 rows, keys waiting meanwhile); the caller knows the widths (plain text lengths).
        Clearing DataTable's list of new rows leaves it only the table's size to work out.
        Columns missing from ``widths`` must have a fixed width or cells no wider than now.
        """
        keys = self.add_rows(rows)
        for key, column in self.columns.items():
            column.content_width = max(column.content_width, widths.get(key.value or "", 0))
        self._new_rows.clear()
        return keys

    def update_rows(self, updates: Mapping[RowKey, RowCells]) -> None:
        """Put new cells in, and repaint just the rows they belong to.

        ``DataTable.update_cell`` counts every update in ``_update_count``, which is part of
        the key of every cached render, so one changed cell re-renders every visible line:
        30-90 ms a batch for a screenful, during which keys wait. Here the cells go into the
        table's data directly and only the changed rows' cached renders are dropped. A cell
        wider than its column widens it, which changes every row's render: then all of them
        go, as with ``update_cell``.
        """
        if not updates:
            return
        wider = False
        for row_key, cells in updates.items():
            data = self._data[row_key]
            for column_key, cell in cells.items():
                data[column_key] = cell
                # Only ever widen: a narrower cell makes DataTable re-measure the whole
                # column, which is quadratic when a thousand rows fill in. (A column of fixed
                # width never changes.)
                column = self.columns[column_key]
                if column.auto_width and cell.cell_len > column.content_width:
                    self._updated_cells.add(CellKey(row_key, column_key))
                    wider = True
        if wider:
            self._require_update_dimensions = True
            self._update_count += 1
        else:
            self._forget_rendered_rows(set(updates))
        self.refresh()

    def _forget_rendered_rows(self, keys: set[RowKey]) -> None:
        """Drop the cached renders of the rows ``keys`` (and no others)."""
        # Both keyed (row key, ...); an LRUCache cannot be iterated.
        cells = self._cell_render_cache
        for cell_key in [k for k in cells.keys() if k[0] in keys]:  # noqa: SIM118
            cells.discard(cell_key)
        rows = self._row_render_cache
        for rows_key in [k for k in rows.keys() if k[0] in keys]:  # noqa: SIM118
            rows.discard(rows_key)
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
        same. Header cells, row labels, fixed rows and columns, and anything but a one-line
        ``Text`` take DataTable's path.
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
