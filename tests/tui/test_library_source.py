"""The library screen on the real service layer and the simulated library: the walk, a page
that fails, both searches, and export files in the formats of ``amratings library``."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from browser_kit import demo_token_pair
from library_kit import settle_library

from tui.api.simulated import Fault, SimulatedAppleMusic, apple_error
from tui.app import AmRatingsApp
from tui.config import AppConfig
from tui.library_source import EXPORT_FIELDS, write_export
from tui.library_view import ViewRow
from tui.screens.inspector import InspectorScreen
from tui.screens.library import LibraryScreen
from tui.widgets.rating_badge import DISLIKED, LIKED, LOADING, NOT_RATED


def make(sim: SimulatedAppleMusic) -> AmRatingsApp:
    return AmRatingsApp(AppConfig(demo=True), transport=sim, tokens=demo_token_pair())


@pytest.fixture
def small_sim(pinned_requests: None) -> SimulatedAppleMusic:
    from browser_kit import FIXED_NOW

    return SimulatedAppleMusic(clock=lambda: FIXED_NOW + 60, library_size=300)


async def open_real_library(pilot: Any) -> LibraryScreen:
    await pilot.pause()
    await pilot.press("f6")
    await settle_library(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, LibraryScreen)
    return screen


async def test_walk_lists_every_song_with_names_and_ratings(small_sim: Any) -> None:
    app = make(small_sim)
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_real_library(pilot)
        rows = screen.listing.view.rows
        assert len(rows) > 250 and screen.listing.total is not None
        assert all(r.name and r.word in (LIKED, DISLIKED, NOT_RATED) for r in rows)
        for row in rows[:50]:
            assert row.value == small_sim.rating_of(row.rating_type, row.item_id)
        assert not screen.listing.busy and screen.listing.done
        # Pages were fetched by offset; the inspector finds the one behind a row.
        await pilot.press("end", "i")
        await pilot.pause()
        inspector = app.screen
        assert isinstance(inspector, InspectorScreen)
        assert inspector.exchange is not None


async def test_a_page_that_fails_is_named_and_the_rest_loads(small_sim: Any) -> None:
    small_sim.inject(Fault(status=500, body=apple_error(500, "50000", "Internal Server Error"),
                           times=100, path_contains="/v1/me/library/songs",
                           query_contains="offset=100"))
    app = make(small_sim)
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_real_library(pilot)
        assert screen.listing.missing, "the failed page is named"
        assert "not read" in str(screen.query_one("#library-count").render())
        panel = screen.error_panel
        assert panel is not None and panel.shown
        assert len(screen.listing.view.rows) >= 150


@pytest.mark.parametrize("key", ["f", "F"])
async def test_both_searches_show_rated_results(small_sim: Any, key: str) -> None:
    app = make(small_sim)
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_real_library(pilot)
        word = screen.listing.view.rows[0].name.split()[0]
        await pilot.press(key, *word, "enter")
        await settle_library(pilot)
        found = screen.listing.view.rows
        assert screen.listing.term == word and found
        assert all(r.word != LOADING for r in found)
        assert all(r.rating_type.startswith("library-") == (key == "f") for r in found)


def test_export_formats_match_the_library_command(tmp_path: Path) -> None:
    rows = [ViewRow("i.AAAAAAAAAAAAA1", "library-songs", name="Neón, \"Harbor\"\x1b[2J",
                    artist="Juno", album="Paper", catalog_id="907242702"),
            ViewRow("i.AAAAAAAAAAAAA2", "library-songs", name="Static"),
            ViewRow("i.AAAAAAAAAAAAA3", "library-songs", name="Never read")]
    rows[0].set_value(1)
    rows[1].set_value(None)  # rows[2] is still loading: the walk was stopped
    write_export(tmp_path / "a.json", "json", rows)
    write_export(tmp_path / "a.jsonl", "jsonl", rows)
    write_export(tmp_path / "a.csv", "csv", rows)
    text = (tmp_path / "a.json").read_text(encoding="utf-8")
    assert text.isascii() and "\x1b" not in text  # escaped, safe to cat to a terminal
    records = json.loads(text)
    assert records[0] == {"id": "i.AAAAAAAAAAAAA1", "type": "library-songs",
                          "name": "Neón, \"Harbor\"\x1b[2J", "artist": "Juno",
                          "album": "Paper", "catalog_id": "907242702", "value": 1,
                          "rating": "like"}
    assert records[1]["value"] is None and records[1]["rating"] is None
    assert "error" not in records[1]
    # Unknown is never "not rated": `amratings apply` skips rows with an error.
    assert records[2]["value"] is None and records[2]["error"]["kind"] == "NotRead"
    lines = (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records
    with (tmp_path / "a.csv").open(encoding="utf-8", newline="") as f:
        table = list(csv.DictReader(f))
    assert tuple(table[0]) == EXPORT_FIELDS and EXPORT_FIELDS[-1] == "error"
    assert table[0]["name"] == "Neón, \"Harbor\"\\x1b[2J" and table[0]["error"] == ""
    assert table[2]["error"] == "NotRead" and table[2]["value"] == ""
    assert not list(tmp_path.glob(".*partial"))


async def test_marked_rows_go_through_the_bulk_set_and_failures_stay_marked(
        small_sim: Any) -> None:
    app = make(small_sim)
    async with app.run_test(size=(100, 28)) as pilot:
        screen = await open_real_library(pilot)
        await pilot.press("4")  # not rated rows only
        await pilot.pause()
        view = screen.listing.view
        targets = view.visible_rows()[:3]
        # The second PUT fails however often it is retried.
        small_sim.inject(Fault(status=500, times=100, method="PUT",
                               path_contains=targets[1].item_id))
        await pilot.press("space", "space", "space", "d")
        await pilot.pause()
        await pilot.press("y")
        await settle_library(pilot)
        puts = [path for method, path in small_sim.requests if method == "PUT"]
        assert {p.rsplit("/", 1)[-1] for p in puts} == {t.item_id for t in targets}
        assert [small_sim.rating_of(t.rating_type, t.item_id) for t in targets] == \
            [-1, None, -1]
        assert [t.word for t in targets] == [DISLIKED, NOT_RATED, DISLIKED]
        marked = [view.rows[i] for i in view.marked]
        assert marked == [targets[1]] and "HTTP 500" in targets[1].note
        panel = screen.error_panel
        assert panel is not None and panel.shown and panel.error is targets[1].error


@pytest.mark.skipif(importlib.util.find_spec("tui.cli.library") is None,
                    reason="`amratings library` is not there yet")
@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
async def test_an_export_is_what_the_library_command_prints(
        fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        isolated_env: dict[str, str]) -> None:
    import subprocess
    import sys

    from textual.widgets import Input

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "tui", "--demo", "library", "--type",
                           "library-songs", f"--{fmt}"], capture_output=True, text=True,
                          cwd=root, env=isolated_env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    monkeypatch.chdir(tmp_path)
    app = AmRatingsApp(AppConfig(demo=True))  # the demo's own simulation and tokens, as --demo
    async with app.run_test(size=(100, 28)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await open_real_library(pilot)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one(Input).value = f"songs.{fmt}"
        await pilot.press("enter")
        await settle_library(pilot)
    assert (tmp_path / f"songs.{fmt}").read_text(encoding="utf-8") == done.stdout
