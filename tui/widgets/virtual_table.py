"""A table that draws only the rows in sight, for listings of tens of thousands of rows.

It knows nothing of what it shows: a subclass says how many rows there are
(:meth:`VirtualTable.set_row_count`) and gives the cells of the row at a position
(:meth:`VirtualTable.row_cells`), with a key that stays the same while the row's content does
(:meth:`VirtualTable.row_key`). Nothing is stored per row: filtering 10,000 rows to 12 and back
costs one repaint of a screenful, not a rebuild (DataTable adds and measures every row).

Each row is laid out once per content and width (Rich's text layout is most of a row's cost)
and then styled per line (cursor, zebra, focus), so moving the cursor repaints two lines from
cache. Column widths are given or share the room left, so nothing is measured. Built on the
Line API of :class:`~textual.scroll_view.ScrollView`, with one Textual internal: a new row
count updates the scroll range through ``Widget._scroll_update`` rather than a layout of the
whole screen (see :meth:`VirtualTable._set_virtual_size`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip


@dataclass(frozen=True)
class Column:
    """One column: its key, its header and its width (cells are cut to it with "…").

    ``width`` 0 makes the column share the room the fixed ones leave, in proportion to
    ``share``, never narrower than ``min_width``.
    """

    key: str
    label: str
    width: int = 0
    share: int = 1
    min_width: int = 4


def column_widths(columns: Sequence[Column], total: int, padding: int = 1) -> list[int]:
    """The content width of each column on a line of ``total`` cells (each cell padded by
    ``padding`` on both sides)."""
    fixed = sum(c.width + 2 * padding for c in columns if c.width)
    flexible = [c for c in columns if not c.width]
    room = max(total - fixed - sum(2 * padding for _ in flexible), 0)
    shares = sum(c.share for c in flexible) or 1
    widths: list[int] = []
    given = 0
    for column in columns:
        if column.width:
            widths.append(column.width)
            continue
        width = max(room * column.share // shares, column.min_width)
        widths.append(width)
        given += width
    # Rounding leaves a few cells: they go to the first flexible column.
    spare = room - given
    if spare > 0 and flexible:
        first = next(i for i, c in enumerate(columns) if not c.width)
        widths[first] += spare
    return widths


class VirtualTable(ScrollView, can_focus=True):
    """Rows drawn on demand, a header line that stays, a row cursor."""

    DEFAULT_CSS = """
    VirtualTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        scrollbar-size-horizontal: 0;
        scrollbar-size-vertical: 1;
        scrollbar-gutter: stable;
        & > .virtual-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .virtual-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .virtual-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .virtual-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .virtual-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .virtual-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    COMPONENT_CLASSES = {
        "virtual-table--header",
        "virtual-table--even-row",
        "virtual-table--cursor",
    }

    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down", "cursor_down", "Down", show=False, id="table.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home", "first", "First", show=False, id="table.first"),
        Binding("end", "last", "Last", show=False, id="table.last"),
        Binding("enter", "choose", "Choose", show=False, id="table.choose"),
    ]

    class CursorMoved(Message):
        """The cursor is on another row (or the rows under it changed)."""

        def __init__(self, table: VirtualTable, position: int) -> None:
            super().__init__()
            self.table = table
            self.position = position

        @property
        def control(self) -> VirtualTable:
            """The table."""
            return self.table

    class Chosen(Message):
        """Enter (or a click on the cursor row) on a row."""

        def __init__(self, table: VirtualTable, position: int) -> None:
            super().__init__()
            self.table = table
            self.position = position

        @property
        def control(self) -> VirtualTable:
            """The table."""
            return self.table

    def __init__(self, columns: Sequence[Column], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns: list[Column] = list(columns)
        self.row_count = 0
        self.cursor = 0
        #: row key -> (content width, widths, laid-out segments) of rows drawn so far.
        self._laid_out: dict[Hashable, tuple[tuple[int, ...], Strip]] = {}
        self._widths: tuple[int, ...] = ()

    # -- what a subclass provides ------------------------------------------------------

    def row_cells(self, position: int) -> Sequence[Text]:
        """The cells of the row shown at ``position``, one per column."""
        raise NotImplementedError

    def row_key(self, position: int) -> Hashable:
        """A key of the row at ``position`` that changes when its cells do (or call
        :meth:`forget_rows` when they change)."""
        return position

    def row_style(self, position: int) -> Style | None:
        """An extra style for the whole row (marked rows, say), under the cursor's."""
        return None

    # -- what a subclass calls ---------------------------------------------------------

    def set_row_count(self, count: int, *, keep_cursor: bool = True) -> None:
        """There are ``count`` rows now (positions may have changed: every line repaints)."""
        self.row_count = count
        cursor = self.cursor if keep_cursor else 0
        self.cursor = max(0, min(cursor, count - 1))
        self._set_virtual_size()
        self.refresh()

    def rows_appended(self, count: int) -> None:
        """Rows were added after the last one: only lines in sight that were empty repaint."""
        before = self.row_count
        self.row_count = count
        self._set_virtual_size()
        top = int(self.scroll_offset.y)
        height = self.size.height - 1
        if before < top + height:  # some new rows are in sight
            self.refresh(Region(0, before - top + 1, self.size.width, height - (before - top)))

    def forget_rows(self, keys: Sequence[Hashable]) -> None:
        """The rows of ``keys`` changed: lay them out again when next drawn."""
        for key in keys:
            self._laid_out.pop(key, None)

    def forget_all(self) -> None:
        """Every row may have changed."""
        self._laid_out.clear()
        self.refresh()

    def refresh_positions(self, positions: Sequence[int]) -> None:
        """Repaint the rows at ``positions`` (the ones in sight)."""
        top = int(self.scroll_offset.y)
        height = self.size.height - 1
        for position in positions:
            if top <= position < top + height:
                self.refresh(Region(0, position - top + 1, self.size.width, 1))

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Show other columns (a narrower terminal, say)."""
        if list(columns) != self.columns:
            self.columns = list(columns)
            self._laid_out.clear()
            self.refresh()

    def move_cursor(self, position: int) -> None:
        """Put the cursor on ``position`` and scroll it into sight."""
        position = max(0, min(position, self.row_count - 1))
        old = self.cursor
        self.cursor = position
        self._scroll_to_cursor()
        if old != position:
            self.refresh_positions([old, position])
        self.post_message(self.CursorMoved(self, position))

    # -- drawing -----------------------------------------------------------------------

    def _set_virtual_size(self) -> None:
        size = Size(self.line_width, self.row_count + 1)
        if size == self.virtual_size:
            return
        if self.size.height and size.width == self.virtual_size.width:
            # The table's own size does not depend on its rows, so a new row count needs no
            # layout of the screen (which would repaint every widget on it, tens of ms on
            # each key of a filter): set the scroll range, update the scrollbar, repaint.
            # ``Widget._scroll_update`` is what a layout would call for this (Textual 8.2.8).
            self.set_reactive(VirtualTable.virtual_size, size)
            self._scroll_update(size)
            self.refresh()
        else:
            self.virtual_size = size

    def on_resize(self, event: events.Resize) -> None:
        self._set_virtual_size()
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        height = self.size.height - 1  # the header line stays
        if height <= 0:
            return
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    @property
    def line_width(self) -> int:
        """Cells a row has (the width less the scrollbar's gutter)."""
        return self.scrollable_content_region.width

    def render_line(self, y: int) -> Strip:
        width = self.line_width
        widths = tuple(column_widths(self.columns, width))
        if widths != self._widths:
            self._widths = widths
            self._laid_out.clear()
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("virtual-table--header")
            cells = [Text(c.label) for c in self.columns]
            return self._lay_out(cells, widths, width).apply_style(base + header)
        position = int(self.scroll_offset.y) + y - 1
        if position >= self.row_count:
            return Strip.blank(width, base)
        key = self.row_key(position)
        laid_out = self._laid_out.get(key)
        if laid_out is None or laid_out[0] != widths:
            laid_out = (widths, self._lay_out(self.row_cells(position), widths, width))
            self._laid_out[key] = laid_out
        style = base
        if position % 2:
            style += self.get_component_rich_style("virtual-table--even-row")
        extra = self.row_style(position)
        if extra is not None:
            style += extra
        if position == self.cursor:
            style += self.get_component_rich_style("virtual-table--cursor")
        # (No meta for the mouse: a click's row comes from its y, and meta styles are slow.)
        return laid_out[1].apply_style(style)

    def _lay_out(self, cells: Sequence[Text], widths: Sequence[int], width: int) -> Strip:
        """One line of ``cells``, each cut or padded to its width, a space either side."""
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        for cell, cell_width in zip(cells, widths, strict=False):
            line.append(" ")
            piece = cell.copy()
            piece.truncate(cell_width, overflow="ellipsis", pad=True)
            line.append_text(piece)
            line.append(" ")
        segments = list(line.render(self.app.console))
        return Strip(Segment.adjust_line_length(segments, width), width)

    # -- keys and mouse ----------------------------------------------------------------

    def action_cursor_up(self) -> None:
        """One row up."""
        self.move_cursor(self.cursor - 1)

    def action_cursor_down(self) -> None:
        """One row down."""
        self.move_cursor(self.cursor + 1)

    def action_page_up(self) -> None:
        """A screenful up."""
        self.move_cursor(self.cursor - max(self.size.height - 2, 1))

    def action_page_down(self) -> None:
        """A screenful down."""
        self.move_cursor(self.cursor + max(self.size.height - 2, 1))

    def action_first(self) -> None:
        """The first row."""
        self.move_cursor(0)

    def action_last(self) -> None:
        """The last row."""
        self.move_cursor(self.row_count - 1)

    def action_choose(self) -> None:
        """Enter on the cursor row."""
        if self.row_count:
            self.post_message(self.Chosen(self, self.cursor))

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:  # the header
            return
        position = int(self.scroll_offset.y) + event.y - 1
        if position >= self.row_count:
            return
        if position == self.cursor and event.chain >= 2:
            self.post_message(self.Chosen(self, position))
        else:
            self.move_cursor(position)
