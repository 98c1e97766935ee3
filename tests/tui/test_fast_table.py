"""``FastTable``'s shortcuts paint exactly what DataTable paints, and repaint less.

The reference is :class:`UpdateCellTable`: rows updated through ``DataTable.update_cell``
(``update_width`` when a cell is wider than its column), which bumps ``_update_count`` and so
invalidates every cached render, and every cell rendered by DataTable's own ``_render_cell``.
FastTable relies on DataTable internals of one Textual release; the first test says which file
to revisit when another one is installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import DataTable, Input
from textual.widgets.data_table import ColumnKey, RowKey

from tui.widgets.fast_table import TEXTUAL_VERSION, FastTable

SIZE = (100, 24)  # the input takes 3 lines: the table shows its header and 20 rows
#: 60 ids; row 45 repeats row 5's id (a caller may show one item in two rows).
IDS = [f"i.{n:03d}" for n in range(60)]
IDS[45] = IDS[5]
STATE, NOTE = ColumnKey("state"), ColumnKey("note")
LIKED = Text("♥ Liked", style="bold green")
DISLIKED = Text("✕ Disliked", style="bold red")
QUIET = Text("· Not rated", style="dim")
WIDE_NOTE = "HTTP 403 · Music user token rejected"  # wider than the note column so far

#: A painted line: each character with its style.
Picture = list[list[tuple[str, Style]]]


def test_the_installed_textual_is_the_one_fast_table_was_written_for() -> None:
    installed = version("textual")
    assert installed == TEXTUAL_VERSION, (
        f"textual {installed} is installed, but tui/widgets/fast_table.py relies on DataTable "
        f"internals of textual {TEXTUAL_VERSION}. Revisit tui/widgets/fast_table.py against "
        "the new DataTable (run tests/tui/test_fast_table.py), then update TEXTUAL_VERSION "
        "there and the pin in pyproject.toml.")


class PlainTable(FastTable):
    """Four columns of plain Text: a number, an id, a fixed-width state and a note."""

    DEFAULT_CSS = "PlainTable { height: 1fr; }"

    def __init__(self) -> None:
        super().__init__(id="table", cursor_type="row", zebra_stripes=True)
        self.keys: list[RowKey] = []

    def on_mount(self) -> None:
        self.add_column(Text("#"), key="n")
        self.add_column(Text("ID"), key="id")
        self.add_column(Text("State"), key="state", width=12)
        self.add_column(Text("Note"), key="note")

    def show(self, ids: list[str]) -> None:
        self.clear_rows()
        rows = [(Text(str(i + 1), style="dim"), Text(item), Text("… Loading", style="dim"),
                 Text("", style="dim")) for i, item in enumerate(ids)]
        self.keys = self.add_rows_measured(rows, {"n": len(str(len(ids))),
                                                  "id": max(len(i) for i in ids)})

    def set(self, cells: Mapping[int, tuple[Text, str]], note_style: str = "dim") -> None:
        """Rows (by index; an index of row 5 also sets row 45) to a state and a note."""
        updates: dict[RowKey, dict[ColumnKey, Text]] = {}
        for index, (state, note) in cells.items():
            for at in ([5, 45] if index == 5 else [index]):
                updates[self.keys[at]] = {STATE: state, NOTE: Text(note, style=note_style)}
        self.update_rows(updates)


class UpdateCellTable(PlainTable):
    """The reference: DataTable's own update_cell and cell rendering."""

    _render_cell = DataTable._render_cell  # type: ignore[assignment]

    def update_rows(self, updates: Mapping[RowKey, Mapping[ColumnKey, Text]]) -> None:
        for row_key, cells in updates.items():
            for column_key, cell in cells.items():
                wider = cell.cell_len > self.columns[column_key].content_width
                self.update_cell(row_key, column_key, cell, update_width=wider)


class TableApp(App[None]):
    def __init__(self, table_class: type[PlainTable] = PlainTable) -> None:
        super().__init__()
        self.table_class = table_class

    def compose(self) -> ComposeResult:
        yield Input(id="elsewhere")
        yield self.table_class()

    @property
    def table(self) -> PlainTable:
        return self.query_one("#table", PlainTable)


def picture(table: FastTable) -> Picture:
    """What the table paints now (through the widget's own line cache, as the screen does)."""
    width, height = table.size
    strips = table.render_lines(Region(0, 0, width, height))
    return [[(char, segment.style or Style.null()) for segment in strip for char in segment.text]
            for strip in strips]


