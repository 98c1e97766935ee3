"""HAR 1.2 export of real client exchanges: each document passes the checker written from the
specification, retries are entries of their own, a PUT carries its body, an attempt with no
answer is status 0 with non-negative timings, and tokens stay out unless revealed."""

from __future__ import annotations

import contextlib
import json
import random
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from har_spec import problems
from stub import FakeSleep, StubTransport

from tui.api.client import Exchange, RatingsClient
from tui.api.errors import AmRatingsError
from tui.har import build_har, har_text, write_har
from tui.tokens.redact import fingerprint

DEV = "FAKE-DEV-TOKEN-HARCHECK-000111222333"
USER = "FAKE-USER-TOKEN-HARCHECK-444555666777"
LIKED = "i.NJv00rkTEaLK51"


def ratings(item_id: str, value: int) -> dict[str, Any]:
    return {"data": [{"id": item_id, "type": "ratings", "attributes": {"value": value}}]}


async def exchanges_of(answers: list[Any], run: Any) -> list[Exchange]:
    """Run ``run(client)`` against answers given in turn; return every recorded exchange."""
    queue = list(answers)

    def answer(request: httpx.Request) -> httpx.Response:
        got = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(got, Exception):
            raise got
        return got

    seen: list[Exchange] = []
    client = RatingsClient(DEV, USER, transport=StubTransport(answer), sleep=FakeSleep(),
                           rng=random.Random(0), on_exchange=seen.append)
    async with client:
        with contextlib.suppress(AmRatingsError):
            await run(client)
    return seen


def valid(doc: dict[str, Any]) -> dict[str, Any]:
    assert problems(doc) == []
    # Opens as JSON anywhere: plain JSON text that parses back to the same document.
    assert json.loads(json.dumps(doc)) == doc
    return doc


async def test_retries_are_entries_of_their_own_in_start_order() -> None:
    seen = await exchanges_of(
        [httpx.Response(503, text="busy"), httpx.Response(429, json={"message": "slow down"}),
         httpx.Response(200, json=ratings(LIKED, 1))],
        lambda c: c.get_rating("library-music-videos", LIKED))
    log = valid(build_har(seen))["log"]
    assert log["version"] == "1.2" and log["creator"]["name"] == "amratings"
    entries = log["entries"]
    assert [e["response"]["status"] for e in entries] == [503, 429, 200]
    assert [e["_attempt"] for e in entries] == [1, 2, 3]
    assert [e["response"]["statusText"] for e in entries] == [
        "Service Unavailable", "Too Many Requests", "OK"]
    assert entries == sorted(entries, key=lambda e: e["startedDateTime"])
    last = entries[-1]
    assert last["request"]["method"] == "GET"
    assert last["request"]["url"].endswith(f"/v1/me/ratings/library-music-videos/{LIKED}")
    assert last["response"]["content"]["mimeType"] == "application/json"
    assert json.loads(last["response"]["content"]["text"]) == ratings(LIKED, 1)
    assert last["response"]["content"]["size"] == len(last["response"]["content"]["text"].encode())
    assert last["cache"] == {}
    for entry in entries:
        timings = entry["timings"]
        assert min(timings["send"], timings["wait"], timings["receive"]) >= 0
        assert entry["time"] == pytest.approx(sum(timings.values()))


async def test_query_string_and_put_body() -> None:
    seen = await exchanges_of(
        [httpx.Response(200, json=ratings(LIKED, 1)), httpx.Response(204)],
        lambda c: c.get_ratings("songs", ["1", "2"]))
    request = valid(build_har(seen))["log"]["entries"][0]["request"]
    assert {"name": "ids", "value": "1,2"} in request["queryString"]
    assert "postData" not in request and request["bodySize"] == 0

    seen = await exchanges_of([httpx.Response(204)],
                              lambda c: c.set_rating("songs", "1", -1))
    entry = valid(build_har(seen))["log"]["entries"][0]
    assert entry["request"]["method"] == "PUT"
    post = entry["request"]["postData"]
    assert post["mimeType"] == "application/json"
    assert json.loads(post["text"]) == {"type": "ratings", "attributes": {"value": -1}}
    assert entry["request"]["bodySize"] == len(post["text"].encode())
    assert entry["response"]["status"] == 204 and entry["response"]["statusText"] == "No Content"


async def test_an_attempt_without_an_answer_is_status_0() -> None:
    seen = await exchanges_of([httpx.ConnectError("refused")],
                              lambda c: c.get_rating("songs", "1"))
    entries = valid(build_har(seen))["log"]["entries"]
    assert len(entries) == 4  # a connection error is retried: every attempt is an entry
    for entry in entries:
        assert entry["response"]["status"] == 0
        assert entry["response"]["_error"]
        assert min(entry["timings"].values()) >= 0


async def test_tokens_redacted_by_default_revealed_on_request(tmp_path: Path) -> None:
    # A hostile server echoing both tokens in a header and in its body.
    echo = f"dev={DEV} user={USER}"
    seen = await exchanges_of([httpx.Response(403, text=echo, headers={"X-Echo": echo})],
                              lambda c: c.get_rating("songs", "1"))
    text = har_text(seen)
    assert DEV not in text and USER not in text and "HARCHECK" not in text
    entry = valid(json.loads(text))["log"]["entries"][0]
    assert entry["_redacted"] is True
    headers = {h["name"].lower(): h["value"] for h in entry["request"]["headers"]}
    assert headers["authorization"] == f"Bearer {fingerprint(DEV)}"
    assert headers["music-user-token"] == fingerprint(USER)
    path = tmp_path / "session.har"
    assert write_har(path, seen) == 1
    assert "HARCHECK" not in path.read_text()

    revealed = har_text(seen, reveal=[DEV, USER])
    entry = valid(json.loads(revealed))["log"]["entries"][0]
    headers = {h["name"].lower(): h["value"] for h in entry["request"]["headers"]}
    assert headers["authorization"] == f"Bearer {DEV}"
    assert headers["music-user-token"] == USER
    assert "_redacted" not in entry
    assert entry["response"]["content"]["text"] == echo
    with_tokens = tmp_path / "with-tokens.har"
    write_har(with_tokens, seen, reveal=[DEV, USER])
    assert stat.S_IMODE(with_tokens.stat().st_mode) == 0o600


async def test_a_token_not_given_to_reveal_stays_redacted() -> None:
    seen = await exchanges_of([httpx.Response(200, json=ratings(LIKED, 1))],
                              lambda c: c.get_rating("library-music-videos", LIKED))
    entry = valid(build_har(seen, reveal=[DEV]))["log"]["entries"][0]
    text = json.dumps(entry)
    assert DEV in text and USER not in text and entry["_redacted"] is True


def test_the_checker_catches_what_the_spec_forbids() -> None:
    good = {"log": {"version": "1.2", "creator": {"name": "x", "version": "1"},
                    "entries": []}}
    assert problems(good) == []
    entry = {"startedDateTime": "yesterday", "time": 5, "request": {}, "cache": {},
             "timings": {"send": -1, "wait": 1, "receive": 0}, "extra": 1}
    bad = {"log": {"version": "1.1", "creator": {"name": "x"}, "entries": [entry]}}
    found = "\n".join(problems(bad))
    for words in ("log.version", "creator.version: required", "startedDateTime",
                  "request.method: required", "response: required", "timings.send",
                  "entries[0].extra", "time: 5 is not the sum"):
        assert words in found, words
