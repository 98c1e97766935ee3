"""The simulation's library and catalog answer as the API notes say Apple does: paged listings
with short pages and ``meta.total``, 400 above the limits, 404 for an empty listing, lookups by
ids, both searches, the storefront, names and ratings kept in sync with catalog twins."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tui.api.simulated import (
    DEMO_USER_TOKEN,
    SEED_RATINGS,
    UNRATED,
    SimulatedAppleMusic,
    make_demo_developer_token,
)
from tui.api.simulated_library import MAX_LIBRARY_SIZE, SimulatedLibrary

DEV = make_demo_developer_token()


async def get(sim: SimulatedAppleMusic, path: str, *, user: bool = True) -> httpx.Response:
    headers = {"Authorization": f"Bearer {DEV}"}
    if user:
        headers["Music-User-Token"] = DEMO_USER_TOKEN
    async with httpx.AsyncClient(transport=sim, base_url="https://api.music.apple.com") as http:
        return await http.get(path, headers=headers)


def body(response: httpx.Response) -> Any:
    return response.json()


def test_default_size_and_mix() -> None:
    sim = SimulatedAppleMusic()
    counts = {kind: len(items) for kind, items in sim.library.library.items()}
    assert counts == {"songs": 1200, "albums": 150, "music-videos": 60, "playlists": 25}
    values = [sim.ratings.get(("library-songs", item.id))
              for item in sim.library.library["songs"]]
    assert values.count(1) > 100 and values.count(-1) > 30 and values.count(None) > 600
    with_twin = [i for i in sim.library.library["songs"] if i.catalog_id]
    assert 0.75 < len(with_twin) / 1200 < 0.95
    assert all(i.name and i.artist and i.album for i in sim.library.library["songs"])


def test_deterministic_and_seeded_ids_keep_their_ratings() -> None:
    one, two = SimulatedAppleMusic(), SimulatedAppleMusic()
    assert ([i.id for i in one.library.library["songs"]]
            == [i.id for i in two.library.library["songs"]])
    assert [i.name for i in one.library.library["albums"]] == \
        [i.name for i in two.library.library["albums"]]
    for key, value in SEED_RATINGS.items():
        assert one.ratings[key] == value
    for rating_type, ids in UNRATED.items():
        for item_id in ids:
            assert (rating_type, item_id) not in one.ratings
            assert one.library.item(rating_type, item_id) is not None


def test_size_bounds() -> None:
    big = SimulatedAppleMusic(library_size=MAX_LIBRARY_SIZE)
    assert len(big.library.library["songs"]) == MAX_LIBRARY_SIZE
    with pytest.raises(ValueError):
        SimulatedLibrary(MAX_LIBRARY_SIZE + 1, ratings={}, links={}, seeded=[])


async def test_paging_total_next_and_short_pages() -> None:
    sim = SimulatedAppleMusic()
    sizes, offset, seen = [], 0, []
    while True:
        page = await get(sim, f"/v1/me/library/songs?limit=100&offset={offset}")
        assert page.status_code == 200
        data = body(page)
        assert data["meta"]["total"] == 1200
        sizes.append(len(data["data"]))
        seen += [item["id"] for item in data["data"]]
        if "next" not in data:
            break
        assert data["next"] == f"/v1/me/library/songs?offset={offset + 100}"
        offset += 100
    assert len(sizes) == 12
    assert any(size < 100 for size in sizes[:-1])  # short pages with next present
    assert len(seen) == len(set(seen)) == sum(sizes) < 1200
    first = body(await get(sim, "/v1/me/library/songs?limit=1"))["data"][0]
    assert first["type"] == "library-songs"
    assert first["attributes"]["name"] and first["attributes"]["playParams"]["isLibrary"]


async def test_default_limit_is_25() -> None:
    data = body(await get(SimulatedAppleMusic(), "/v1/me/library/albums"))
    assert len(data["data"]) == 25 and data["next"].endswith("offset=25")


@pytest.mark.parametrize("path,parameter", [
    ("/v1/me/library/songs?limit=101", "limit"),
    ("/v1/me/library/songs?limit=0", "limit"),
    ("/v1/me/library/songs?offset=-1", "offset"),
    ("/v1/me/library/search?term=a&types=library-songs&limit=26", "limit"),
    ("/v1/catalog/us/search?term=a&types=songs&limit=26", "limit"),
    ("/v1/catalog/us/search?term=a", "types"),
    ("/v1/catalog/us/search?types=songs", "term"),
])
async def test_limits_are_400(path: str, parameter: str) -> None:
    answer = await get(SimulatedAppleMusic(), path)
    assert answer.status_code == 400
    assert body(answer)["errors"][0]["source"]["parameter"] == parameter


async def test_empty_library_is_404() -> None:
    answer = await get(SimulatedAppleMusic(library_size=0), "/v1/me/library/songs?limit=100")
    assert answer.status_code == 404
    assert body(answer)["errors"][0]["code"] == "40400"


async def test_lookup_by_ids_leaves_unknown_out() -> None:
    sim = SimulatedAppleMusic()
    got = await get(sim, "/v1/me/library/songs?ids=i.7PJNN4mfXlD68R,i.unknown,i.xrXvO5vFv0VrNA")
    assert [d["id"] for d in body(got)["data"]] == ["i.7PJNN4mfXlD68R", "i.xrXvO5vFv0VrNA"]
    assert body(got)["data"][0]["attributes"]["playParams"]["catalogId"] == "907242702"
    none = await get(sim, "/v1/me/library/songs?ids=i.unknown")
    assert none.status_code == 404


async def test_catalog_lookup_needs_only_the_developer_token_and_the_storefront() -> None:
    sim = SimulatedAppleMusic()
    got = await get(sim, "/v1/catalog/us/songs?ids=907242702,1", user=False)
    assert got.status_code == 200
    assert [(d["id"], d["type"], d["attributes"]["name"]) for d in body(got)["data"]] == \
        [("907242702", "songs", "Neon Harbor")]
    assert (await get(sim, "/v1/catalog/zz/songs?ids=907242702")).status_code == 404
    stations = await get(sim, "/v1/catalog/us/stations?ids=ra.840950253")
    assert body(stations)["data"][0]["attributes"]["name"] == "Electric Dreams Radio"
    front = body(await get(sim, "/v1/me/storefront"))
    assert front["data"][0]["id"] == "us"


async def test_searches() -> None:
    sim = SimulatedAppleMusic()
    catalog = body(await get(sim, "/v1/catalog/us/search?term=neon&types=songs,albums&limit=3"))
    assert set(catalog["results"]) <= {"songs", "albums"}
    songs = catalog["results"]["songs"]
    assert len(songs["data"]) == 3 and "next" in songs
    assert all("neon" in " ".join(str(v) for v in d["attributes"].values()).lower()
               for d in songs["data"])
    library = body(await get(sim, "/v1/me/library/search?term=neon+harbor"
                                  "&types=library-songs,library-playlists"))
    assert list(library["results"]) == ["library-songs"]  # no playlist matches: absent
    assert library["results"]["library-songs"]["data"][0]["id"] == "i.7PJNN4mfXlD68R"
    nothing = body(await get(sim, "/v1/catalog/us/search?term=zzzzqqq&types=songs"))
    assert nothing["results"] == {}


async def test_generated_twins_stay_in_sync() -> None:
    sim = SimulatedAppleMusic()
    item = next(i for i in sim.library.library["songs"]
                if i.catalog_id and ("library-songs", i.id) not in sim.ratings)
    headers = {"Authorization": f"Bearer {DEV}", "Music-User-Token": DEMO_USER_TOKEN,
               "Content-Type": "application/json"}
    async with httpx.AsyncClient(transport=sim, base_url="https://api.music.apple.com") as http:
        put = await http.put(f"/v1/me/ratings/library-songs/{item.id}", headers=headers,
                             content=b'{"type":"ratings","attributes":{"value":-1}}')
        assert put.status_code == 200
        assert sim.rating_of("songs", item.catalog_id) == -1
        gone = await http.delete(f"/v1/me/ratings/songs/{item.catalog_id}", headers=headers)
        assert gone.status_code == 204
    assert sim.rating_of("library-songs", item.id) is None
