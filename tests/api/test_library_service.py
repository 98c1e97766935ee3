"""LibraryService: the whole-library walk (parallel pages, overlapping rating batches, short
pages, next past meta.total, 404 empty, faults on one page), names by ids, search, bulk
set/clear in input order, and apply."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from stub import FakeSleep, StubTransport

from tui.api.client import RatingsClient
from tui.api.errors import BadInputError, MalformedResponseError
from tui.api.library import (
    LibraryService,
    RatedFilter,
    WantedRating,
    parse_parameter_names,
)
from tui.api.library_models import LibraryRow
from tui.api.simulated import DEMO_USER_TOKEN, Fault, SimulatedAppleMusic
from tui.api.types import RatingType

DEV = "dev-token-for-tests"


class Sim(SimulatedAppleMusic):
    """The simulation accepting the test's developer token."""

    def _check_developer_token(self, authorization: str | None) -> Any:
        return None if authorization == f"Bearer {DEV}" else super()._check_developer_token(
            authorization)


def service(sim: SimulatedAppleMusic, *, delay: float = 0.0, concurrency: int = 4,
            **kwargs: Any) -> tuple[LibraryService, StubTransport]:
    """A service over the simulation, through a stub that measures requests in flight."""
    stub = StubTransport(sim.handle_async_request, delay=delay)
    client = RatingsClient(DEV, DEMO_USER_TOKEN, transport=stub, concurrency=concurrency,
                           sleep=FakeSleep(), **kwargs)
    return LibraryService(client), stub


async def walk_all(svc: LibraryService, rating_type: str = "library-songs",
                   **kwargs: Any) -> tuple[list[LibraryRow], Any]:
    walk = svc.walk(rating_type, **kwargs)
    rows: list[LibraryRow] = []
    async for page in walk:
        rows.extend(page)
    return rows, walk


def listed(sim: SimulatedAppleMusic, kind: str = "songs") -> list[str]:
    return [i.id for i in sim.library.library[kind] if not i.hidden]


async def test_walk_every_row_in_order_with_ratings_and_names() -> None:
    sim = Sim(library_size=1200)
    svc, stub = service(sim, delay=0.005)
    rows, walk = await walk_all(svc)
    assert [r.id for r in rows] == listed(sim)
    assert len(rows) < 1200 == walk.total  # hidden items make short pages
    assert walk.failures == []
    assert walk.progress.items_done == len(rows) and walk.progress.pages_done == 12
    for row in rows:
        assert row.rating.value == sim.ratings.get(("library-songs", row.id))
    first = rows[0].to_json()
    assert first == {"id": "i.7PJNN4mfXlD68R", "type": "library-songs", "name": "Neon Harbor",
                     "artist": "Juno Marlow", "album": "Paper Lights", "catalog_id": "907242702",
                     "value": 1, "rating": "like"}
    paths = [r.url.path for r in stub.requests]
    assert paths.count("/v1/me/library/songs") == 12
    assert paths.count("/v1/me/ratings/library-songs") == 12  # one multi-get per page
    assert 2 < stub.max_in_flight <= 4  # never one at a time, never above the setting
    # Rating batches overlap page fetches: a rating request precedes the last page request.
    last_page = max(i for i, p in enumerate(paths) if p == "/v1/me/library/songs")
    assert paths.index("/v1/me/ratings/library-songs") < last_page


@pytest.mark.parametrize("kind", ["albums", "music-videos", "playlists"])
async def test_walk_other_types(kind: str) -> None:
    sim = Sim()
    svc, _ = service(sim)
    rows, _walk = await walk_all(svc, f"library-{kind}")
    assert [r.id for r in rows] == listed(sim, kind)
    assert all(r.item.name for r in rows)


async def test_empty_library_404_is_no_items() -> None:
    svc, stub = service(Sim(library_size=0))
    rows, walk = await walk_all(svc)
    assert rows == [] and walk.failures == [] and len(stub.requests) == 1


