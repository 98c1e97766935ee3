"""Helpers for the library screen tests: a listing of invented items whose ratings live in the
simulated API (so likes and clears go through the real client), and ways to open the screen."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Sequence
from typing import Any

from textual.pilot import Pilot

from tui.library_view import ViewRow
from tui.screens.library import LibraryScreen, RowSink

ARTISTS = ("Ada Lovegood", "The Quiet Ones", "Mira Sol", "North Arcade", "Lumen & Co")
WORDS = ("Morning", "Glass", "River", "Static", "Velvet", "Paper", "Neon", "Harbor", "Echo",
         "Copper", "Silver", "Lantern")


def fake_id(n: int) -> str:
    """A library song id: ``i.`` and 14 letters and digits."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    pick = random.Random(n)
    return "i." + "".join(pick.choice(alphabet) for _ in range(14))


def fake_rows(count: int, kind: str = "library-songs") -> list[ViewRow]:
    """``count`` invented items (deterministic)."""
    rows = []
    for n in range(count):
        name = f"{WORDS[n % len(WORDS)]} {WORDS[(n * 5 + 3) % len(WORDS)]}"
        artist = ARTISTS[n % len(ARTISTS)]
        rows.append(ViewRow(fake_id(n), kind, name=name, artist=artist,
                               album=f"{WORDS[(n * 3) % len(WORDS)]} Sessions",
                               date_added=f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}",
                               position=n))
    return rows


def seed_ratings(sim: Any, rows: list[ViewRow]) -> None:
    """Every third item liked, every seventh disliked (in the simulation's store)."""
    for n, row in enumerate(rows):
        if n % 3 == 0:
            sim.ratings[(row.rating_type, row.item_id)] = 1
        elif n % 7 == 0:
            sim.ratings[(row.rating_type, row.item_id)] = -1


class FakeSource:
    """A walk over :func:`fake_rows` in pages of ``page`` rows, with each page's ratings read
    through the real client (from the simulation); ``gate`` holds the walk after the first
    page until set."""

    def __init__(self, client: Any, rows: list[ViewRow], page: int = 100,
                 gate: asyncio.Event | None = None,
                 search_rows: list[ViewRow] | None = None) -> None:
        self.client = client
        self.all_rows = rows
        self.page = page
        self.gate = gate
        self.search_rows = search_rows or []
        self.searches: list[tuple[str, bool]] = []

    async def walk(self, kind: str, sink: RowSink) -> None:
        rows = [r for r in self.all_rows if r.rating_type == kind]
        sink.total(len(rows))
        for start in range(0, len(rows), self.page):
            page = [ViewRow(r.item_id, r.rating_type, name=r.name, artist=r.artist,
                               album=r.album, date_added=r.date_added, position=r.position)
                    for r in rows[start:start + self.page]]
            sink.rows(page)
            results = await self.client.get_ratings(kind, [r.item_id for r in page])
            sink.ratings(results)
            if self.gate is not None and start == 0:
                await self.gate.wait()

    async def rate(self, rating_type: str, ids: Sequence[str],
                   value: int | None) -> AsyncIterator[Any]:
        """One PUT or DELETE per id through the real client, in order; a failure becomes the
        id's result, as the service's bulk set does."""
        from tui.api.errors import AmRatingsError
        from tui.api.models import RatingResult

        for item_id in ids:
            try:
                if value is None:
                    yield await self.client.clear_rating(rating_type, item_id)
                else:
                    yield await self.client.set_rating(rating_type, item_id, value)
            except AmRatingsError as exc:
                yield RatingResult(item_id, rating_type, None, error=exc)

    async def search(self, term: str, catalog: bool, sink: RowSink) -> None:
        self.searches.append((term, catalog))
        found = [r for r in self.search_rows if term.casefold() in r.haystack]
        sink.total(len(found))
        sink.rows(found)
        by_type: dict[str, list[str]] = {}
        for row in found:
            by_type.setdefault(row.rating_type, []).append(row.item_id)
        for rating_type, ids in by_type.items():
            sink.ratings(await self.client.get_ratings(rating_type, ids))


def library_screen(app: Any, rows: list[ViewRow], **kwargs: Any) -> LibraryScreen:
    """A library screen whose source walks ``rows``."""
    return LibraryScreen(app.session, source_factory=lambda client: FakeSource(client, rows,
                                                                               **kwargs))


async def open_library(pilot: Pilot[Any], rows: list[ViewRow], **kwargs: Any) -> LibraryScreen:
    """Push a library screen over the browser and wait for its walk."""
    await pilot.pause()
    screen = library_screen(pilot.app, rows, **kwargs)
    await pilot.app.push_screen(screen)
    await settle_library(pilot)
    return screen


async def settle_library(pilot: Pilot[Any]) -> None:
    """Let the walk and actions finish and the screen repaint."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()
