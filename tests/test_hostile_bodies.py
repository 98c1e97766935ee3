"""Issue 10 section 3: bounded resources against a hostile body, through the real client and
the real CLI against a loopback server (real sockets, real Content-Encoding, real chunking).

- a body decodes under the cap while it decodes: stacked and unknown codings are refused, a
  gzip or deflate bomb stops at the cap, and a 1 GiB bomb keeps the process's peak memory low;
- ``--timeout`` bounds the whole attempt: a body trickling one byte at a time or a chunked
  body that never ends fails within about the timeout;
- a server refusing ``ids`` at every size does not bisect a lookup into thousands of requests.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
import time
import zlib
from typing import Any

import httpx
import pytest
from loopback import Behaviour, LoopbackServer, run_cli
from repo_kit import LIKED_ID, ROOT

from tui.api.client import MIN_REQUEST_CAP, REQUESTS_PER_BATCH, RatingsClient
from tui.api.errors import MalformedResponseError, RequestTimeoutError, ResponseTooLargeError
from tui.api.simulated import DEMO_USER_TOKEN, make_demo_developer_token

DEV = make_demo_developer_token()
RATINGS = json.dumps({"data": [{"id": LIKED_ID, "type": "ratings",
                                "attributes": {"value": 1}}]}).encode()


@pytest.fixture
def server(loopback: LoopbackServer) -> LoopbackServer:
    return loopback


def client(server: LoopbackServer, **options: Any) -> RatingsClient:
    return RatingsClient(DEV, DEMO_USER_TOKEN, base_url=server.url, max_attempts=1, **options)


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


# --- decoding under the cap ------------------------------------------------------------


@pytest.mark.parametrize("coding,body", [
    ("gzip", gzip.compress(RATINGS)), ("x-gzip", gzip.compress(RATINGS)),
    ("deflate", zlib.compress(RATINGS)), ("deflate", raw_deflate(RATINGS)),
    ("identity", RATINGS), ("", RATINGS)], ids=["gzip", "x-gzip", "deflate-zlib",
                                                "deflate-raw", "identity", "none"])
async def test_the_codings_asked_for_decode(server: LoopbackServer, coding: str,
                                            body: bytes) -> None:
    server.add(Behaviour(200, body, {"content-encoding": coding} if coding else {}))
    async with client(server) as api:
        result = await api.get_rating("library-music-videos", LIKED_ID)
    assert result.value == 1 and result.error is None
    assert server.seen[0].headers.get("Accept-Encoding") == "gzip, deflate"


@pytest.mark.parametrize("coding,body,words", [
    ("gzip, gzip", gzip.compress(gzip.compress(RATINGS)), "encoded 2 times over"),
    ("gzip,gzip,gzip", gzip.compress(gzip.compress(gzip.compress(RATINGS))),
     "encoded 3 times over"),
    ("br", RATINGS, "did not ask for (br)"),
    ("zstd", RATINGS, "did not ask for (zstd)"),
    ("gzip", b"\x1f\x8b\x08\x00garbage-not-a-gzip-stream", "could not be decoded"),
    ("gzip", gzip.compress(RATINGS)[:-12], "ends early"),
], ids=["stacked-2", "stacked-3", "br", "zstd", "corrupt", "truncated"])
async def test_stacked_unknown_and_broken_codings_are_refused(
        server: LoopbackServer, coding: str, body: bytes, words: str) -> None:
    server.add(Behaviour(200, body, {"content-encoding": coding}))
    async with client(server) as api:
        with pytest.raises(MalformedResponseError) as caught:
            await api.get_rating("library-music-videos", LIKED_ID)
    assert words in caught.value.message
    exchange = caught.value.exchange
    assert exchange is not None and exchange.error == "undecodable body"


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
async def test_a_bomb_stops_at_the_cap(server: LoopbackServer, coding: str) -> None:
    inflated = b"\x00" * (3 * 1024 * 1024)
    body = gzip.compress(inflated) if coding == "gzip" else zlib.compress(inflated)
    assert len(body) < 20_000
    server.add(Behaviour(200, body, {"content-encoding": coding}))
    async with client(server, max_body_bytes=1024 * 1024) as api:
        with pytest.raises(ResponseTooLargeError) as caught:
            await api.get_rating("library-music-videos", LIKED_ID)
    assert "decoded response is larger than the 1,048,576-byte cap" in caught.value.message


def test_a_one_gib_bomb_keeps_peak_memory_low(tmp_path: Any) -> None:
    # In a fresh interpreter, so the peak (ru_maxrss) is this lookup's alone: the 1 GiB of
    # zeros (about 1 MiB of gzip) must not raise the peak more than 64 MiB above the baseline.
    script = textwrap.dedent(f"""
        import asyncio, gzip, io, resource, sys
        sys.path.insert(0, {str(ROOT / 'tests')!r})
        from loopback import Behaviour, LoopbackServer
        from tui.api.client import RatingsClient
        from tui.api.errors import ResponseTooLargeError
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as packer:
            block = bytes(16 * 1024 * 1024)
            for _ in range(64):
                packer.write(block)
        del block
        body = buffer.getvalue()
        del buffer
        server = LoopbackServer().start()
        server.add(Behaviour(200, body, {{"content-encoding": "gzip"}}, path_contains="ratings"))
        async def main():
            async with RatingsClient("dev.fake.token", "user-fake-token", base_url=server.url,
                                     max_attempts=1) as api:
                await api.check_developer_token()  # connections and modules warm
                before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                try:
                    await api.get_rating("library-music-videos", "i.abc")
                except ResponseTooLargeError as exc:
                    print("refused:", exc.message)
                after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                print("grew_kib", after - before)
        asyncio.run(main())
        server.stop()
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "refused: the decoded response is larger than" in out.stdout, out.stdout
    grew = int(out.stdout.split("grew_kib")[1])
    assert grew < 64 * 1024, f"peak memory grew by {grew} KiB"