def text_of(lines: Picture) -> list[str]:
    return ["".join(char for char, _ in line) for line in lines]


def visible_rows(table: FastTable) -> range:
    """Indexes of the rows on screen (rows are one line high, below a one-line header)."""
    top = table.scroll_offset.y
    return range(top, min(top + table.size.height - 1, table.row_count))


def line_of(table: FastTable, index: int) -> str:
    """The painted text of row ``index`` (which must be on screen)."""
    return table.render_line(1 + index - table.scroll_offset.y).text


def count_row_renders(table: FastTable) -> list[RowKey]:
    """Record the row key of every line ``table`` renders afresh (cache misses only)."""
    rendered: list[RowKey] = []
    original = table._render_line_in_row

    def render(row_key: RowKey, *args: Any, **kwargs: Any) -> Any:
        rendered.append(row_key)
        return original(row_key, *args, **kwargs)

    table._render_line_in_row = render  # type: ignore[method-assign]
    return rendered


async def start(pilot: Pilot[None], ids: list[str] = IDS) -> PlainTable:
    assert isinstance(pilot.app, TableApp)
    table = pilot.app.table
    table.focus()
    table.show(ids)
    await pilot.pause()
    return table


async def scenario(table_class: type[PlainTable]) -> tuple[list[tuple[str, Picture]], set[str]]:
    """The same updates, cursor moves and focus changes; a picture after each step, and the
    steps that dropped single rows' renders (rather than every render)."""
    pictures: list[tuple[str, Picture]] = []
    evicting: list[bool] = []
    app = TableApp(table_class)
    async with app.run_test(size=SIZE) as pilot:
        table = await start(pilot)
        forget = table._forget_rendered_rows

        def spy(keys: set[RowKey]) -> None:
            evicting.append(True)
            forget(keys)

        table._forget_rendered_rows = spy  # type: ignore[method-assign]
        fast_steps: set[str] = set()

        async def snap(step: str) -> None:
            if evicting:
                fast_steps.add(step)
                evicting.clear()
            await pilot.pause()
            pictures.append((step, picture(table)))

        await snap("loading")
        table.move_cursor(row=30)
        await snap("cursor on row 30")
        # Rows on and off screen, a row shown twice, a row under the cursor; notes stay
        # narrower than the column (the fast path).
        table.set({5: (LIKED, ""), 12: (DISLIKED, ""), 20: (QUIET, ""), 30: (LIKED, ""),
                   31: (DISLIKED, ""), 50: (LIKED, ""), 2: (DISLIKED, "")})
        await snap("first batch")
        await pilot.press("down", "down", "down")
        await snap("cursor moved down")
        app.query_one("#elsewhere", Input).focus()
        await snap("focus elsewhere")
        table.set({33: (DISLIKED, ""), 14: (LIKED, "")})
        await snap("batch without focus")
        table.focus()
        await snap("focus back")
        # A note wider than the note column: the full-invalidation path.
        table.set({25: (QUIET, WIDE_NOTE), 26: (LIKED, "")}, note_style="")
        await snap("a wide note widens the column")
        # The same note again is no wider: the fast path.
        table.set({27: (QUIET, WIDE_NOTE), 5: (DISLIKED, WIDE_NOTE)}, note_style="")
        await snap("same note, same width")
        table.set({28: (QUIET, "liking…")})
        await snap("one row")
        await pilot.press("up")
        await snap("cursor moved up")
        table.move_cursor(row=0)
        await snap("back at the top")
        await pilot.hover("#table", offset=(5, 6))  # the hover cursor on a row
        await snap("mouse over a row")
        await pilot.hover("#elsewhere")
        await snap("mouse gone")
        table.set({i: (QUIET, "Network failure") for i in range(60) if i != 45}, note_style="")
        await snap("every row")
        table.set({3: (LIKED, "n" * 59 + "…")})
        await snap("long note widens the column")
        table.move_cursor(row=59)
        await snap("bottom")
        # New rows whose first cells come before DataTable ever measured them.
        table.show(IDS[:30])
        table.set({1: (LIKED, ""), 2: (DISLIKED, "")})
        await snap("new rows filled at once")
        table.set({4: (QUIET, WIDE_NOTE)}, note_style="")
        await snap("new rows, wider note")
        if table_class is PlainTable:  # its own cell rendering was used
            assert len(table._laid_out) >= 20
        else:
            assert not table._laid_out
    return pictures, fast_steps


