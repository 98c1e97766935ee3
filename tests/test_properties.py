"""Hostile input, as properties (hypothesis): any response body gives a result or one of the
client's own errors; any id is refused before sending or sent as exactly one path segment."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tui.api.client import RatingsClient
from tui.api.errors import AmRatingsError, BadInputError
from tui.api.types import ID_RULES, RATING_TYPE_NAMES, RatingType, split_ids

DEV, USER = "FAKE-DEV-TOKEN-properties", "FAKE-USER-TOKEN-properties"
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["data", "id", "type", "attributes", "value", "errors",
                                       "title", "status", "code", "detail", "source", "x"]),
                      inner, max_size=5),
    max_leaves=20,
)
bodies = (st.binary(max_size=600)
          | json_values.map(lambda v: json.dumps(v).encode())
          | st.builds(lambda items: json.dumps({"data": items}).encode(),
                      st.lists(st.fixed_dictionaries(
                          {"id": st.sampled_from(["907242702", "1151618586", 5, None]),
                           "type": st.sampled_from(["ratings", "rating", "songs"])},
                          optional={"attributes": st.dictionaries(
                              st.just("value"), json_values, max_size=1)}), max_size=3)))
statuses = st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 409, 413, 429, 500, 503,
                            599, 100, 199])
headers = st.sampled_from([{}, {"content-type": "text/html"}, {"content-encoding": "gzip"},
                           {"content-encoding": "br"}, {"retry-after": "x"},
                           {"content-length": "999999999999"}])
ops = st.sampled_from(["get_one", "get_many", "set", "clear", "check_dev", "check_user"])


async def _run(op: str, client: RatingsClient) -> Any:
    if op == "get_one":
        return await client.get_rating("songs", "907242702")
    if op == "get_many":
        results = await client.get_ratings("songs", ["907242702", "1151618586"])
        for result in results:
            assert result.error is None or isinstance(result.error, AmRatingsError)
        return results
    if op == "set":
        return await client.set_rating("songs", "907242702", -1)
    if op == "clear":
        return await client.clear_rating("songs", "907242702")
    step = await (client.check_developer_token() if op == "check_dev"
                  else client.check_user_token())
    assert step.error is None or isinstance(step.error, AmRatingsError)
    return step


async def _noop_sleep(seconds: float) -> None:
    pass


@SETTINGS
@given(body=bodies, status=statuses, extra=headers, op=ops)
@example(body=b"[" * 50_000, status=200, extra={}, op="get_one")
@example(body=b"\x1b[2J\x00\xff", status=401, extra={}, op="set")
def test_any_body_gives_a_result_or_our_own_error(body: bytes, status: int,
                                                  extra: dict[str, str], op: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        response_headers = {k: v for k, v in extra.items() if k != "content-length"}
        if "content-length" in extra:
            response_headers["content-length"] = extra["content-length"]
            return httpx.Response(status, headers=response_headers, stream=httpx.ByteStream(body))
        return httpx.Response(status, headers=response_headers, content=body)

    async def scenario() -> None:
        client = RatingsClient(DEV, USER, transport=httpx.MockTransport(answer), max_attempts=2,
                               sleep=_noop_sleep, rng=random.Random(0))
        async with client:
            try:
                await _run(op, client)
            except AmRatingsError as exc:
                text = exc.one_line() + json.dumps(exc.to_json())
                assert "\x1b" not in text and "\x00" not in text

    asyncio.run(scenario())


HOSTILE_IDS = ["../", "..", ".", "/", "a/b", "?", "a?b=1", "#", "#frag", "%2e%2e", "%2F",
               "a\x00b", "\n", "a\r\nHost: evil", "\t", " ", "a b", "é", "日本", "\u200b",
               "x" * 10_000, "", "1;2", "a,b", "\\", "~", "'", '"', "<a>", "%", "+",
               "i.NJv00rkTEaLK51\n"]


class _Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200, json={"data": []})


def _check_id(item_id: str, rtype: str) -> None:
    recorder = _Recorder()

    async def scenario() -> None:
        client = RatingsClient(DEV, USER, transport=httpx.MockTransport(recorder))
        async with client:
            for call in (lambda: client.get_rating(rtype, item_id),
                         lambda: client.set_rating(rtype, item_id, 1),
                         lambda: client.clear_rating(rtype, item_id)):
                before = len(recorder.requests)
                try:
                    await call()
                except BadInputError:
                    assert len(recorder.requests) == before  # refused before sending
                    continue
                sent = recorder.requests[-1]
                raw = sent.url.raw_path.decode("ascii")
                path, _, query = raw.partition("?")
                prefix = f"/v1/me/ratings/{rtype}/"
                assert path.startswith(prefix)
                segment = path[len(prefix):]
                assert segment and "/" not in segment and "?" not in segment
                assert "#" not in segment
                assert unquote(segment) == item_id
                assert segment not in (".", "..") and unquote(segment) not in (".", "..")
                assert query == ""
                assert sent.url.host == "api.music.apple.com"
            # Many ids: the hostile one either stops the whole call before sending, or is one
            # comma-separated element of ?ids=.
            other = ID_RULES[RatingType(rtype)].example
            before = len(recorder.requests)
            try:
                await client.get_ratings(rtype, [other, item_id])
            except BadInputError:
                assert len(recorder.requests) == before
            else:
                sent = recorder.requests[-1]
                if item_id != other:
                    assert sent.url.params["ids"].split(",") == [other, item_id]

    asyncio.run(scenario())


@pytest.mark.parametrize("item_id", HOSTILE_IDS)
@pytest.mark.parametrize("rtype", ["songs", "library-songs", "playlists"])
def test_hostile_ids_refused_or_one_segment(item_id: str, rtype: str) -> None:
    _check_id(item_id, rtype)


@SETTINGS
@given(item_id=st.text(max_size=300) | st.text(alphabet="abc./%-_?#i", max_size=12),
       rtype=st.sampled_from(RATING_TYPE_NAMES))
def test_any_string_id_refused_or_one_segment(item_id: str, rtype: str) -> None:
    _check_id(item_id, rtype)


@SETTINGS
@given(text=st.text(max_size=200))
def test_split_ids_never_yields_separators_or_empties(text: str) -> None:
    for piece in split_ids(text):
        assert piece and "," not in piece
        assert not any(c in " \t\n\r\f\v" for c in piece)