# --- every attempt bounded by --timeout ------------------------------------------------


@pytest.mark.parametrize("kind", ["trickle", "endless"])
async def test_a_slow_or_endless_body_ends_within_the_timeout(server: LoopbackServer,
                                                              kind: str) -> None:
    # Each read gets a byte well within the timeout; only the whole attempt is too slow.
    server.add(Behaviour(200, RATINGS, kind=kind, interval=0.1))
    started = time.monotonic()
    async with client(server, timeout=1.0) as api:
        with pytest.raises(RequestTimeoutError) as caught:
            await api.get_rating("library-music-videos", LIKED_ID)
    took = time.monotonic() - started
    assert "no complete answer from 127.0.0.1" in caught.value.message
    assert "(1 s)" in caught.value.message
    assert took < 4  # about the timeout, not the length of the body (or forever)
    exchange = caught.value.exchange
    assert exchange is not None and "the whole attempt" in (exchange.error or "")


def test_the_cli_stops_a_trickling_body_at_the_timeout(isolated_env: dict[str, str],
                                                       server: LoopbackServer) -> None:
    server.add(Behaviour(200, RATINGS * 20, kind="trickle", interval=0.05, times=None))
    env = {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": DEV,
           "APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN, "APPLE_MUSIC_API_BASE_URL": server.url}
    started = time.monotonic()
    result = run_cli(["--timeout", "1", "get", LIKED_ID], env, timeout=30)
    took = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "no complete answer from 127.0.0.1" in result.stderr
    assert took < 10
    assert len(server.seen) == 1  # not retried: the server did answer, too slowly


# --- a bounded number of requests per lookup --------------------------------------------


def refuse_ids(request: httpx.Request) -> httpx.Response:
    return httpx.Response(400, json={"errors": [{
        "id": "X", "title": "Invalid Parameter Value", "status": "400", "code": "40005",
        "detail": "Invalid ids", "source": {"parameter": "ids"}}]})


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_a_server_refusing_every_batch_is_not_bisected_forever(concurrency: int) -> None:
    sent: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(len(request.url.params["ids"].split(",")))
        return refuse_ids(request)

    ids = [str(100000 + n) for n in range(1000)]
    async with RatingsClient(DEV, DEMO_USER_TOKEN, transport=httpx.MockTransport(answer),
                             batch_size=100, concurrency=concurrency,
                             max_attempts=1) as api:
        results = await api.get_ratings("songs", ids)
        cap = max(REQUESTS_PER_BATCH * 10, MIN_REQUEST_CAP)
        assert len(sent) <= cap, f"{len(sent)} requests for 10 batches"
        assert all(r.error is not None and r.value is None for r in results)
        assert len(results) == 1000
        assert all(r.error is not None and r.error.status == 400 for r in results)
        stopped = [r for r in results if any("stopped this lookup" in n
                                             for n in r.error.notes)]  # type: ignore[union-attr]
        if len(sent) == cap:
            assert stopped  # the ids never sent say why
        # Nothing was learned: the next lookup starts at the full batch size again.
        sent.clear()
        await api.get_ratings("songs", ids[:200])
        assert sent[0] == 100


async def test_a_real_limit_is_still_found_and_kept() -> None:
    sent: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        ids = request.url.params["ids"].split(",")
        sent.append(len(ids))
        if len(ids) > 30:
            return refuse_ids(request)
        return httpx.Response(200, json={"data": [
            {"id": i, "type": "ratings", "attributes": {"value": 1}} for i in ids]})

    ids = [str(100000 + n) for n in range(1000)]
    async with RatingsClient(DEV, DEMO_USER_TOKEN, transport=httpx.MockTransport(answer),
                             batch_size=100, concurrency=4, max_attempts=1) as api:
        results = await api.get_ratings("songs", ids)
        assert all(r.value == 1 and r.error is None for r in results)
        # 40 batches of 25 at least; a few refused tries on the way there, no bisection tree.
        assert len(sent) <= REQUESTS_PER_BATCH * 40
        sent.clear()
        await api.get_ratings("songs", ids[:100])
        assert sent and max(sent) <= 30 and not any(n > 30 for n in sent)
