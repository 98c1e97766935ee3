"""``LibraryService.walk(on_page=...)``: each page's items as the page arrives, before its
ratings are asked for (the library screen shows names at once)."""

from __future__ import annotations

from typing import Any

from stub import FakeSleep, StubTransport

from tui.api.client import RatingsClient
from tui.api.library import LibraryService
from tui.api.simulated import DEMO_USER_TOKEN, SimulatedAppleMusic

DEV = "dev-token-for-walk-pages"


class Sim(SimulatedAppleMusic):
    """The simulation accepting the test's developer token."""

    def _check_developer_token(self, authorization: str | None) -> Any:
        return None if authorization == f"Bearer {DEV}" else super()._check_developer_token(
            authorization)


async def test_each_page_is_told_before_its_ratings_are_asked() -> None:
    sim = Sim(library_size=500)
    stub = StubTransport(sim.handle_async_request, delay=0.002)
    client = RatingsClient(DEV, DEMO_USER_TOKEN, transport=stub, sleep=FakeSleep())
    told: list[tuple[int, list[str], int]] = []

    def page(offset: int, items: list[Any]) -> None:
        ratings_asked = sum(1 for r in stub.requests if "/ratings/" in r.url.path)
        told.append((offset, [i.id for i in items], ratings_asked))

    walk = LibraryService(client).walk("library-songs", on_page=page)
    rows = [row async for rows in walk for row in rows]
    assert sorted(offset for offset, _, _ in told) == [0, 100, 200, 300, 400]
    # Every item listed was told, with its name, and the first page before any ratings.
    assert [i for _, ids, _ in sorted(told) for i in ids] == [r.id for r in rows]
    assert told[0][0] == 0 and told[0][2] == 0
    await client.aclose()
