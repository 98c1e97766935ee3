"""``ResultsTable``: which rows a result fills, what a failure does to a row, and that a
changed row never paints its old state. (That its shortcuts paint what DataTable paints is
``FastTable``'s test: ``tests/tui/test_fast_table.py``.)"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.style import Style
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Input

from tui.api.errors import NetworkError, UserTokenError
from tui.api.models import RatingResult
from tui.widgets.rating_badge import DISLIKED, FAILED, LIKED, LOADING, NOT_RATED
from tui.widgets.results import ResultsTable, error_note

TYPE = "library-songs"
SIZE = (100, 24)  # the input takes 3 lines: the table shows its header and 20 rows
#: 60 ids; row 45 repeats row 5's id, so one result fills an on-screen and an off-screen row.
IDS = [f"i.{n:03d}" for n in range(60)]
IDS[45] = IDS[5]
USER_TOKEN_ERROR = UserTokenError("Music user token rejected", status=403)

#: A painted line: each character with its style.
Picture = list[list[tuple[str, Style]]]


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


def line_of(table: ResultsTable, index: int) -> str:
    """The painted text of row ``index`` (which must be on screen)."""
    return table.render_line(1 + index - table.scroll_offset.y).text


async def start(pilot: Pilot[None], ids: list[str] = IDS) -> ResultsTable:
    assert isinstance(pilot.app, TableApp)
    table = pilot.app.table
    table.focus()
    table.show_ids(TYPE, ids)
    await pilot.pause()
    return table


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
