"""The library screen, driven by keys: streaming rows, filters, sort, marks, actions, inspect,
export and search, on a listing whose ratings live in the simulated API."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path
from typing import Any

import pytest
from browser_kit import screen_text
from library_kit import fake_rows, open_library, seed_ratings, settle_library
from textual.binding import Binding
from textual.widgets import Input

from tui.api.simulated import Fault, apple_error
from tui.config import AppConfig
from tui.library_view import ViewRow
from tui.screens.confirm import ConfirmScreen
from tui.screens.export import ExportScreen
from tui.screens.inspector import InspectorScreen
from tui.screens.library import LibraryScreen
from tui.widgets.library import CountLine, LibraryBar, LibraryTable, RowLine
from tui.widgets.rating_badge import DISLIKED, FAILED, LIKED, NOT_RATED


@pytest.fixture
def rows(sim: Any) -> list[ViewRow]:
    """250 songs: 84 liked, 24 disliked, 142 not rated."""
    made = fake_rows(250)
    seed_ratings(sim, made)
    return made


def table(screen: LibraryScreen) -> LibraryTable:
    return screen.query_one(LibraryTable)


def shown_names(screen: LibraryScreen) -> list[str]:
    return [r.name for r in screen.listing.view.visible_rows()]


def count_text(screen: LibraryScreen) -> str:
    return str(screen.query_one(CountLine).render())


async def test_rows_stream_in_with_names_and_ratings(make_app: Any, rows: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        view = screen.listing.view
        assert len(view.rows) == 250
        assert view.counts() == {LIKED: 84, DISLIKED: 24, NOT_RATED: 142}
        assert "250 songs  ♥ 84 liked  ✕ 24 disliked  · 142 not rated  ! 0 failed" in \
            count_text(screen)
        text = screen_text(app)
        assert rows[0].name in text and rows[0].artist in text and "♥ Liked" in text
        # The cursor row's id is on demand, in the line under the table.
        assert rows[0].item_id in str(screen.query_one(RowLine).render())


async def test_progress_while_loading_then_stop_keeps_rows(make_app: Any, rows: Any) -> None:
    gate = asyncio.Event()
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        await pilot.pause()
        from library_kit import library_screen

        screen = library_screen(app, rows, gate=gate)
        await app.push_screen(screen)
        for _ in range(20):
            await pilot.pause()
            if screen.listing.view.rows:
                break
        await pilot.pause()
        line = count_text(screen)
        assert "100 of 250 songs" in line
        assert "█" in line and "░" in line and "40%" in line  # the progress bar
        assert "x Stop" in screen_text(app)
        await pilot.press("x")
        await pilot.pause()
        assert not screen.listing.busy and screen.listing.stopped
        assert len(screen.listing.view.rows) == 100
        assert "(stopped)" in count_text(screen)
        assert "█" not in count_text(screen)
        assert "x Stop" not in screen_text(app)


async def test_escape_stops_the_walk_first(make_app: Any, rows: Any) -> None:
    gate = asyncio.Event()
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        await pilot.pause()
        from library_kit import library_screen

        screen = library_screen(app, rows, gate=gate)
        await app.push_screen(screen)
        for _ in range(20):
            await pilot.pause()
            if screen.listing.view.rows:
                break
        await pilot.press("escape")
        await pilot.pause()
        assert screen.listing.stopped and app.screen is screen
        await pilot.press("escape")  # nothing else to undo: back to the browser
        await pilot.pause()
        assert app.screen is not screen


@pytest.mark.parametrize(("key", "word", "count"), [
    ("2", LIKED, 84), ("3", DISLIKED, 24), ("4", NOT_RATED, 142)])
async def test_rating_filter_keys(make_app: Any, rows: Any, key: str, word: str,
                                  count: int) -> None:
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        await pilot.press(key)
        await pilot.pause()
        shown = screen.listing.view.visible_rows()
        assert len(shown) == count and {r.word for r in shown} == {word}
        assert table(screen).row_count == count
        assert f"{count} shown of 250 songs" in count_text(screen)
        await pilot.press("1")
        await pilot.pause()
        assert len(screen.listing.view.visible) == 250


async def test_text_filter_narrows_and_escape_clears(make_app: Any, rows: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press("g", "l", "a")
        await pilot.pause()
        names = shown_names(screen)
        assert names and all("glass" in r.haystack for r in screen.listing.view.visible_rows())
        assert len(names) < 250
        # Letters typed into the filter never reach the row actions.
        assert app.screen is screen and not screen.query(ConfirmScreen)
        await pilot.press("enter")  # keeps the filter, back in the table
        assert isinstance(app.focused, LibraryTable)
        assert screen.listing.view.text == "gla"
        await pilot.press("slash", "escape")  # Escape in the filter clears it
        await pilot.pause()
        assert screen.listing.view.text == "" and len(screen.listing.view.visible) == 250
        assert isinstance(app.focused, LibraryTable)


async def test_text_filter_matches_artist_and_album(make_app: Any, rows: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        await pilot.press("slash", *"mira")
        await pilot.pause()
        assert {r.artist for r in screen.listing.view.visible_rows()} == {"Mira Sol"}
        await pilot.press("enter", "escape")  # Escape in the table clears the filter too
        await pilot.pause()
        await pilot.press("slash", *"SESSIONS")
        await pilot.pause()
        assert len(screen.listing.view.visible) == 250


async def test_sort_key_cycles_orders(make_app: Any, rows: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        bar = screen.query_one(LibraryBar)
        assert bar.sort.value == "library order"

        async def sort() -> list[ViewRow]:
            await pilot.press("s")
            await pilot.pause()
            return screen.listing.view.visible_rows()

        dates = [r.date_added for r in await sort()]
        assert dates == sorted(dates, reverse=True) and bar.sort.value == "date added"
        names = [r.name for r in await sort()]
        assert names == sorted(names, key=str.casefold) and bar.sort.value == "name"
        artists = [r.artist for r in await sort()]
        assert artists == sorted(artists, key=str.casefold)
        words = [r.word for r in await sort()]
        assert words[0] == LIKED and words[-1] == NOT_RATED
        # Back to the library's order.
        assert [r.item_id for r in await sort()] == [r.item_id for r in rows]


async def test_type_key_walks_the_next_type(make_app: Any, rows: Any) -> None:
    albums = fake_rows(3, "library-albums")
    albums = [ViewRow(f"l.Alb{n}xyz", "library-albums", name=r.name, artist=r.artist)
              for n, r in enumerate(albums)]
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows + albums)
        await pilot.press("t")
        await settle_library(pilot)
        assert screen.listing.kind == "library-albums"
        assert [r.item_id for r in screen.listing.view.rows] == [a.item_id for a in albums]
        assert "3 albums" in count_text(screen)
        await pilot.press("t", "t", "t")  # videos, playlists (empty), songs again
        await settle_library(pilot)
        assert screen.listing.kind == "library-songs"
        assert len(screen.listing.view.rows) == 250  # kept, not walked again


@pytest.mark.parametrize(("key", "value", "word"), [("l", 1, LIKED), ("d", -1, DISLIKED),
                                                    ("c", None, NOT_RATED)])
async def test_row_actions_on_the_cursor_row(make_app: Any, sim: Any, rows: Any, key: str,
                                             value: int | None, word: str) -> None:
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        await pilot.press("down", "down")  # row 2: not rated
        target = screen.listing.view.rows[2]
        sim.ratings[(target.rating_type, target.item_id)] = 1 if key != "l" else -1
        await pilot.press(key)
        await settle_library(pilot)
        assert sim.rating_of(target.rating_type, target.item_id) == value
        assert target.word == word and target.error is None
        assert app.screen_stack[-1].__class__ is not ConfirmScreen


async def test_marks_then_like_after_one_confirmation(make_app: Any, sim: Any,
                                                     rows: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        await pilot.press("4")  # not rated only
        await pilot.pause()
        await pilot.press("space", "space", "space")
        await pilot.pause()
        marked = [screen.listing.view.rows[i] for i in sorted(screen.listing.view.marked)]
        assert len(marked) == 3
        assert "3 marked rows" in str(screen.query_one(RowLine).render())
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Like 3 marked songs?" in screen_text(app)
        await pilot.press("y")
        await settle_library(pilot)
        assert all(sim.rating_of(r.rating_type, r.item_id) == 1 for r in marked)
        assert not screen.listing.view.marked
        # Liked rows leave the "not rated" view.
        assert all(r.word == LIKED for r in marked)
        assert not set(map(id, marked)) & set(map(id, screen.listing.view.visible_rows()))


async def test_confirmation_no_sends_nothing(make_app: Any, sim: Any, rows: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        before = dict(sim.ratings)
        await pilot.press("asterisk", "c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Clear the rating of 250 marked songs?" in screen_text(app)
        await pilot.press("n")
        await settle_library(pilot)
        assert sim.ratings == before
        assert len(screen.listing.view.marked) == 250
        await pilot.press("asterisk")  # all marked already: unmarks them
        assert not screen.listing.view.marked


async def test_mark_all_marks_the_visible_rows_only(make_app: Any, rows: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        await pilot.press("3", "asterisk")
        await pilot.pause()
        view = screen.listing.view
        assert {view.rows[i].word for i in view.marked} == {DISLIKED}
        assert len(view.marked) == 24


async def test_failed_rows_stay_marked_with_their_error(make_app: Any, sim: Any,
                                                       rows: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        sim.inject(Fault(status=500, body=apple_error(500, "50000", "Internal Server Error"),
                         times=100, method="PUT"))
        await pilot.press("space", "space", "d")
        await pilot.pause()
        await pilot.press("y")
        await settle_library(pilot)
        view = screen.listing.view
        assert len(view.marked) == 2
        failed = [view.rows[i] for i in view.marked]
        assert all(r.error is not None and "HTTP 500" in r.note for r in failed)
        # The rating is still the last one known; the mark column says "!".
        assert failed[0].word == LIKED
        panel = screen.error_panel
        assert panel is not None and panel.shown and panel.error is failed[0].error
        text = screen_text(app)
        assert "500" in text


async def test_inspect_shows_the_rows_ratings_request(make_app: Any, rows: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        await pilot.press("down", "i")
        await pilot.pause()
        assert isinstance(app.screen, InspectorScreen)
        exchange = app.screen.exchange
        assert exchange is not None and rows[1].item_id in exchange.url
        assert "/v1/me/ratings/library-songs" in exchange.url
        await pilot.press("escape")
        await pilot.press("l")
        await settle_library(pilot)
        await pilot.press("enter")  # Enter inspects too: now the PUT
        await pilot.pause()
        assert isinstance(app.screen, InspectorScreen)
        assert app.screen.exchange.method == "PUT"
        assert app.screen.exchange.url.endswith(screen.table.selected.item_id)


async def test_export_saves_the_rows_shown(make_app: Any, rows: Any, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(clock=lambda: 1_767_225_600.0)
    notes: list[str] = []
    async with app.run_test(size=(100, 28)) as pilot:
        await open_library(pilot, rows)
        app.notify = lambda message, **kw: notes.append(message)  # type: ignore[method-assign]
        await pilot.press("2", "e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        field = app.screen.query_one(Input)
        assert field.value == "library-songs-2026-01-01.csv"
        await pilot.press("enter")
        await settle_library(pilot)
        with (tmp_path / "library-songs-2026-01-01.csv").open(encoding="utf-8") as f:
            saved = list(csv.DictReader(f))
        assert len(saved) == 84 and {r["rating"] for r in saved} == {"like"}
        assert list(saved[0]) == ["id", "type", "name", "artist", "album", "catalog_id",
                                  "value", "rating", "error"]
        assert notes == ["Saved 84 rows to library-songs-2026-01-01.csv"]
        # JSON by the extension; an existing file needs a second Enter.
        await pilot.press("e")
        await pilot.pause()
        field = app.screen.query_one(Input)
        field.value = "liked.json"
        await pilot.press("enter")
        await settle_library(pilot)
        records = json.loads((tmp_path / "liked.json").read_text(encoding="utf-8"))
        assert len(records) == 84 and records[0]["value"] == 1
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one(Input).value = "liked.json"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert "exists" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)


async def test_export_refuses_an_unknown_extension(make_app: Any, rows: Any, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        await open_library(pilot, rows)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one(Input).value = "songs.txt"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert ".csv, .json or .jsonl" in screen_text(app)
        assert list(tmp_path.iterdir()) == []


async def test_search_shows_results_in_the_table(make_app: Any, sim: Any, rows: Any) -> None:
    found = [ViewRow("907242702", "songs", name="Glass Harbor", artist="Mira Sol"),
             ViewRow("1440857781", "songs", name="Glass Echo", artist="North Arcade")]
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows, search_rows=found)
        await pilot.press("F")
        await pilot.pause()
        assert "Find in catalog" in screen_text(app)
        await pilot.press(*"glass", "enter")
        await settle_library(pilot)
        assert screen.listing.term == "glass" and screen.listing.catalog
        assert [r.name for r in screen.listing.view.rows] == ["Glass Harbor", "Glass Echo"]
        assert [r.word for r in screen.listing.view.rows] == [LIKED, DISLIKED]
        assert "found: glass" in str(screen.query_one(LibraryBar).render())
        assert "2 results" in count_text(screen)
        await pilot.press("escape")  # back to the library listing
        await pilot.pause()
        assert screen.listing.kind == "library-songs" and len(screen.listing.view.rows) == 250


async def test_library_search_key(make_app: Any, rows: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows, search_rows=[])
        await pilot.press("f", *"nothing", "enter")
        await settle_library(pilot)
        assert screen.listing.term == "nothing" and not screen.listing.catalog
        assert "Nothing found" in count_text(screen)


async def test_failed_ratings_batch_shows_failed_rows(make_app: Any, sim: Any,
                                                     rows: Any) -> None:
    sim.inject(Fault(status=403, body=apple_error(403, "40300", "Forbidden",
                                                  "Invalid authentication"), times=100))
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        view = screen.listing.view
        assert view.counts()[FAILED] == 250
        panel = screen.error_panel
        assert panel is not None and panel.shown
        assert "! 250 failed" in count_text(screen)


async def test_small_terminal_keeps_table_and_quit(make_app: Any, rows: Any) -> None:
    app = make_app()
    async with app.run_test(size=(50, 14)) as pilot:
        screen = await open_library(pilot, rows)
        text = screen_text(app)
        assert rows[0].name in text and "Quit" in text
        assert table(screen).size.height >= 5
        header = next(line for line in text.splitlines() if "Name" in line)
        assert "Artist" in header and "Album" not in header  # no room for the album


async def test_keymap_remaps_library_keys(make_app: Any, rows: Any) -> None:
    config = AppConfig(demo=True, keymap={"library.filter_liked": "h", "library.type": "y"})
    app = make_app(config=config)
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        await pilot.press("h")
        await pilot.pause()
        assert len(screen.listing.view.visible) == 84
        assert str(screen.query_one(LibraryBar).render()).startswith("y ")


async def test_no_token_on_the_library_screen(make_app: Any, rows: Any) -> None:
    from browser_kit import demo_token_pair

    pair = demo_token_pair()
    app = make_app(tokens=pair)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_library(pilot, rows)
        await pilot.press("i")
        await pilot.pause()
        text = screen_text(app)
        assert pair.developer.value not in text and pair.user.value not in text


async def test_command_palette_runs_library_actions(make_app: Any, rows: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Show disliked only")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert {r.word for r in screen.listing.view.visible_rows()} == {DISLIKED}


async def test_f6_opens_the_library_and_comes_back(make_app: Any, rows: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from library_kit import FakeSource

    import tui.library_source

    monkeypatch.setattr(tui.library_source, "ServiceLibrarySource",
                        lambda client: FakeSource(client, rows))
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        await pilot.pause()
        assert "f6 Library" in screen_text(app)
        await pilot.press("f6")
        await settle_library(pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen) and len(screen.listing.view.rows) == 250
        await pilot.press("2", "f6")  # back to the browser, which stays the base screen
        await pilot.pause()
        assert not isinstance(app.screen, LibraryScreen)
        await pilot.press("f6")  # the same screen again: rows and filter kept, no new walk
        await pilot.pause()
        assert app.screen is screen and len(screen.listing.view.visible) == 84


def send_in_one_read(app: Any, keys: list[tuple[str, str]]) -> None:
    """Queue ``keys`` as the driver does for one read from the terminal: all before the app
    handles the first."""
    from textual import events

    for key, char in keys:
        event = events.Key(key, char)
        event.set_sender(app)
        assert app._driver is not None
        app._driver.send_message(event)


async def test_letters_in_one_burst_with_slash_reach_the_filter(make_app: Any,
                                                                rows: Any) -> None:
    # Over SSH a "/" and the letters behind it arrive in one read: Textual routes them all to
    # the table before the filter opens. They must end in the filter, never run a row key
    # ("l" likes) or another binding ("e" exports).
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        send_in_one_read(app, [("slash", "/"), *[(c, c) for c in "glass"], ("space", " "),
                               *[(c, c) for c in "echo"]])
        await settle_library(pilot)
        assert screen.input.value == "glass echo" and screen.listing.view.text == "glass echo"
        assert app.screen is screen and not screen.listing.view.marked
        assert all(r.word != LIKED or r.value == 1 for r in screen.listing.view.rows)
        assert {r.name for r in screen.listing.view.visible_rows()} == {"Glass Echo"}


@pytest.mark.parametrize("slash_first", [False, True], ids=["slash-in-burst", "input-open"])
async def test_keys_in_one_burst_behind_enter_reach_the_table(make_app: Any, rows: Any,
                                                              slash_first: bool) -> None:
    # "/glass echo", Enter, space and "l" in one read (tmux, SSH): Enter must move the focus
    # to the table at once, so the space marks the row (not "glass echo " in the filter,
    # which matches nothing) and "l" asks to like it. With the filter open first, the burst
    # queues at the input itself; with "/" in it, at the table.
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        if slash_first:
            await pilot.press("slash")
            await pilot.pause()
            assert screen.focused is screen.input
        send_in_one_read(app, [*([] if slash_first else [("slash", "/")]),
                               *[(c, c) for c in "glass"], ("space", " "),
                               *[(c, c) for c in "echo"], ("enter", "\r"), ("space", " "),
                               ("l", "l")])
        await settle_library(pilot)
        assert screen.input.value == "glass echo" and screen.listing.view.text == "glass echo"
        assert {r.name for r in screen.listing.view.visible_rows()} == {"Glass Echo"}
        assert len(screen.listing.view.marked) == 1
        assert "Like 1 marked song" in screen_text(app)


async def test_no_color_keeps_words_symbols_marks_and_the_bar(
        make_app: Any, rows: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    gate = asyncio.Event()
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        await pilot.pause()
        from library_kit import library_screen

        screen = library_screen(app, rows, gate=gate)
        await app.push_screen(screen)
        for _ in range(50):
            await pilot.pause(0.01)
            if screen.query_one(CountLine).counts.get(LIKED):
                break
        assert app.no_color
        await pilot.press("space")
        await pilot.pause()
        text = screen_text(app)
        assert "♥ Liked" in text and "✕ Disliked" in text and "· Not rated" in text
        assert "█" in text and "░" in text  # the progress bar without colour
        assert "●" in text  # the mark
        gate.set()


def test_every_library_binding_has_an_id() -> None:
    from tui.widgets.virtual_table import VirtualTable

    for owner in (LibraryScreen, LibraryTable, VirtualTable, ConfirmScreen, ExportScreen):
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding) and binding.id, f"{owner.__name__}: {binding}"
            assert not {"ctrl+j", "ctrl+s", "ctrl+o"} & set(binding.key.split(","))


async def test_a_click_moves_the_cursor_and_a_double_click_inspects(make_app: Any,
                                                                    rows: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_library(pilot, rows)
        await pilot.click(LibraryTable, offset=(10, 3))  # line 3: the third row
        await pilot.pause()
        assert screen.table.cursor == 2
        await pilot.click(LibraryTable, offset=(10, 0))  # the header: nothing
        await pilot.pause()
        assert screen.table.cursor == 2
        await pilot.click(LibraryTable, offset=(10, 3), times=2)
        await pilot.pause()
        assert isinstance(app.screen, InspectorScreen)


async def test_80x24_shows_the_columns_the_counts_and_the_main_keys(make_app: Any,
                                                                   rows: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_library(pilot, rows)
        text = screen_text(app)
        header = next(line for line in text.splitlines() if "Name" in line)
        assert all(word in header for word in ("Artist", "Album", "Rating"))
        assert "250 songs" in text and "♥ 84" in text
        footer = text.splitlines()[-1]
        for key in ("l Like", "d Dislike", "c Clear", "space Mark", "/ Filter", "^q Quit"):
            assert key in footer, footer
        assert table(screen).size.height >= 15
