"""Helpers shared by the browser tests: drive a lookup, wait for it, read the screen."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from tui.screens.browser import BrowserScreen
from tui.widgets.results import ResultsTable


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and their messages repaint the screen."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def browser(app: App[Any]) -> BrowserScreen:
    """The browser screen (wherever it is in the stack)."""
    return next(s for s in app.screen_stack if isinstance(s, BrowserScreen))


def table(app: App[Any]) -> ResultsTable:
    """The results table."""
    return browser(app).query_one(ResultsTable)


async def look_up(pilot: Pilot[Any], ids: str, rating_type: str | None = None) -> None:
    """Type ``ids`` (and pick ``rating_type``), press Enter, and wait for the answers."""
    await pilot.pause()  # snap_compare runs this before the first screen is composed
    screen = browser(pilot.app)
    if rating_type is not None:
        from textual.widgets import Select

        from tui.api.types import RatingType

        screen.query_one("#rating-type", Select).value = RatingType(rating_type)
        await pilot.pause()
    ids_input = screen.query_one("#ids", Input)
    ids_input.focus()
    ids_input.value = ids
    await pilot.press("enter")
    await settle(pilot)


def screen_text(app: App[Any]) -> str:
    """Everything visible on the terminal, as plain text."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(),
                      force_terminal=True, color_system="truecolor", record=True)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def row_texts(app: App[Any]) -> list[tuple[str, str, str]]:
    """(id, rating word, note) of each table row."""
    return [(row.item_id, row.word, row.note) for row in table(app).rows_state]
