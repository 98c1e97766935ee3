"""Helpers shared by the browser tests: drive a lookup, wait for it, read the screen."""

from __future__ import annotations

import html
import io
import re
from typing import Any

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from tui.api.simulated import DEMO_USER_TOKEN, make_demo_developer_token
from tui.screens.browser import BrowserScreen
from tui.tokens.store import StoredToken, TokenPair, TokenSource
from tui.widgets.results import ResultsTable

#: 2026-01-01T00:00:00Z: the demo developer token is issued then, the simulation lives a
#: minute later, so the token is valid for 90 days in every run.
FIXED_NOW = 1_767_225_600.0
#: Every simulated request "takes" this long, so times in the inspector never drift.
FIXED_ELAPSED = 0.012


def demo_token_pair(developer: str | None = None, user: str | None = DEMO_USER_TOKEN,
                    source: TokenSource = TokenSource.DEMO) -> TokenPair:
    """The demo tokens (or the given ones) as the app receives them."""
    dev = developer if developer is not None else make_demo_developer_token(now=FIXED_NOW)
    return TokenPair(StoredToken("developer", dev, source),
                     StoredToken("user", user, source))


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
        from tui.api.types import RatingType
        from tui.widgets.id_pane import IdPane

        screen.query_one(IdPane).set_rating_type(RatingType(rating_type))
        await pilot.pause()
    ids_input = screen.query_one("#ids", Input)
    ids_input.focus()
    ids_input.value = ids
    await pilot.press("enter")
    await settle(pilot)


def screen_console(app: App[Any]) -> Console:
    """A recording console that has printed everything visible on the terminal."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(),
                      force_terminal=True, color_system="truecolor", record=True)
    console.print(app.screen._compositor.render_update(full=True))
    return console


def screen_text(app: App[Any]) -> str:
    """Everything visible on the terminal, as plain text."""
    return screen_console(app).export_text()


def row_texts(app: App[Any]) -> list[tuple[str, str, str]]:
    """(id, rating word, note) of each table row."""
    return [(row.item_id, row.word, row.note) for row in table(app).rows_state]


#: Rich's SVG export: cell width, line height and baseline of its 20px font.
_SVG_CELL, _SVG_LINE, _SVG_BASELINE = 12.2, 24.4, 20.0
_SVG_RUN = re.compile(r'<text class="[^"]*" x="([0-9.]+)" y="([0-9.]+)" textLength="[0-9.]+"'
                      r"[^>]*>([^<]*)</text>")


def svg_lines(svg: str) -> list[str]:
    """The terminal text as an SVG viewer built on librsvg draws it: each ``<text>`` run at its
    x, with the non-breaking spaces at either end of the run dropped (librsvg does that, so a
    run whose x does not account for its leading spaces loses its indentation)."""
    rows: dict[int, dict[int, str]] = {}
    for x, y, raw in _SVG_RUN.findall(svg):
        text = html.unescape(raw).replace("\n", "").strip("\xa0")
        row = round((float(y) - _SVG_BASELINE) / _SVG_LINE)
        col = round(float(x) / _SVG_CELL)
        for offset, char in enumerate(text.replace("\xa0", " ")):
            rows.setdefault(row, {})[col + offset] = char
    lines = []
    for row in range(max(rows, default=-1) + 1):
        cells = rows.get(row, {})
        lines.append("".join(cells.get(c, " ") for c in range(max(cells, default=-1) + 1)))
    return lines
