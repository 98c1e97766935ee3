"""RatingsClient against a scripted transport: every operation against every status, batching,
retries, redirects, query pass-through, the PUT body, path encoding and the body-size cap."""

from __future__ import annotations

import json
import random
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from stub import FakeSleep, StubTransport

from tui.api.client import Exchange, RatingsClient
from tui.api.errors import (
    AmRatingsError,
    ApiError,
    BadInputError,
    ConfigurationError,
    DeveloperTokenError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerError,
    UserTokenError,
)
from tui.api.models import RatingResult
from tui.api.urls import normalize_base_url
from tui.config import AppConfig

DEV = "FAKE-DEV-TOKEN-for-tests-0000"
USER = "FAKE-USER-TOKEN-for-tests-0000"
BASE = "https://api.music.apple.com"


def client_for(answer: Any, *, delay: float = 0.0, **kwargs: Any
               ) -> tuple[RatingsClient, StubTransport, FakeSleep]:
    transport = StubTransport(answer, delay=delay)
    sleep = FakeSleep()
    kwargs.setdefault("base_url", BASE)
    client = RatingsClient(DEV, USER, transport=transport, sleep=sleep,
                           rng=random.Random(0), **kwargs)
    return client, transport, sleep


def ratings_body(*pairs: tuple[str, int | None]) -> dict[str, Any]:
    data = []
    for item_id, value in pairs:
        item: dict[str, Any] = {"id": item_id, "type": "ratings",
                                "href": f"/v1/me/ratings/songs/{item_id}"}
        if value is not None:
            item["attributes"] = {"value": value}
        data.append(item)
    return {"data": data}


