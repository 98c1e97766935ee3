"""Pictures of the library screen on invented rows whose ratings live in the simulated API:
fixed size, demo tokens, pinned clock.

Each picture was looked at before it was accepted. Update with ``--snapshot-update`` only after
looking at the new ones (``snapshot_report.html``).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from library_kit import fake_rows, library_screen, open_library, seed_ratings, settle_library
from textual.pilot import Pilot

from tui.library_view import ViewRow
from tui.widgets.library import CountLine
from tui.widgets.rating_badge import LIKED

SIZE = (100, 28)


@pytest.fixture
def rows(sim: Any) -> list[ViewRow]:
    made = fake_rows(250)
    seed_ratings(sim, made)
    return made


def test_library_loading_with_progress(snap_compare: Any, make_app: Any, rows: Any) -> None:
    gate = asyncio.Event()

    async def run(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        screen = library_screen(pilot.app, rows, gate=gate)
        await pilot.app.push_screen(screen)
        count_line = screen.query_one(CountLine)
        for _ in range(100):  # until the first page and its ratings are counted
            await pilot.pause(0.01)
            if count_line.counts.get(LIKED):
                break
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run)
    gate.set()


def test_library_loaded_with_names_and_badges(snap_compare: Any, make_app: Any,
                                              rows: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await open_library(pilot, rows)
        await pilot.press("down", "down")

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run)


def test_library_filtered_to_liked(snap_compare: Any, make_app: Any, rows: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await open_library(pilot, rows)
        await pilot.press("2")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run)


def test_library_text_filter(snap_compare: Any, make_app: Any, rows: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await open_library(pilot, rows)
        await pilot.press("slash", *"echo")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run)


def test_library_marked_rows_with_confirmation(snap_compare: Any, make_app: Any,
                                               rows: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await open_library(pilot, rows)
        await pilot.press("4", "space", "space", "down", "space", "l")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run)


def test_library_search_results(snap_compare: Any, make_app: Any, rows: Any, sim: Any) -> None:
    found = [ViewRow("907242702", "songs", name="Glass Harbor", artist="Mira Sol",
                     album="Harbor Lights", catalog_id="907242702"),
             ViewRow("1440857781", "songs", name="Glass Echo", artist="North Arcade",
                     album="Echo Park", catalog_id="1440857781"),
             ViewRow("1151618586", "songs", name="Glass Rivers", artist="Ada Lovegood",
                     album="Rivers", catalog_id="1151618586")]

    async def run(pilot: Pilot[Any]) -> None:
        await open_library(pilot, rows, search_rows=found)
        await pilot.press("F", *"glass", "enter")
        await settle_library(pilot)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run)


def test_library_export_notification(snap_compare: Any, make_app: Any, rows: Any,
                                     tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    async def run(pilot: Pilot[Any]) -> None:
        await open_library(pilot, rows)
        await pilot.press("2", "e")
        await pilot.pause()
        await pilot.press("enter")
        await settle_library(pilot)

    app = make_app(clock=lambda: 1_767_225_600.0)
    assert snap_compare(app, terminal_size=SIZE, run_before=run)


def test_library_small_terminal_50x14(snap_compare: Any, make_app: Any, rows: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await open_library(pilot, rows)
        await pilot.press("down")

    assert snap_compare(make_app(), terminal_size=(50, 14), run_before=run)


def test_library_80x24(snap_compare: Any, make_app: Any, rows: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await open_library(pilot, rows)
        await pilot.press("down", "space", "down")

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run)
