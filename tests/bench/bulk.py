"""Measurement 2: ``amratings get --json -`` with 1000 ids against a 100 ms loopback API.

The 1000-id command and the 1-id command run alternately as separate processes; the difference
of each pair is what batching and concurrency cost beyond one round trip (start-up, imports
and the token check cancel out). The server reports how many requests were in flight at once.
"""

from __future__ import annotations

import json
import random
import string
import subprocess
import time
from dataclasses import dataclass, field

from tui.api.simulated import SimulatedAppleMusic, make_demo_developer_token

from .common import amratings_command, clean_env
from .server import LoopbackApi
from .stats import ms, spread, verdict

USER_TOKEN = "bench-music-user-token-NOT-REAL-0001"
RATING_TYPE = "library-songs"
DELAY = 0.1


@dataclass
class BulkResult:
    """The timings of one bulk benchmark."""

    one: list[float] = field(default_factory=list)
    many: list[float] = field(default_factory=list)
    max_in_flight: list[int] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    sequential: float | None = None

    @property
    def differences(self) -> list[float]:
        """Per pair: 1000 ids minus 1 id."""
        return [m - o for m, o in zip(self.many, self.one, strict=True)]


def make_ids(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct, valid library-song ids (``i.`` and 14 letters/digits)."""
    alphabet = string.ascii_letters + string.digits
    ids: dict[str, None] = {}
    while len(ids) < count:
        ids["i." + "".join(rng.choices(alphabet, k=14))] = None
    return list(ids)


def _run_get(ids: list[str], base_url: str, env: dict[str, str],
             *extra: str) -> tuple[float, list[dict[str, object]]]:
    command = [*amratings_command(), "get", "--type", RATING_TYPE, "--json",
               "--base-url", base_url, *extra, "-"]
    start = time.perf_counter()
    done = subprocess.run(command, input="\n".join(ids) + "\n", env=env, capture_output=True,
                          text=True, timeout=120)
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"amratings get exited {done.returncode}: {done.stderr.strip()}")
    return took, json.loads(done.stdout)


def _check(output: list[dict[str, object]], ids: list[str],
           simulation: SimulatedAppleMusic) -> None:
    """The output has one object per id, in input order, with the stored rating."""
    got = [item["id"] for item in output]
    if got != ids:
        raise RuntimeError("bulk output is not one object per id in input order")
    for item in output:
        want = simulation.rating_of(RATING_TYPE, str(item["id"]))
        if item["value"] != want or "error" in item:
            raise RuntimeError(f"bulk output is wrong for {item['id']}: {item} (want {want})")


def measure(repetitions: int, *, with_sequential: bool = True, seed: int = 5) -> BulkResult:
    """Run ``repetitions`` alternating pairs (1 id, 1000 ids) and, for reference, one run with
    batches one at a time."""
    rng = random.Random(seed)
    ids = make_ids(1000, rng)
    simulation = SimulatedAppleMusic(developer_tokens=None, user_tokens={USER_TOKEN}, seed=False)
    # A third liked, a third disliked, a third unrated (left out of Apple's multi-get answer),
    # so the order and the values of the output can both be checked.
    for index, item_id in enumerate(ids):
        if index % 3 != 2:
            simulation.ratings[(RATING_TYPE, item_id)] = 1 if index % 3 == 0 else -1
    env = clean_env(APPLE_MUSIC_DEVELOPER_TOKEN=make_demo_developer_token(),
                    APPLE_MUSIC_USER_TOKEN=USER_TOKEN)
    result = BulkResult()
    with LoopbackApi(simulation, delay=DELAY) as api:
        _run_get(ids[:1], api.base_url, env)  # warm the file cache before anything is timed
        for _ in range(repetitions):
            took, output = _run_get(ids[:1], api.base_url, env)
            _check(output, ids[:1], simulation)
            result.one.append(took)
            api.reset_counters()
            took, output = _run_get(ids, api.base_url, env)
            _check(output, ids, simulation)
            result.many.append(took)
            result.max_in_flight.append(api.max_in_flight)
            result.requests.append(api.requests)
        if with_sequential:
            took, output = _run_get(ids, api.base_url, env, "--concurrency", "1")
            _check(output, ids, simulation)
            result.sequential = took
    return result


def report(result: BulkResult) -> list[str]:
    """The lines the benchmark prints."""
    diff = spread(result.differences)
    lines = [
        f"  1 id                     {ms(result.one)}",
        f"  1000 ids                 {ms(result.many)}",
        f"  difference (per pair)    {ms(result.differences)}   target <= 400 ms "
        f"{verdict(diff[1], 0.40)}",
        f"  max requests in flight   {min(result.max_in_flight)} / "
        f"{sorted(result.max_in_flight)[len(result.max_in_flight) // 2]} / "
        f"{max(result.max_in_flight)}   target >= 3 "
        f"{verdict(min(result.max_in_flight), 3, at_least=True)}",
        f"  requests per 1000 ids    {sorted(set(result.requests))}",
        "  output                   one object per id, input order, values match the server",
    ]
    if result.sequential is not None:
        lines.append(f"  reference: --concurrency 1, 1000 ids: {result.sequential * 1000:.0f} ms "
                     f"(one run)")
    return lines