def scripted(pages: dict[int, dict[str, Any]], sim: SimulatedAppleMusic
             ) -> Callable[[httpx.Request], Any]:
    """Answer library listings from ``pages`` (by offset), everything else from ``sim``."""

    async def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/me/library/songs":
            offset = int(request.url.params.get("offset", "0"))
            return httpx.Response(200, json=pages[offset])
        return await sim.handle_async_request(request)
    return answer


def song(n: int) -> dict[str, Any]:
    return {"id": f"i.song{n}", "type": "library-songs", "attributes": {"name": f"Song {n}"}}


async def test_follows_next_past_meta_total_and_without_total() -> None:
    sim = Sim()
    # meta.total says 2 pages, but page 2 still has next (items added meanwhile); page 3 is
    # short. Without meta.total, next alone leads.
    pages = {0: {"data": [song(i) for i in range(100)], "next": "/x?offset=100",
                 "meta": {"total": 200}},
             100: {"data": [song(i) for i in range(100, 198)], "next": "/x?offset=200",
                   "meta": {"total": 200}},
             200: {"data": [song(200)], "meta": {"total": 201}}}
    stub = StubTransport(scripted(pages, sim))
    svc = LibraryService(RatingsClient(DEV, DEMO_USER_TOKEN, transport=stub))
    rows, walk = await walk_all(svc)
    assert [r.id for r in rows] == [f"i.song{i}" for i in [*range(198), 200]]
    assert walk.failures == []
    no_total = {0: {"data": [song(0)], "next": "/x?offset=100"},
                100: {"data": [song(1)], "next": "/x?offset=200"},
                200: {"data": [song(2)]}}
    svc = LibraryService(RatingsClient(DEV, DEMO_USER_TOKEN,
                                       transport=StubTransport(scripted(no_total, sim))))
    rows, walk = await walk_all(svc)
    assert [r.id for r in rows] == ["i.song0", "i.song1", "i.song2"] and walk.total is None


@pytest.mark.parametrize("status", [429, 500])
async def test_fault_on_page_37_of_100_retried_then_every_row(status: int) -> None:
    sim = Sim(library_size=10_000)
    sim.inject(Fault(status=status, times=2, path_contains="/library/songs",
                     query_contains="offset=3600"))
    svc, _ = service(sim)
    rows, walk = await walk_all(svc)
    assert walk.failures == [] and [r.id for r in rows] == listed(sim)


@pytest.mark.parametrize("status", [429, 500])
async def test_fault_on_page_37_forever_is_named(status: int) -> None:
    sim = Sim(library_size=10_000)
    sim.inject(Fault(status=status, times=100, path_contains="/library/songs",
                     query_contains="offset=3600"))
    svc, _ = service(sim)
    rows, walk = await walk_all(svc)
    assert len(walk.failures) == 1
    failure = walk.failures[0]
    assert failure.describe() == "items 3601-3700 of 10000 (page 37) were not read"
    assert failure.error.status == status
    expected = [i.id for n, i in enumerate(sim.library.library["songs"])
                if not i.hidden and not 3600 <= n < 3700]
    assert [r.id for r in rows] == expected


async def test_failed_rating_batch_marks_its_rows() -> None:
    sim = Sim()
    sim.inject(Fault(status=500, times=100, path_contains="/ratings/library-songs",
                     query_contains="i.7PJNN4mfXlD68R"))
    svc, _ = service(sim)
    rows, walk = await walk_all(svc)
    failed = [r for r in rows if r.rating.error is not None]
    first_page = [i.id for i in sim.library.library["songs"][:100] if not i.hidden]
    assert [r.id for r in failed] == first_page
    assert failed[0].to_json()["error"]["status"] == 500
    assert not RatedFilter.UNRATED.accepts(failed[0]) and RatedFilter.ALL.accepts(failed[0])
    assert walk.failures == []