async def test_pictures_match_update_cell() -> None:
    fast, fast_steps = await scenario(PlainTable)
    reference, reference_steps = await scenario(UpdateCellTable)
    # Both paths of update_rows were taken; the reference never drops single rows.
    assert fast_steps == {"first batch", "batch without focus", "same note, same width",
                          "one row", "every row", "new rows filled at once"}
    assert reference_steps == set()
    assert [step for step, _ in fast] == [step for step, _ in reference]
    for (step, mine), (_, theirs) in zip(fast, reference, strict=True):
        assert text_of(mine) == text_of(theirs), step
        assert mine == theirs, step
    # The pictures do show the updates (a comparison of two blank tables proves nothing).
    steps = dict(fast)
    assert any("♥ Liked" in line for line in text_of(steps["first batch"]))
    assert any(WIDE_NOTE in line for line in text_of(steps["a wide note widens the column"]))
    assert any("Network failure" in line for line in text_of(steps["every row"]))
    assert any("n" * 59 + "…" in line for line in text_of(steps["long note widens the column"]))
    assert steps["loading"] != steps["cursor on row 30"] != steps["first batch"]


async def test_off_screen_updates_render_no_line_again() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await start(pilot)
        assert visible_rows(table) == range(20)
        cached_lines = set(table._line_cache.keys())
        assert len(cached_lines) >= 21  # the screen was painted through the cache
        rendered = count_row_renders(table)
        update_count = table._update_count

        table.set({40: (LIKED, ""), 55: (DISLIKED, "")})
        await pilot.pause()
        picture(table)  # paint again even if nothing asked to
        assert rendered == []
        assert table._update_count == update_count
        assert cached_lines <= set(table._line_cache.keys())

        # A visible row (and only it) is rendered again, with its new cells.
        table.set({3: (LIKED, "")})
        await pilot.pause()
        assert set(rendered) == {table.keys[3]}  # the screen repainted it by itself
        assert "♥ Liked" in line_of(table, 3)
        assert "♥ Liked" not in line_of(table, 4)

        # An on-screen row (5) and an off-screen one (45) at once.
        rendered.clear()
        table.set({5: (DISLIKED, "")})
        await pilot.pause()
        picture(table)
        assert set(rendered) == {table.keys[5]}
        assert "✕ Disliked" in line_of(table, 5)
        assert table.get_row_at(45)[2].plain == "✕ Disliked"


async def test_update_cell_renders_every_visible_line_again() -> None:
    """The counting above can see re-renders: the reference path re-renders the whole screen
    for one off-screen change."""
    app = TableApp(UpdateCellTable)
    async with app.run_test(size=SIZE) as pilot:
        table = await start(pilot)
        rendered = count_row_renders(table)
        table.set({40: (LIKED, "")})
        await pilot.pause()
        assert {table.keys[i] for i in visible_rows(table)} <= set(rendered)


async def test_new_rows_get_the_widths_datatable_would_measure() -> None:
    # add_rows_measured sets the columns' widths from the caller's and spares DataTable
    # measuring every new cell; the table must come out exactly as if DataTable had measured.
    ids = [f"i.{'x' * (n % 17)}{n}" for n in range(1200)]  # widest id in the middle
    pictures = []
    widths = []
    for table_class in (PlainTable, UpdateCellTable):
        app = TableApp(table_class)
        async with app.run_test(size=SIZE) as pilot:
            table = app.table
            table.show(["i.a-much-longer-id-from-an-earlier-lookup-000"])
            await pilot.pause()
            table.show(ids)
            if table_class is UpdateCellTable:
                # The reference lets DataTable measure the new rows.
                table._new_rows.update(table.keys)
                table._require_update_dimensions = True
            else:
                assert not table._new_rows  # nothing left for DataTable to measure
            await pilot.pause()
            await pilot.pause()
            widths.append({key.value: column.get_render_width(table)
                           for key, column in table.columns.items()})
            pictures.append(picture(table))
    assert widths[0] == widths[1]
    assert widths[0]["id"] == 2 + max(len(i) for i in ids)  # cell padding on both sides
    assert widths[0]["n"] == 2 + len("1200")
    assert pictures[0] == pictures[1]
