"""The embedded simulated API behaves as the shared API notes say Apple does."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from tui.api.client import RatingsClient
from tui.api.errors import DeveloperTokenError, UserTokenError
from tui.api.simulated import (
    DEMO_USER_TOKEN,
    LINKED_PAIRS,
    MAX_TOKEN_LIFETIME,
    SEED_RATINGS,
    UNRATED,
    Fault,
    SimulatedAppleMusic,
    make_demo_developer_token,
)
from tui.api.types import RATING_TYPE_NAMES

DEV = make_demo_developer_token()
BASE = "https://api.music.apple.com"


async def call(sim: SimulatedAppleMusic, method: str, path: str, *, dev: str | None = DEV,
               user: str | None = DEMO_USER_TOKEN, body: Any = None,
               content_type: str = "application/json") -> httpx.Response:
    headers = {}
    if dev is not None:
        headers["Authorization"] = f"Bearer {dev}"
    if user is not None:
        headers["Music-User-Token"] = user
    content = None
    if body is not None:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = content_type
    async with httpx.AsyncClient(transport=sim, base_url=BASE) as http:
        return await http.request(method, path, headers=headers, content=content)


def errors_of(response: httpx.Response) -> dict[str, Any]:
    first: dict[str, Any] = response.json()["errors"][0]
    assert {"id", "title", "status", "code"} <= set(first)
    assert first["status"] == str(response.status_code)
    return first


async def test_single_get_rated_and_unrated() -> None:
    sim = SimulatedAppleMusic()
    ok = await call(sim, "GET", "/v1/me/ratings/songs/907242702")
    assert ok.status_code == 200
    assert ok.json() == {"data": [{"id": "907242702", "type": "ratings",
                                   "href": "/v1/me/ratings/songs/907242702",
                                   "attributes": {"value": 1}}]}
    missing = await call(sim, "GET", "/v1/me/ratings/songs/1151618586")
    assert missing.status_code == 404
    assert errors_of(missing)["code"] == "40400"


async def test_documented_multi_get_omits_unrated() -> None:
    sim = SimulatedAppleMusic()
    got = await call(sim, "GET", "/v1/me/ratings/library-albums?ids=l.qrRWYhq,l.hRrflgc")
    assert got.status_code == 200
    assert [(d["id"], d["attributes"]["value"]) for d in got.json()["data"]] == [("l.qrRWYhq", 1)]


@pytest.mark.parametrize("status", [200, 404])
async def test_multi_get_none_rated(status: int) -> None:
    sim = SimulatedAppleMusic(none_rated_status=status)
    got = await call(sim, "GET", "/v1/me/ratings/library-albums?ids=l.hRrflgc")
    assert got.status_code == status
    if status == 200:
        assert got.json() == {"data": []}


async def test_put_then_get_then_delete_persists_per_instance() -> None:
    sim, other = SimulatedAppleMusic(), SimulatedAppleMusic()
    path = "/v1/me/ratings/songs/1151618586"
    put = await call(sim, "PUT", path, body={"type": "ratings", "attributes": {"value": -1}})
    assert put.status_code == 200 and put.json()["data"][0]["attributes"]["value"] == -1
    assert (await call(sim, "GET", path)).json()["data"][0]["attributes"]["value"] == -1
    assert (await call(other, "GET", path)).status_code == 404  # state is per instance
    deleted = await call(sim, "DELETE", path)
    assert deleted.status_code == 204 and deleted.content == b""
    again = await call(sim, "DELETE", path)
    assert again.status_code == 404 and errors_of(again)["code"] == "40400"
    assert sim.rating_of("songs", "1151618586") is None


def test_linked_items_are_seeded_alike_and_exist_on_both_sides() -> None:
    for library, catalog in LINKED_PAIRS:
        assert library[0].startswith("library-") and not catalog[0].startswith("library-")
        assert catalog[0] == library[0].removeprefix("library-")
        assert SEED_RATINGS.get(library) == SEED_RATINGS.get(catalog), (library, catalog)
        for kind, item in (library, catalog):
            assert (kind, item) in SEED_RATINGS or item in UNRATED[kind]


async def test_catalog_and_library_ratings_of_one_item_stay_in_sync() -> None:
    sim = SimulatedAppleMusic()
    library = "/v1/me/ratings/library-songs/i.gY6p0Rm2LkQa8Z"
    catalog = "/v1/me/ratings/songs/1151618586"
    assert (await call(sim, "GET", library)).status_code == 404
    put = await call(sim, "PUT", catalog, body={"type": "ratings", "attributes": {"value": 1}})
    assert put.status_code == 200
    got = await call(sim, "GET", library)
    assert got.status_code == 200 and got.json()["data"][0]["attributes"]["value"] == 1
    assert got.json()["data"][0]["id"] == "i.gY6p0Rm2LkQa8Z"
    await call(sim, "PUT", library, body={"type": "ratings", "attributes": {"value": -1}})
    assert sim.rating_of("songs", "1151618586") == -1
    assert (await call(sim, "DELETE", library)).status_code == 204
    assert (await call(sim, "GET", catalog)).status_code == 404
    assert sim.rating_of("songs", "1151618586") is None
    # Stations have no library side: clearing one changes nothing else.
    before = dict(sim.ratings)
    assert (await call(sim, "DELETE", "/v1/me/ratings/stations/ra.840950253")).status_code == 204
    assert before.keys() - sim.ratings.keys() == {("stations", "ra.840950253")}


async def test_put_accepts_rating_singular_and_refuses_bad_bodies() -> None:
    sim = SimulatedAppleMusic()
    path = "/v1/me/ratings/songs/1151618586"
    assert (await call(sim, "PUT", path, body={"type": "rating",
                                               "attributes": {"value": 1}})).status_code == 200
    for bad in ({"type": "ratings", "attributes": {"value": 0}},
                {"type": "ratings", "attributes": {"value": True}},
                {"type": "songs", "attributes": {"value": 1}}, b"{nope"):
        assert (await call(sim, "PUT", path, body=bad)).status_code == 400
    text = await call(sim, "PUT", path, body={"type": "ratings", "attributes": {"value": 1}},
                      content_type="text/plain")
    assert text.status_code == 415


@pytest.mark.parametrize("dev", [
    None, "", "not-a-jwt", "a.b.c",
    make_demo_developer_token(now=time.time() - 200 * 86400, days=100),  # expired
    make_demo_developer_token(days=MAX_TOKEN_LIFETIME / 86400 + 1),  # exp too far ahead
    make_demo_developer_token(alg="HS256"),
    make_demo_developer_token(key_id="SHORT"),
    make_demo_developer_token(team_id="TOOLONGTEAMID"),
], ids=["missing", "empty", "garbage", "abc", "expired", "too-long", "hs256", "kid", "iss"])
async def test_401_for_bad_developer_token(dev: str | None) -> None:
    sim = SimulatedAppleMusic()
    for path in ("/v1/me/ratings/songs/907242702", "/v1/test", "/v1/me/storefront"):
        got = await call(sim, "GET", path, dev=dev)
        assert got.status_code == 401 and got.content == b""


@pytest.mark.parametrize("user", [None, "", "someone-elses-token"])
async def test_403_for_missing_or_wrong_user_token(user: str | None) -> None:
    sim = SimulatedAppleMusic()
    for path in ("/v1/me/ratings/songs/907242702", "/v1/me/storefront"):
        got = await call(sim, "GET", path, user=user)
        assert got.status_code == 403
        first = errors_of(got)
        assert (first["code"], first["title"], first["detail"]) == (
            "40300", "Forbidden", "Invalid authentication")


async def test_token_checks() -> None:
    sim = SimulatedAppleMusic()
    assert (await call(sim, "GET", "/v1/test", user=None)).status_code == 200
    storefront = await call(sim, "GET", "/v1/me/storefront")
    assert storefront.json()["data"][0]["attributes"]["name"] == "United States"


@pytest.mark.parametrize("rtype", ["song", "artists", "library-stations", "nope"])
async def test_unknown_type_400_40008(rtype: str) -> None:
    got = await call(SimulatedAppleMusic(), "GET", f"/v1/me/ratings/{rtype}/1")
    assert got.status_code == 400 and errors_of(got)["code"] == "40008"


async def test_library_id_to_catalog_type_refused() -> None:
    got = await call(SimulatedAppleMusic(), "GET", "/v1/me/ratings/songs/i.NJv00rkTEaLK51")
    assert got.status_code == 400
    assert errors_of(got)["detail"] == "Ratings not allowed for resource type"


async def test_too_many_ids_is_a_400_about_ids() -> None:
    ids = ",".join(str(1000 + n) for n in range(5))
    got = await call(SimulatedAppleMusic(max_ids=4), "GET", f"/v1/me/ratings/songs?ids={ids}")
    assert got.status_code == 400 and errors_of(got)["source"] == {"parameter": "ids"}


async def test_bad_language_tag() -> None:
    got = await call(SimulatedAppleMusic(), "GET", "/v1/me/ratings/songs/907242702?l=!!")
    assert got.status_code == 400 and errors_of(got)["source"] == {"parameter": "l"}


async def test_path_prefix_accepted() -> None:
    got = await call(SimulatedAppleMusic(), "GET", "/proxy/v1/me/ratings/songs/907242702")
    assert got.status_code == 200


def test_seed_covers_every_type_liked_disliked_unrated() -> None:
    for rtype in RATING_TYPE_NAMES:
        values = {v for (t, _), v in SEED_RATINGS.items() if t == rtype}
        assert values == {1, -1}, rtype
        assert UNRATED[rtype], rtype
        assert SimulatedAppleMusic.sample_ids(rtype)


async def test_faults_and_request_log() -> None:
    sim = SimulatedAppleMusic()
    sim.inject(Fault(status=503, body="<html>down</html>", times=1),
               Fault(kind="reset", times=1, path_contains="/songs/"))
    first = await call(sim, "GET", "/v1/me/ratings/albums/1138988512")
    assert first.status_code == 503 and first.text == "<html>down</html>"
    with pytest.raises(httpx.ReadError):
        await call(sim, "GET", "/v1/me/ratings/songs/907242702")
    assert (await call(sim, "GET", "/v1/me/ratings/songs/907242702")).status_code == 200
    assert sim.requests[0] == ("GET", "/v1/me/ratings/albums/1138988512")


async def test_client_and_simulation_together() -> None:
    sim = SimulatedAppleMusic()
    async with RatingsClient(DEV, DEMO_USER_TOKEN, transport=sim) as client:
        ids = SimulatedAppleMusic.sample_ids("library-music-videos")
        results = await client.get_ratings("library-music-videos", ids)
        assert [r.value for r in results] == [1, -1, 1, None, None]
        assert (await client.clear_rating("library-music-videos", ids[0])).cleared is True
        assert (await client.clear_rating("library-music-videos", ids[0])).cleared is False
        assert (await client.set_rating("songs", "1151618586", -1)).value == -1
        assert (await client.get_rating("songs", "1151618586")).value == -1
        assert (await client.check_developer_token()).ok
        assert (await client.check_user_token()).ok
        client.set_tokens("bad", DEMO_USER_TOKEN)
        with pytest.raises(DeveloperTokenError):
            await client.get_rating("songs", "907242702")
        client.set_tokens(DEV, "wrong-user-token")
        with pytest.raises(UserTokenError):
            await client.get_rating("songs", "907242702")