async def test_first_page_failure_raises() -> None:
    sim = Sim()
    sim.inject(Fault(status=200, body="not json", times=1, path_contains="/library/songs"))
    svc, _ = service(sim)
    with pytest.raises(MalformedResponseError):
        await walk_all(svc)


async def test_limit_too_big_refused_and_page_limit_sent() -> None:
    sim = Sim()
    with pytest.raises(BadInputError):
        LibraryService(RatingsClient(DEV, DEMO_USER_TOKEN, transport=sim), page_limit=101)
    svc, stub = service(sim)
    await walk_all(svc, "library-playlists")
    assert stub.requests[0].url.params["limit"] == "100"


async def test_stopping_early_cancels_the_rest() -> None:
    sim = Sim(library_size=5000)
    svc, stub = service(sim, delay=0.01)
    rows = aiter(svc.walk("library-songs"))
    # Closed explicitly, as `async with aclosing(...)` callers do: a bare `break` leaves the
    # closing to the event loop's finaliser, a turn later, and a request may start meanwhile.
    async with contextlib.aclosing(rows):
        async for _rows in rows:
            break
    sent = len(stub.requests)
    await asyncio.sleep(0.1)
    assert len(stub.requests) == sent < 30


async def test_include_extend_and_language_sent_as_given() -> None:
    sim = Sim()
    svc, stub = service(sim, language="en-US")
    await walk_all(svc, "library-playlists", include=["catalog"], extend=["inFavorites"])
    params = stub.requests[0].url.params
    assert (params["include"], params["extend"], params["l"]) == ("catalog", "inFavorites",
                                                                  "en-US")


def test_parameter_names() -> None:
    assert parse_parameter_names("catalog, content,a_b.c-d", "--include") == \
        ["catalog", "content", "a_b.c-d"]
    for bad in ["", "a b", "x&y=1", "é"]:
        with pytest.raises(BadInputError):
            parse_parameter_names(bad, "--include")


async def test_names_library_and_catalog_in_the_storefront() -> None:
    sim = Sim()
    svc, stub = service(sim)
    found, failed = await svc.lookup_items("library-songs", ["i.7PJNN4mfXlD68R", "i.nope"])
    assert failed == [] and list(found) == ["i.7PJNN4mfXlD68R"]
    assert found["i.7PJNN4mfXlD68R"].name == "Neon Harbor"
    found, failed = await svc.lookup_items("songs", ["907242702", "1"])
    assert found["907242702"].artist == "Juno Marlow" and "1" not in found
    paths = [r.url.path for r in stub.requests]
    assert paths[-2:] == ["/v1/me/storefront", "/v1/catalog/us/songs"]
    assert "music-user-token" not in stub.requests[-1].headers
    await svc.lookup_items("albums", ["1138988512"])
    assert [r.url.path for r in stub.requests].count("/v1/me/storefront") == 1  # asked once


async def test_names_for_many_ids_batched_and_rows_in_input_order() -> None:
    sim = Sim()
    ids = listed(sim)[:250]
    svc, stub = service(sim)
    rows, failed = await svc.get_with_names("library-songs", [*reversed(ids), "i.unknown"])
    assert failed == []
    assert [r.id for r in rows] == [*reversed(ids), "i.unknown"]
    assert rows[-1].item.name is None and rows[0].item.name
    lookups = [r for r in stub.requests if r.url.path == "/v1/me/library/songs"]
    assert len(lookups) == 3