def apple_errors(status: int, code: str, title: str, detail: str | None = None,
                 parameter: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": "ID", "title": title, "status": str(status), "code": code}
    if detail:
        entry["detail"] = detail
    if parameter:
        entry["source"] = {"parameter": parameter}
    return {"errors": [entry]}


# ----------------------------------------------------------------- every operation x status

ONE, TWO = "907242702", "1151618586"
STOREFRONT = {"data": [{"id": "us", "type": "storefronts",
                        "attributes": {"name": "United States"}}]}


async def run_op(op: str, client: RatingsClient) -> tuple[str, Any]:
    """Run one operation; return ("ok", what it gave) or ("error", the error)."""
    try:
        if op == "get_one":
            r = await client.get_rating("songs", ONE)
            return "ok", r.value
        if op == "get_many":
            results = await client.get_ratings("songs", [ONE, TWO])
            errors = [r.error for r in results if r.error is not None]
            if errors:
                assert len(errors) == 2 and errors[0] is errors[1]
                return "error", errors[0]
            return "ok", [r.value for r in results]
        if op == "set":
            r = await client.set_rating("songs", ONE, 1)
            return "ok", r.value
        if op == "clear":
            r = await client.clear_rating("songs", ONE)
            return "ok", r.cleared
        step = await (client.check_developer_token() if op == "check_dev"
                      else client.check_user_token())
        if step.error is not None:
            return "error", step.error
        return "ok", step.status
    except AmRatingsError as exc:
        return "error", exc


OPS = ["get_one", "get_many", "set", "clear", "check_dev", "check_user"]


def ok_body(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path in ("/v1/test", "/v1/me/storefront"):
        return httpx.Response(200, json=STOREFRONT)
    if "ids" in request.url.params:
        return httpx.Response(200, json=ratings_body((ONE, 1)))
    return httpx.Response(200, json=ratings_body((ONE, 1)))


SUCCESS = {"get_one": 1, "get_many": [1, None], "set": 1, "clear": True,
           "check_dev": 200, "check_user": 200}


@pytest.mark.parametrize("op", OPS)
async def test_200(op: str) -> None:
    client, transport, _ = client_for(ok_body)
    async with client:
        assert await run_op(op, client) == ("ok", SUCCESS[op])
    assert len(transport.requests) == 1


@pytest.mark.parametrize("op,expected", [
    ("get_one", MalformedResponseError), ("get_many", MalformedResponseError), ("set", 1),
    ("clear", True), ("check_dev", MalformedResponseError), ("check_user", MalformedResponseError),
])
async def test_204(op: str, expected: Any) -> None:
    client, _, _ = client_for(lambda r: httpx.Response(204))
    async with client:
        kind, got = await run_op(op, client)
    if isinstance(expected, type):
        assert kind == "error" and isinstance(got, expected)
    else:
        assert (kind, got) == ("ok", expected)


@pytest.mark.parametrize("body", [b"", b"Unauthorized", json.dumps(
    apple_errors(401, "40100", "Unauthorized", "Authentication failed")).encode()],
    ids=["empty", "text", "json"])
@pytest.mark.parametrize("op", OPS)
async def test_401_names_the_developer_token(op: str, body: bytes) -> None:
    client, transport, _ = client_for(lambda r: httpx.Response(401, content=body))
    async with client:
        kind, error = await run_op(op, client)
    assert kind == "error" and isinstance(error, DeveloperTokenError)
    assert error.status == 401 and "developer token" in error.one_line()
    assert "developer token" in (error.hint or "")
    assert len(transport.requests) == 1  # 401 is never retried
    if body.startswith(b"{"):
        assert (error.code, error.title) == ("40100", "Unauthorized")
    elif body:
        assert error.detail == "Unauthorized"


OBSERVED_403 = {"errors": [{"code": "40300", "detail": "Invalid authentication", "id": "X",
                            "status": "403", "title": "Forbidden"}]}


@pytest.mark.parametrize("op", OPS)
async def test_403_names_the_music_user_token(op: str) -> None:
    client, _, _ = client_for(lambda r: httpx.Response(403, json=OBSERVED_403))
    async with client:
        kind, error = await run_op(op, client)
    assert kind == "error" and isinstance(error, UserTokenError)
    assert (error.status, error.code, error.title, error.detail) == (
        403, "40300", "Forbidden", "Invalid authentication")
    assert "music user token" in error.one_line() and "music user token" in (error.hint or "")


@pytest.mark.parametrize("op,expected", [
    ("get_one", None), ("get_many", [None, None]), ("set", NotFoundError), ("clear", False),
    ("check_dev", NotFoundError), ("check_user", NotFoundError),
])
async def test_404(op: str, expected: Any) -> None:
    body = apple_errors(404, "40400", "Resource Not Found")
    client, _, _ = client_for(lambda r: httpx.Response(404, json=body))
    async with client:
        kind, got = await run_op(op, client)
    if isinstance(expected, type):
        assert kind == "error" and isinstance(got, expected)
    else:
        assert (kind, got) == ("ok", expected)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("retry_after", [None, "2"])
async def test_429_retried_then_rate_limited(op: str, retry_after: str | None) -> None:
    headers = {"Retry-After": retry_after} if retry_after else {}
    client, transport, sleep = client_for(
        lambda r: httpx.Response(429, json={"message": "API capacity exceeded"}, headers=headers))
    async with client:
        kind, error = await run_op(op, client)
    assert kind == "error" and isinstance(error, RateLimitedError)
    assert error.status == 429 and error.attempts == 4
    assert error.detail == "API capacity exceeded"
    assert len(transport.requests) == 4
    if retry_after:
        assert sleep.waits == [2.0, 2.0, 2.0]
        assert any("retry after 2 s" in note for note in error.notes)
    else:
        # Exponential backoff with jitter: each wait within [0.1, 1] of base * 2^(n-1).
        assert len(sleep.waits) == 3
        for n, wait in enumerate(sleep.waits, start=1):
            assert 0.05 * 2 ** (n - 1) <= wait <= 0.5 * 2 ** (n - 1)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("status,body,content_type,detail_words", [
    (500, json.dumps(apple_errors(500, "50000", "Internal Server Error", "boom")),
     "application/json", "boom"),
    (503, "<html><head><title>503 Service Unavailable</title></head><body>x</body></html>",
     "text/html", "HTML page"),
    (502, "<html><title>Bad Gateway</title></html>", "text/html", "HTML page"),
    (504, "<html><title>Gateway Timeout</title></html>", "text/html", "HTML page"),
])
async def test_5xx_retried_then_server_error(op: str, status: int, body: str, content_type: str,
                                             detail_words: str) -> None:
    client, transport, sleep = client_for(
        lambda r: httpx.Response(status, text=body, headers={"content-type": content_type}))
    async with client:
        kind, error = await run_op(op, client)
    assert kind == "error" and isinstance(error, ServerError)
    assert error.status == status and detail_words in (error.detail or "")
    assert len(transport.requests) == 4 and len(sleep.waits) == 3


@pytest.mark.parametrize("op", ["get_one", "get_many", "set"])
@pytest.mark.parametrize("body", [
    b"{not json", b"<html><body>hello</body></html>", b"",
    json.dumps(ratings_body((ONE, 5))).encode(), json.dumps({"data": {"id": ONE}}).encode(),
    json.dumps({"results": []}).encode(), json.dumps([1, 2]).encode(), b"null",
    json.dumps(ratings_body((ONE, 1))).replace('"ratings"', '"songs"').encode(),
    b"[" * 100000,
], ids=["bad-json", "html", "empty", "value-5", "data-object", "no-data", "list", "null",
        "wrong-type", "deep"])
async def test_malformed_200(op: str, body: bytes) -> None:
    client, transport, _ = client_for(lambda r: httpx.Response(200, content=body))
    async with client:
        kind, error = await run_op(op, client)
    if op == "set" and not body:
        assert kind == "ok"  # an empty 200 to a PUT means "stored as sent"
        return
    assert kind == "error" and isinstance(error, MalformedResponseError), error
    assert len(transport.requests) == 1


# ----------------------------------------------------------------- requests as sent


async def test_headers_tokens_and_no_token_in_url() -> None:
    client, transport, _ = client_for(ok_body, language="en-GB")
    async with client:
        await client.get_rating("songs", ONE)
        await client.check_developer_token()
    first, test = transport.requests
    assert first.headers["authorization"] == f"Bearer {DEV}"
    assert first.headers["music-user-token"] == USER
    assert first.headers["accept"] == "application/json"
    assert DEV not in str(first.url) and USER not in str(first.url)
    # GET /v1/test carries the developer token only.
    assert test.url.path == "/v1/test" and "music-user-token" not in test.headers
    assert test.headers["authorization"] == f"Bearer {DEV}"


async def test_user_check_path_and_both_tokens() -> None:
    client, transport, _ = client_for(ok_body)
    async with client:
        step = await client.check_user_token()
    assert step.ok and step.storefront == "United States (us)"
    assert transport.requests[0].url.path == "/v1/me/storefront"
    assert transport.requests[0].headers["music-user-token"] == USER


@pytest.mark.parametrize("value", [1, -1])
async def test_put_body_exact(value: int) -> None:
    client, transport, _ = client_for(
        lambda r: httpx.Response(200, json=ratings_body((ONE, value))))
    async with client:
        result = await client.set_rating("songs", ONE, value)
    assert result.value == value
    request = transport.requests[0]
    assert request.method == "PUT"
    assert request.url.path == f"/v1/me/ratings/songs/{ONE}"
    assert transport.bodies[0] == (
        b'{"type":"ratings","attributes":{"value":%d}}' % value)
    assert request.headers["content-type"] == "application/json"


@pytest.mark.parametrize("value", [0, 2, 5, None, "1", True])
async def test_set_refuses_other_values_before_sending(value: Any) -> None:
    client, transport, _ = client_for(ok_body)
    async with client:
        with pytest.raises(BadInputError):
            await client.set_rating("songs", ONE, value)
    assert transport.requests == []


async def test_clear_is_delete_never_minus_one() -> None:
    client, transport, _ = client_for(lambda r: httpx.Response(204))
    async with client:
        result = await client.clear_rating("stations", "ra.840950253")
    assert result.cleared is True
    assert transport.requests[0].method == "DELETE"
    assert transport.requests[0].url.path == "/v1/me/ratings/stations/ra.840950253"
    assert transport.bodies[0] == b""


async def test_query_pass_through() -> None:
    client, transport, _ = client_for(ok_body, language="es-MX")
    async with client:
        await client.get_rating("songs", ONE, include=["catalog"], extend=["a", "b"])
        await client.get_ratings("songs", [ONE, TWO], include=["catalog"], extend=["x"])
        await client.set_rating("songs", ONE, 1)
        await client.clear_rating("songs", ONE)
    queries = [parse_qs(r.url.query.decode()) for r in transport.requests]
    assert queries[0] == {"include": ["catalog"], "l": ["es-MX"], "extend": ["a,b"]}
    assert queries[1] == {"ids": [f"{ONE},{TWO}"], "include": ["catalog"], "l": ["es-MX"],
                          "extend": ["x"]}
    assert queries[2] == {"l": ["es-MX"]} and queries[3] == {"l": ["es-MX"]}


@pytest.mark.parametrize("base,prefix", [
    ("https://api.music.apple.com/", ""), ("http://127.0.0.1:9/proxy/apple/", "/proxy/apple"),
    ("http://localhost:9/p", "/p"), ("http://[::1]:9", ""),
])
async def test_base_url_trailing_slash_and_prefix_kept(base: str, prefix: str) -> None:
    client, transport, _ = client_for(ok_body, base_url=base)
    async with client:
        await client.get_rating("songs", ONE)
    assert transport.requests[0].url.path == f"{prefix}/v1/me/ratings/songs/{ONE}"


@pytest.mark.parametrize("url", ["http://api.music.apple.com", "http://10.0.0.1",
                                 "http://localhost.example.com", "ftp://127.0.0.1", "notaurl",
                                 "https://", "https://x/?a=1", "https://u:p@x",
                                 "http://127.0.0.1:99999"])
def test_bad_base_urls_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        normalize_base_url(url)


def test_apple_base_url_detection() -> None:
    # The one rule for "tokens go somewhere other than Apple" (the CLI and TUI warnings).
    assert not AppConfig(base_url="https://api.music.apple.com/").custom_base_url
    assert AppConfig(base_url="https://api.music.apple.com.evil.example").custom_base_url
    assert AppConfig(base_url="http://127.0.0.1:8080").custom_base_url


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_redirects_not_followed(status: int) -> None:
    client, transport, _ = client_for(lambda r: httpx.Response(
        status, headers={"location": "https://evil.example/steal"}))
    async with client:
        with pytest.raises(ApiError) as caught:
            await client.get_rating("songs", ONE)
    assert caught.value.status == status and "redirect" in str(caught.value)
    assert [str(r.url.host) for r in transport.requests] == ["api.music.apple.com"]


@pytest.mark.parametrize("item_id,rtype", [
    ("../x", "songs"), ("a/b", "songs"), ("?", "songs"), ("#", "songs"), ("%2e%2e", "songs"),
    ("..", "songs"), ("i.NJv00rkTEaLK51", "songs"), ("", "songs"), ("1 2", "songs"),
])
async def test_bad_ids_refused_before_any_request(item_id: str, rtype: str) -> None:
    client, transport, _ = client_for(ok_body)
    async with client:
        for call in (client.get_rating(rtype, item_id), client.set_rating(rtype, item_id, 1),
                     client.clear_rating(rtype, item_id),
                     client.get_ratings(rtype, [ONE, item_id])):
            with pytest.raises(BadInputError):
                await call
    assert transport.requests == []


async def test_bad_type_refused_before_any_request() -> None:
    client, transport, _ = client_for(ok_body)
    async with client:
        with pytest.raises(BadInputError):
            await client.get_rating("song", ONE)
    assert transport.requests == []


# ----------------------------------------------------------------- batching


def echo_ratings(request: httpx.Request) -> httpx.Response:
    """Rate every even id 1, odd -1, and leave ids ending in 7 unrated."""
    ids = request.url.params["ids"].split(",")
    pairs = [(i, 1 if int(i) % 2 == 0 else -1) for i in ids if not i.endswith("7")]
    return httpx.Response(200, json=ratings_body(*reversed(pairs)))


def expected_value(item_id: str) -> int | None:
    return None if item_id.endswith("7") else (1 if int(item_id) % 2 == 0 else -1)


async def test_batches_order_duplicates_and_size() -> None:
    ids = [str(1000 + n) for n in range(250)]
    ids = ids + ids[:5] + ["1003"]
    client, transport, _ = client_for(echo_ratings, batch_size=100)
    seen: list[list[RatingResult]] = []
    async with client:
        results = await client.get_ratings("songs", ids, on_results=seen.append)
    assert [r.id for r in results] == ids
    assert [r.value for r in results] == [expected_value(i) for i in ids]
    assert all(r.error is None for r in results)
    sizes = sorted(len(r.url.params["ids"].split(",")) for r in transport.requests)
    assert sizes == [50, 100, 100]  # 250 unique ids; duplicates are asked for once
    assert sum(len(batch) for batch in seen) == 250


@pytest.mark.parametrize("concurrency", [1, 2, 4])
async def test_concurrency_respected(concurrency: int) -> None:
    ids = [str(1000 + n) for n in range(40)]
    client, transport, _ = client_for(echo_ratings, delay=0.02, batch_size=3,
                                      concurrency=concurrency)
    async with client:
        await client.get_ratings("songs", ids)
    assert len(transport.requests) == 14
    assert transport.max_in_flight == concurrency


def limit_batches(limit: int, status: int) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        ids = request.url.params["ids"].split(",")
        if len(ids) > limit:
            return httpx.Response(status, json=apple_errors(
                status, f"{status}05", "Invalid Parameter Value",
                f"Too many ids: at most {limit} allowed", "ids"))
        return echo_ratings(request)
    return answer


@pytest.mark.parametrize("status", [400, 413, 414])
async def test_batch_split_on_complaint(status: int) -> None:
    ids = [str(2000 + n) for n in range(40)]
    client, transport, _ = client_for(limit_batches(7, status), batch_size=40)
    async with client:
        results = await client.get_ratings("songs", ids)
        assert [r.value for r in results] == [expected_value(i) for i in ids]
        assert all(r.error is None for r in results)
        # The next call starts with batches the server accepts: no wasted round trips.
        before = len(transport.requests)
        await client.get_ratings("songs", ids)
        later = transport.requests[before:]
    assert all(len(r.url.params["ids"].split(",")) <= 7 for r in later)
    assert all(r.error is None for r in results)


async def test_400_not_about_batch_is_not_split() -> None:
    body = apple_errors(400, "40005", "Invalid Parameter Value", "Invalid language tag", "l")
    client, transport, _ = client_for(lambda r: httpx.Response(400, json=body))
    async with client:
        results = await client.get_ratings("songs", [ONE, TWO, "3"])
    assert len(transport.requests) == 1
    assert all(r.error is not None and r.error.status == 400 for r in results)


async def test_one_failed_batch_does_not_hide_others() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if "1000" in request.url.params["ids"]:
            return httpx.Response(403, json=OBSERVED_403)
        return echo_ratings(request)

    ids = [str(1000 + n) for n in range(6)]
    client, _, _ = client_for(answer, batch_size=3)
    async with client:
        results = await client.get_ratings("songs", ids)
    assert [type(r.error) for r in results[:3]] == [UserTokenError] * 3
    assert [r.value for r in results[3:]] == [expected_value(i) for i in ids[3:]]


async def test_multi_get_404_and_empty_data_mean_not_rated() -> None:
    for answer in (lambda r: httpx.Response(404, json=apple_errors(404, "40400", "Not Found")),
                   lambda r: httpx.Response(200, json={"data": []})):
        client, _, _ = client_for(answer)
        async with client:
            results = await client.get_ratings("songs", [ONE, TWO])
        assert [(r.value, r.error) for r in results] == [(None, None), (None, None)]


async def test_single_id_uses_single_endpoint_and_duplicates_kept() -> None:
    client, transport, _ = client_for(ok_body)
    async with client:
        results = await client.get_ratings("songs", [ONE, ONE])
    assert [r.value for r in results] == [1, 1]
    assert [r.url.path for r in transport.requests] == [f"/v1/me/ratings/songs/{ONE}"]


# ----------------------------------------------------------------- retries


def sequence(*responses: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    queue = list(responses)

    def answer(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        return item
    return answer


async def test_429_twice_then_success() -> None:
    client, transport, sleep = client_for(sequence(
        httpx.Response(429), httpx.Response(429),
        httpx.Response(200, json=ratings_body((ONE, -1)))))
    async with client:
        assert (await client.get_rating("songs", ONE)).value == -1
    assert len(transport.requests) == 3 and len(sleep.waits) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_once_then_success(status: int) -> None:
    client, transport, _ = client_for(sequence(
        httpx.Response(status, text="<html>x</html>"), httpx.Response(204)))
    async with client:
        assert (await client.clear_rating("songs", ONE)).cleared is True
    assert len(transport.requests) == 2


async def test_connection_errors_retried() -> None:
    client, transport, _ = client_for(sequence(
        httpx.ConnectError("refused"), httpx.ReadError("reset"),
        httpx.Response(200, json=ratings_body((ONE, 1)))))
    async with client:
        assert (await client.get_rating("songs", ONE)).value == 1
    assert len(transport.requests) == 3


async def test_connection_errors_forever_bounded() -> None:
    client, transport, _ = client_for(sequence(httpx.ConnectError("refused")))
    async with client:
        with pytest.raises(NetworkError) as caught:
            await client.get_rating("songs", ONE)
    assert len(transport.requests) == 4 and caught.value.attempts == 4


async def test_read_timeout_is_timeout_error() -> None:
    client, _, _ = client_for(sequence(httpx.ReadTimeout("slow")))
    async with client:
        with pytest.raises(RequestTimeoutError):
            await client.get_rating("songs", ONE)


@pytest.mark.parametrize("attempts", [1, 2, 6])
async def test_attempts_bound(attempts: int) -> None:
    client, transport, _ = client_for(lambda r: httpx.Response(503), max_attempts=attempts)
    async with client:
        with pytest.raises(ServerError):
            await client.get_rating("songs", ONE)
    assert len(transport.requests) == attempts


async def test_total_wait_bound_with_retry_after() -> None:
    # Retry-After asks for 20 s each time; a 30 s budget allows only one such wait.
    client, transport, sleep = client_for(
        lambda r: httpx.Response(429, headers={"Retry-After": "20"}), max_attempts=10)
    async with client:
        with pytest.raises(RateLimitedError) as caught:
            await client.get_rating("songs", ONE)
    assert sleep.waits == [20.0] and len(transport.requests) == 2
    assert sum(sleep.waits) <= 30
    assert any("gave up after 2 attempts" in n for n in caught.value.notes)


async def test_retry_after_beyond_budget_gives_up_at_once() -> None:
    client, transport, sleep = client_for(
        lambda r: httpx.Response(429, headers={"Retry-After": "3600"}))
    async with client:
        with pytest.raises(RateLimitedError):
            await client.get_rating("songs", ONE)
    assert sleep.waits == [] and len(transport.requests) == 1


async def test_retry_after_http_date() -> None:
    from email.utils import formatdate

    when = formatdate(time.time() + 5, usegmt=True)
    client, _, sleep = client_for(sequence(
        httpx.Response(429, headers={"Retry-After": when}), httpx.Response(204)))
    async with client:
        await client.clear_rating("songs", ONE)
    assert len(sleep.waits) == 1 and 3 <= sleep.waits[0] <= 6


@pytest.mark.parametrize("header", ["soon", "", "-5", "nan", "inf"])
async def test_odd_retry_after_values_are_safe(header: str) -> None:
    client, _, sleep = client_for(
        lambda r: httpx.Response(429, headers={"Retry-After": header}))
    async with client:
        with pytest.raises(RateLimitedError):
            await client.get_rating("songs", ONE)
    assert all(0 <= w <= 30 for w in sleep.waits) and sum(sleep.waits) <= 30


async def test_real_time_bound_with_real_sleep() -> None:
    # No injected sleep: the default backoff must finish a "429 forever" in a few seconds.
    transport = StubTransport(lambda r: httpx.Response(429))
    client = RatingsClient(DEV, USER, transport=transport, rng=random.Random(1))
    started = time.monotonic()
    async with client:
        with pytest.raises(RateLimitedError):
            await client.get_rating("songs", ONE)
    assert time.monotonic() - started < 5
    assert len(transport.requests) == 4


# ----------------------------------------------------------------- body cap


async def test_declared_body_over_cap_refused_before_reading() -> None:
    chunks_read = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal chunks_read
        for _ in range(100):
            chunks_read += 1
            yield b"x" * 1024

    client, _, _ = client_for(lambda r: httpx.Response(
        200, content=body(), headers={"content-length": str(100 * 1024)}), max_body_bytes=4096)
    async with client:
        with pytest.raises(ResponseTooLargeError):
            await client.get_rating("songs", ONE)
    assert chunks_read <= 1


async def test_streamed_body_over_cap_refused_without_reading_whole() -> None:
    chunks_read = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal chunks_read
        for _ in range(10_000):
            chunks_read += 1
            yield b"x" * 1024

    client, _, _ = client_for(lambda r: httpx.Response(200, content=body()),
                              max_body_bytes=8 * 1024)
    async with client:
        with pytest.raises(ResponseTooLargeError) as caught:
            await client.get_rating("songs", ONE)
        results = await client.get_ratings("songs", [ONE, TWO])
    assert chunks_read < 30
    assert "cap" in str(caught.value)
    assert all(isinstance(r.error, ResponseTooLargeError) for r in results)


async def test_default_cap_is_a_few_megabytes() -> None:
    client, _, _ = client_for(ok_body)
    assert 1024 * 1024 <= client.max_body_bytes <= 16 * 1024 * 1024
    await client.aclose()


# ----------------------------------------------------------------- exchanges and secrets


async def test_exchanges_recorded_and_redacted() -> None:
    seen: list[Exchange] = []
    client, _, _ = client_for(lambda r: httpx.Response(403, json=OBSERVED_403),
                              on_exchange=seen.append)
    async with client:
        with pytest.raises(UserTokenError):
            await client.set_rating("songs", ONE, 1)
    assert len(seen) == 1 and list(client.history) == seen
    exchange = seen[0]
    text = repr(exchange) + exchange.request_line() + exchange.response_line()
    assert DEV not in text and USER not in text
    curl = exchange.to_curl()
    assert DEV not in curl and USER not in curl and "$APPLE_MUSIC_DEVELOPER_TOKEN" in curl
    assert "--data" in curl and '"value":1' in curl
    assert DEV in exchange.to_curl(DEV, USER)  # only when explicitly revealed
    assert DEV not in repr(client) and USER not in repr(client)


async def test_set_tokens_used_for_next_request() -> None:
    client, transport, _ = client_for(ok_body)
    async with client:
        client.set_tokens("NEW-FAKE-DEV-TOKEN", "NEW-FAKE-USER-TOKEN")
        await client.get_rating("songs", ONE)
        assert client.secrets == ("NEW-FAKE-DEV-TOKEN", "NEW-FAKE-USER-TOKEN")
    assert transport.requests[0].headers["authorization"] == "Bearer NEW-FAKE-DEV-TOKEN"


@pytest.mark.parametrize("token", ["caf\u00e9-token-fake", "line\nbreak-fake", "tab\there-fake"])
async def test_tokens_unsendable_in_a_header_are_configuration_errors(token: str) -> None:
    client, transport, _ = client_for(ok_body)
    async with client:
        client.set_tokens(token, USER)
        with pytest.raises(ConfigurationError) as caught:
            await client.get_rating("songs", ONE)
        with pytest.raises(ConfigurationError):
            await client.get_ratings("songs", [ONE, TWO])
    assert token not in str(caught.value)
    assert transport.requests == []


async def test_undecodable_content_encoding_is_malformed() -> None:
    client, _, _ = client_for(lambda r: httpx.Response(
        200, content=b"definitely not gzip", headers={"content-encoding": "gzip"}))
    async with client:
        with pytest.raises(MalformedResponseError):
            await client.get_rating("songs", ONE)
        results = await client.get_ratings("songs", [ONE, TWO])
    assert all(isinstance(r.error, MalformedResponseError) for r in results)


async def test_terminal_escapes_in_apple_detail_are_neutralised() -> None:
    body = apple_errors(403, "40300", "Forbidden\x1b[2J", "Invalid\x1b]0;pwned\x07 authentication")
    client, _, _ = client_for(lambda r: httpx.Response(403, json=body))
    async with client:
        with pytest.raises(UserTokenError) as caught:
            await client.get_rating("songs", ONE)
    error = caught.value
    for text in (error.one_line(), error.title or "", error.detail or "",
                 json.dumps(error.to_json())):
        assert "\x1b" not in text and "\x07" not in text


def test_constructor_refuses_nonsense() -> None:
    for kwargs in ({"batch_size": 0}, {"concurrency": 0}, {"max_attempts": 0}, {"timeout": 0}):
        with pytest.raises(BadInputError):
            RatingsClient(DEV, USER, transport=StubTransport(ok_body), **kwargs)



@pytest.mark.parametrize("status", [401, 403, 429, 500, 400])
async def test_tokens_echoed_by_the_server_are_redacted_from_errors(status: int) -> None:
    echo = f"you sent {DEV} and {USER}"
    body = apple_errors(status, f"{status}00", echo, echo, echo)
    client, _, _ = client_for(lambda r: httpx.Response(status, json=body), max_attempts=1)
    async with client:
        with pytest.raises(AmRatingsError) as caught:
            await client.get_rating("songs", ONE)
        results = await client.get_ratings("songs", [ONE, TWO])
    for error in (caught.value, results[0].error):
        assert error is not None
        text = f"{error} {error.args} {json.dumps(error.to_json())} {error.exchange!r}"
        assert DEV not in text and USER not in text


def test_curl_export_is_one_shell_word_per_header_and_expands_only_the_token_variables() -> None:
    # The shell must see exactly the headers we sent: a token with '$' or quotes stays literal,
    # and the redacted form expands only the two variables.
    import shlex
    import subprocess

    exchange = Exchange(
        method="PUT", url="https://api.music.apple.com/v1/me/ratings/songs/1",
        request_headers={"Authorization": "Bearer <redacted>", "Music-User-Token": "<redacted>",
                         "Content-Type": "application/json", "Host": "api.music.apple.com"},
        request_body='{"type":"ratings","attributes":{"value":1}}')
    odd_user = "FAKE-user-$HOME-'quoted'-\"dq\""

    def argv(command: str, env: dict[str, str]) -> list[str]:
        # Let a real shell expand the command, then read back the words curl would receive.
        script = f"printf '%s\\0' {command.removeprefix('curl ')}"
        out = subprocess.run(["sh", "-c", script], env=env, capture_output=True, check=True)
        return out.stdout.decode().split("\0")[:-1]

    env = {"APPLE_MUSIC_DEVELOPER_TOKEN": "FAKE-DEV-FROM-ENV",
           "APPLE_MUSIC_USER_TOKEN": "FAKE-USER-FROM-ENV", "HOME": "/nowhere"}
    redacted = argv(exchange.to_curl(), env)
    assert "Authorization: Bearer FAKE-DEV-FROM-ENV" in redacted
    assert "Music-User-Token: FAKE-USER-FROM-ENV" in redacted
    assert "Host: api.music.apple.com" not in redacted
    revealed = argv(exchange.to_curl(None, odd_user), env)
    assert f"Music-User-Token: {odd_user}" in revealed
    assert "Authorization: Bearer FAKE-DEV-FROM-ENV" in revealed
    assert redacted[-1] == '{"type":"ratings","attributes":{"value":1}}'
    assert shlex.split(exchange.to_curl("FAKE-DEV", "FAKE-USER"))[0] == "curl"


@pytest.mark.parametrize(("status", "error", "attempt", "line"), [
    (200, None, 1, "< 200 in 12 ms"),
    (503, None, 2, "< 503 in 12 ms (attempt 2)"),
    (None, "connection refused", 1, "< connection refused after 12 ms"),
    (None, "connection refused", 3, "< connection refused after 12 ms (attempt 3)"),
])
def test_verbose_response_lines_name_the_attempt_whether_or_not_an_answer_came(
        status: int | None, error: str | None, attempt: int, line: str) -> None:
    exchange = Exchange("GET", "https://api.music.apple.com/v1/me/ratings/songs/1", {},
                        status=status, elapsed=0.012, attempt=attempt, error=error)
    assert exchange.response_line() == line
