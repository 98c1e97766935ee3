"""``ResultsTable`` row updates: cells written into the table's data with only the changed
rows' cached renders dropped must paint exactly what ``DataTable.update_cell`` paints, and must
not re-render the rows that did not change.

The reference is :class:`UpdateCellTable`, whose ``_update_rows`` is the code it replaced:
``update_cell`` for the rating and note cells (``update_width`` when the note is wider than the
note column), which bumps ``_update_count`` and so invalidates every cached render; it also
renders cells with DataTable's own ``_render_cell``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.style import Style
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import DataTable, Input
from textual.widgets.data_table import RowKey

from tui.api.errors import NetworkError, UserTokenError
from tui.api.models import RatingResult
from tui.widgets.rating_badge import DISLIKED, FAILED, LIKED, LOADING, NOT_RATED, rating_badge
from tui.widgets.results import ResultsTable, error_note

TYPE = "library-songs"
SIZE = (100, 24)  # the input takes 3 lines: the table shows its header and 20 rows
#: 60 ids; row 45 repeats row 5's id, so one result fills an on-screen and an off-screen row.
IDS = [f"i.{n:03d}" for n in range(60)]
IDS[45] = IDS[5]
USER_TOKEN_ERROR = UserTokenError("Music user token rejected", status=403)

#: A painted line: each character with its style.
Picture = list[list[tuple[str, Style]]]


class UpdateCellTable(ResultsTable):
    """The reference: rows updated through ``DataTable.update_cell``, and every cell rendered
    by ``DataTable._render_cell`` (not ResultsTable's, which lays a cell out once for all
    styles)."""

    _render_cell = DataTable._render_cell  # type: ignore[assignment]

    def _update_rows(self, indexes: list[int]) -> None:
        theme = self.app.theme_variables
        for index in indexes:
            key = self._keys[index]
            row = self.rows_state[index]
            self.update_cell(key, "rating", rating_badge(row.word, theme))
            note = self._note(row)
            wider = note.cell_len > self.columns[self._note_key].content_width
            self.update_cell(key, self._note_key, note, update_width=wider)


class TableApp(App[None]):
    def __init__(self, table_class: type[ResultsTable] = ResultsTable) -> None:
        super().__init__()
        self.table_class = table_class

    def compose(self) -> ComposeResult:
        yield Input(id="elsewhere")
        yield self.table_class(id="results")

    @property
    def table(self) -> ResultsTable:
        return self.query_one("#results", ResultsTable)


def result(item_id: str, value: int | None = None, *, error: Any = None,
           rating_type: str = TYPE) -> RatingResult:
    return RatingResult(item_id, rating_type, value, error=error)


def picture(table: ResultsTable) -> Picture:
    """What the table paints now (through the widget's own line cache, as the screen does)."""
    width, height = table.size
    strips = table.render_lines(Region(0, 0, width, height))
    return [[(char, segment.style or Style.null()) for segment in strip for char in segment.text]
            for strip in strips]


def text_of(lines: Picture) -> list[str]:
    return ["".join(char for char, _ in line) for line in lines]


def visible_rows(table: ResultsTable) -> range:
    """Indexes of the rows on screen (rows are one line high, below a one-line header)."""
    top = table.scroll_offset.y
    return range(top, min(top + table.size.height - 1, table.row_count))


def line_of(table: ResultsTable, index: int) -> str:
    """The painted text of row ``index`` (which must be on screen)."""
    return table.render_line(1 + index - table.scroll_offset.y).text


def count_row_renders(table: ResultsTable) -> list[RowKey]:
    """Record the row key of every line ``table`` renders afresh (cache misses only)."""
    rendered: list[RowKey] = []
    original = table._render_line_in_row

    def render(row_key: RowKey, *args: Any, **kwargs: Any) -> Any:
        rendered.append(row_key)
        return original(row_key, *args, **kwargs)

    table._render_line_in_row = render  # type: ignore[method-assign]
    return rendered


async def start(pilot: Pilot[None], ids: list[str] = IDS) -> ResultsTable:
    assert isinstance(pilot.app, TableApp)
    table = pilot.app.table
    table.focus()
    table.show_ids(TYPE, ids)
    await pilot.pause()
    return table


async def scenario(table_class: type[ResultsTable]) -> tuple[list[tuple[str, Picture]], set[str]]:
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
        # Rows on and off screen, the duplicated id, a row under the cursor; notes stay
        # narrower than the column (the fast path).
        shown = table.apply_results([
            result(IDS[5], 1), result(IDS[12], -1), result(IDS[20], None), result(IDS[30], 1),
            result(IDS[31], -1), result(IDS[50], 1), result(IDS[2], -1),
            result("i.unknown", 1), result(IDS[13], 1, rating_type="library-albums"),
        ])
        assert shown == 7
        await snap("first batch")
        await pilot.press("down", "down", "down")
        await snap("cursor moved down")
        app.query_one("#elsewhere", Input).focus()
        await snap("focus elsewhere")
        table.apply_results([result(IDS[33], -1), result(IDS[14], 1)])
        await snap("batch without focus")
        table.focus()
        await snap("focus back")
        # An error note wider than the note column: the full-invalidation path.
        table.apply_results([result(IDS[25], error=USER_TOKEN_ERROR), result(IDS[26], 1)])
        await snap("error widens the note column")
        # The same error again is no wider: the fast path, with an undimmed note.
        table.apply_results([result(IDS[27], error=USER_TOKEN_ERROR), result(IDS[5], -1)])
        await snap("same error, same width")
        table.mark(TYPE, IDS[28], "liking…")
        await snap("mark")
        await pilot.press("up")
        await snap("cursor moved up")
        table.move_cursor(row=0)
        await snap("back at the top")
        await pilot.hover("#results", offset=(5, 6))  # the hover cursor on a row
        await snap("mouse over a row")
        await pilot.hover("#elsewhere")
        await snap("mouse gone")
        table.mark_all("", failed=NetworkError("connection refused"))
        await snap("mark_all failed")
        table.apply_results([result(IDS[3], 1)], note="n" * 70)  # cut to 60 characters
        await snap("long note widens the column")
        table.move_cursor(row=59)
        await snap("bottom")
        # A new lookup whose first batch comes before the new rows were ever measured.
        table.show_ids(TYPE, IDS[:30])
        table.apply_results([result(IDS[1], 1), result(IDS[2], -1)])
        await snap("new rows filled at once")
        table.apply_results([result(IDS[4], error=USER_TOKEN_ERROR)])
        await snap("new rows, wider error")
        if table_class is ResultsTable:  # its own cell rendering was used
            assert len(table._laid_out) >= 20
        else:
            assert not table._laid_out
    return pictures, fast_steps


async def test_pictures_match_update_cell() -> None:
    fast, fast_steps = await scenario(ResultsTable)
    reference, reference_steps = await scenario(UpdateCellTable)
    # Both paths of _update_rows were taken; the reference never drops single rows.
    assert fast_steps == {"first batch", "batch without focus", "same error, same width",
                          "mark", "mark_all failed", "new rows filled at once"}
    assert reference_steps == set()
    assert [step for step, _ in fast] == [step for step, _ in reference]
    for (step, mine), (_, theirs) in zip(fast, reference, strict=True):
        assert text_of(mine) == text_of(theirs), step
        assert mine == theirs, step
    # The pictures do show the updates (a comparison of two blank tables proves nothing).
    steps = dict(fast)
    assert any("♥ Liked" in line for line in text_of(steps["first batch"]))
    assert any("HTTP 403 · Music user token rejected" in line
               for line in text_of(steps["error widens the note column"]))
    assert any("Network failure" in line for line in text_of(steps["mark_all failed"]))
    assert any("n" * 59 + "…" in line for line in text_of(steps["long note widens the column"]))
    assert steps["loading"] != steps["cursor on row 30"] != steps["first batch"]


async def test_off_screen_batch_renders_no_line_again() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await start(pilot)
        on_screen = visible_rows(table)
        assert on_screen == range(20)
        cached_lines = set(table._line_cache.keys())
        assert len(cached_lines) >= 21  # the screen was painted through the cache
        rendered = count_row_renders(table)
        update_count = table._update_count

        assert table.apply_results([result(IDS[40], 1), result(IDS[55], -1)]) == 2
        await pilot.pause()
        picture(table)  # paint again even if nothing asked to
        assert rendered == []
        assert table._update_count == update_count
        assert cached_lines <= set(table._line_cache.keys())

        # A visible row (and only it) is rendered again, with its new rating.
        table.apply_results([result(IDS[3], 1)])
        await pilot.pause()
        assert set(rendered) == {table._keys[3]}  # the screen repainted it by itself
        assert "♥ Liked" in line_of(table, 3)
        assert "♥ Liked" not in line_of(table, 4)

        # The duplicated id fills an on-screen row (5) and an off-screen one (45).
        rendered.clear()
        table.apply_results([result(IDS[5], -1)])
        await pilot.pause()
        picture(table)
        assert set(rendered) == {table._keys[5]}
        assert "✕ Disliked" in line_of(table, 5)
        assert table.get_row_at(45)[2].plain == "✕ Disliked"


async def test_update_cell_renders_every_visible_line_again() -> None:
    """The counting above can see re-renders: the reference path re-renders the whole screen
    for one off-screen change."""
    app = TableApp(UpdateCellTable)
    async with app.run_test(size=SIZE) as pilot:
        table = await start(pilot)
        rendered = count_row_renders(table)
        table.apply_results([result(IDS[40], 1)])
        await pilot.pause()
        assert {table._keys[i] for i in visible_rows(table)} <= set(rendered)


async def test_mark_all_and_result_counts() -> None:
    app = TableApp()
    async with app.run_test(size=(100, 24)) as pilot:
        table = await start(pilot, ["a", "b", "a", "c", "d"])
        assert table.apply_results([]) == 0
        assert table.apply_results([
            result("a", 1), result("b", -1), result("zzz", 1),
            result("c", 1, rating_type="library-albums"),
        ]) == 2
        assert table.apply_result(result("nope", 1)) is False
        assert table.apply_result(result("d", None)) is True
        assert [row.word for row in table.rows_state] == [LIKED, DISLIKED, LIKED, LOADING,
                                                          NOT_RATED]

        table.mark_all("", failed=USER_TOKEN_ERROR)
        await pilot.pause()
        note = error_note(USER_TOKEN_ERROR)
        assert note == "HTTP 403 · Music user token rejected"
        # A row already read keeps its rating; a row never read is unknown, so Failed.
        words = [LIKED, DISLIKED, LIKED, FAILED, NOT_RATED]
        assert [row.word for row in table.rows_state] == words
        assert all(row.note == note and row.error is USER_TOKEN_ERROR
                   for row in table.rows_state)
        assert table.counts() == Counter(words)
        badges = ["♥ Liked", "✕ Disliked", "♥ Liked", "! Failed", "· Not rated"]
        for index, badge in enumerate(badges):
            cells = table.get_row_at(index)
            assert [cells[2].plain, cells[4].plain] == [badge, note]
            assert badge in line_of(table, index) and note in line_of(table, index)

        # Every row, even when none of them is loading any more.
        table.mark_all("checking…")
        await pilot.pause()
        assert [row.note for row in table.rows_state] == ["checking…"] * 5
        assert all("checking…" in line_of(table, index) for index in range(5))


async def test_no_stale_render_after_update() -> None:
    app = TableApp()
    async with app.run_test(size=SIZE) as pilot:
        table = await start(pilot)
        table.move_cursor(row=3)
        await pilot.pause()
        table.move_cursor(row=4)  # row 3 now cached both with and without the cursor
        await pilot.pause()

        def shows(index: int, badge: str, note: str = "") -> None:
            cells = table.get_row_at(index)
            assert (cells[2].plain, cells[4].plain) == (badge, note)
            line = line_of(table, index)
            assert badge in line and (not note or note in line), line
            assert badge in text_of(picture(table))[1 + index]

        table.apply_results([result(IDS[3], 1), result(IDS[4], -1)])
        await pilot.pause()
        shows(3, "♥ Liked")
        shows(4, "✕ Disliked")  # under the cursor
        shows(6, "… Loading")

        table.move_cursor(row=3)  # back onto row 3: its old cursor render must be gone too
        await pilot.pause()
        shows(3, "♥ Liked")
        shows(4, "✕ Disliked")

        table.apply_results([result(IDS[3], -1)], note="changed")  # a second change
        await pilot.pause()
        shows(3, "✕ Disliked", "changed")
        table.mark(TYPE, IDS[3], "liking…")
        await pilot.pause()
        shows(3, "✕ Disliked", "liking…")
        table.mark(TYPE, IDS[3], "", failed=NetworkError("connection refused"))
        await pilot.pause()
        shows(3, "✕ Disliked", "Network failure")


async def test_new_rows_get_the_widths_datatable_would_measure() -> None:
    # show_ids sets the columns' widths from the ids' lengths and spares DataTable measuring
    # every new cell; the table must come out exactly as if DataTable had measured them.
    ids = [f"i.{'x' * (n % 17)}{n}" for n in range(1200)]  # widest id in the middle
    pictures = []
    widths = []
    for table_class in (ResultsTable, UpdateCellTable):
        app = TableApp(table_class)
        async with app.run_test(size=SIZE) as pilot:
            table = app.table
            table.show_ids(TYPE, ["i.a-much-longer-id-from-an-earlier-lookup-000"])
            await pilot.pause()
            table.show_ids(TYPE, ids)
            if table_class is UpdateCellTable:
                # The reference lets DataTable measure the new rows.
                table._new_rows.update(table._keys)
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