async def test_storefront_garbage_is_malformed() -> None:
    async def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": [{"id": "\x1b[31mus"}]})
    svc = LibraryService(RatingsClient(DEV, DEMO_USER_TOKEN, transport=StubTransport(answer)))
    with pytest.raises(MalformedResponseError):
        await svc.storefront()


async def test_search_catalog_and_library_with_ratings() -> None:
    sim = Sim()
    svc, stub = service(sim)
    rows = await svc.search("neon harbor")
    assert rows[0].id == "907242702" and rows[0].rating.value == 1
    assert stub.requests[-2].url.params["types"] in ("songs,albums,music-videos",)
    rows = await svc.search("neon", library=True, types=["library-songs"], limit=25)
    assert 0 < len(rows) <= 25 and all(r.item.type == "library-songs" for r in rows)
    with pytest.raises(BadInputError):
        await svc.search("neon", limit=26)
    with pytest.raises(BadInputError):
        await svc.search("neon", types=["library-songs"])
    assert await svc.search("zzzzqqq") == []


async def test_set_and_clear_many_in_input_order_bounded() -> None:
    sim = Sim()
    ids = listed(sim)[:40]
    svc, stub = service(sim, delay=0.01, concurrency=3)
    results = [r async for r in svc.set_many("library-songs", [*ids, ids[0]], -1)]
    assert [r.id for r in results] == [*ids, ids[0]]
    assert all(r.value == -1 and r.error is None for r in results)
    assert len(stub.requests) == 40 and stub.max_in_flight == 3
    assert all(sim.rating_of("library-songs", i) == -1 for i in ids)
    cleared = [r async for r in svc.clear_many("library-songs", ids)]
    assert [r.cleared for r in cleared] == [True] * 40
    again = [r async for r in svc.clear_many("library-songs", ids[:2])]
    assert [r.cleared for r in again] == [False, False]
    with pytest.raises(BadInputError):
        svc.set_many("library-songs", ["907242702"], 1)


async def test_failed_put_is_a_result_not_an_exception() -> None:
    sim = Sim()
    sim.inject(Fault(status=500, times=10, method="PUT", path_contains="i.xrXvO5vFv0VrNA"))
    svc, _ = service(sim)
    results = [r async for r in svc.set_many(
        "library-songs", ["i.7PJNN4mfXlD68R", "i.xrXvO5vFv0VrNA"], 1)]
    assert results[0].error is None and results[1].error is not None
    assert results[1].error.status == 500


async def test_apply_twice_sends_nothing_the_second_time() -> None:
    sim = Sim()
    svc, stub = service(sim)
    songs = listed(sim)[:6]
    wanted = [WantedRating(RatingType.LIBRARY_SONGS, songs[0], 1),
              WantedRating(RatingType.LIBRARY_SONGS, songs[1], -1),
              WantedRating(RatingType.LIBRARY_SONGS, songs[2], None),
              WantedRating(RatingType.SONGS, "907242702", 1)]
    before = {w.id: sim.rating_of(w.type.value, w.id) for w in wanted}
    plan = await svc.plan_apply(wanted)
    for step in plan.steps:
        expected = "keep" if before[step.wanted.id] == step.wanted.value else None
        if expected:
            assert step.action == "keep"
    outcomes = [o async for o in svc.apply(plan)]
    assert all(o.ok for o in outcomes)
    for want in wanted:
        assert sim.rating_of(want.type.value, want.id) == want.value
    sent = len(stub.requests)
    second = await svc.plan_apply(wanted)
    assert second.requests == 0 and {s.action for s in second.steps} == {"keep"}
    assert [o async for o in svc.apply(second)] and len(stub.requests) == sent + 2  # reads only
    methods = [r.method for r in stub.requests[sent:]]
    assert methods == ["GET", "GET"]


def test_rated_filter() -> None:
    from tui.api.library_models import LibraryItem
    from tui.api.models import RatingResult

    def row(value: int | None) -> LibraryRow:
        return LibraryRow(LibraryItem(id="i.x", type="library-songs"),
                          RatingResult("i.x", "library-songs", value))
    assert [f.value for f in RatedFilter if f.accepts(row(1))] == ["all", "liked", "rated"]
    assert [f.value for f in RatedFilter if f.accepts(row(-1))] == ["all", "disliked", "rated"]
    assert [f.value for f in RatedFilter if f.accepts(row(None))] == ["all", "unrated"]
    assert json.dumps(row(None).to_json())
