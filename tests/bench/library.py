"""The library measurements: a whole-library walk against a 100 ms loopback API.

1. ``amratings library --jsonl`` of 10,000 library songs (``--library-size``) at 4 requests in
   flight, against the floor (pages + rating batches) / in flight x 100 ms (10,000 songs: 200
   requests, 5.0 s). The start-up of a process (a ``get`` of one id minus its one round trip)
   is taken off the walk's time; both are printed.
2. Peak memory (the process's maximum RSS, from ``wait4``) of that walk with ``--jsonl``,
   against a ``get`` of one id: rows stream out, so the walk should not hold the library.
3. ``get --names`` of 1,000 ids against ``get`` of the same ids: what the names cost.

Each command runs as a separate process (the installed ``amratings``), alternating, and its
output is checked (every listed song once, in library order, with the stored rating).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

from tui.api.simulated import SimulatedAppleMusic, make_demo_developer_token

from .common import amratings_command, clean_env
from .server import LoopbackApi
from .stats import ms, ratio, spread, verdict

USER_TOKEN = "bench-music-user-token-NOT-REAL-0001"
DELAY = 0.1
IN_FLIGHT = 4
PAGE = 100
DEFAULT_SIZE = 10_000


@dataclass
class LibraryResult:
    """The timings and peaks of the library benchmark."""

    size: int
    walk: list[float] = field(default_factory=list)
    startup: list[float] = field(default_factory=list)
    walk_rss: list[int] = field(default_factory=list)
    one_rss: list[int] = field(default_factory=list)
    plain: list[float] = field(default_factory=list)
    names: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    max_in_flight: list[int] = field(default_factory=list)

    @property
    def floor(self) -> float:
        """(pages + rating batches) / requests in flight x latency."""
        pages = -(-self.size // PAGE)
        return 2 * pages / IN_FLIGHT * DELAY

    @property
    def walk_ratios(self) -> list[float]:
        """Per run: the walk without the start-up, over the floor."""
        return [(w - s) / self.floor for w, s in zip(self.walk, self.startup, strict=True)]

    @property
    def rss_ratios(self) -> list[float]:
        """Per pair: the walk's peak RSS over one id's."""
        return [w / o for w, o in zip(self.walk_rss, self.one_rss, strict=True)]

    @property
    def names_cost(self) -> list[float]:
        """Per pair: ``get --names`` minus ``get`` of the same 1,000 ids."""
        return [n - p for n, p in zip(self.names, self.plain, strict=True)]


def _run(args: list[str], env: dict[str, str], stdin: str | None = None
         ) -> tuple[float, int, str]:
    """Run amratings; return the wall time, the peak RSS in bytes and stdout."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen([*amratings_command(), *args], env=env, stdout=out,
                                   stderr=err, stdin=subprocess.PIPE if stdin else None,
                                   text=True)
        if stdin is not None and process.stdin is not None:
            process.stdin.write(stdin)
            process.stdin.close()
        _, status, usage = os.wait4(process.pid, 0)
        took = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(f"amratings {args[0]} exited {process.returncode}: "
                               f"{err.read().strip()[:500]}")
        return took, usage.ru_maxrss * 1024, out.read()


def measure(repetitions: int, size: int = DEFAULT_SIZE) -> LibraryResult:
    """Alternate, ``repetitions`` times: a 1-id get, the walk, get and get --names of 1,000."""
    simulation = SimulatedAppleMusic(developer_tokens=None, user_tokens={USER_TOKEN},
                                     library_size=size)
    songs = simulation.library.library["songs"]
    listed = [item.id for item in songs if not item.hidden]
    some = listed[:1000]
    env = clean_env(APPLE_MUSIC_DEVELOPER_TOKEN=make_demo_developer_token(),
                    APPLE_MUSIC_USER_TOKEN=USER_TOKEN)
    result = LibraryResult(size)
    with LoopbackApi(simulation, delay=DELAY) as api:
        base = ["--base-url", api.base_url, "--concurrency", str(IN_FLIGHT), "-q"]
        one = [*base, "get", "--type", "library-songs", "--json", listed[0]]
        _run(one, env)  # warm the file cache before anything is timed
        for _ in range(repetitions):
            took, rss, _ = _run(one, env)
            result.startup.append(max(took - DELAY, 0.0))
            result.one_rss.append(rss)
            api.reset_counters()
            took, rss, out = _run([*base, "library", "--jsonl"], env)
            result.requests.append(api.requests)
            result.max_in_flight.append(api.max_in_flight)
            _check_walk(out, listed, simulation)
            result.walk.append(took)
            result.walk_rss.append(rss)
            ids = "\n".join(some)
            took, _, out = _run([*base, "get", "--type", "library-songs", "--json", "-"], env,
                                ids)
            if [r["id"] for r in json.loads(out)] != some:
                raise RuntimeError("get output is not one object per id in input order")
            result.plain.append(took)
            took, _, out = _run([*base, "get", "--type", "library-songs", "--names", "--json",
                                 "-"], env, ids)
            rows = json.loads(out)
            if [r["id"] for r in rows] != some or not all(r["name"] for r in rows):
                raise RuntimeError("get --names output lacks names or order")
            result.names.append(took)
    return result


def _check_walk(out: str, listed: list[str], simulation: SimulatedAppleMusic) -> None:
    rows = [json.loads(line) for line in out.splitlines()]
    if [r["id"] for r in rows] != listed:
        raise RuntimeError(f"the walk printed {len(rows)} rows, not the {len(listed)} listed "
                           "songs in library order")
    for row in rows[::97]:
        if row["value"] != simulation.rating_of("library-songs", row["id"]):
            raise RuntimeError(f"the walk's rating of {row['id']} is wrong")


def report(result: LibraryResult) -> list[str]:
    """The lines the benchmark prints."""
    walk_ratio = spread(result.walk_ratios)[1]
    rss_ratio = spread(result.rss_ratios)[1]
    cost = spread(result.names_cost)[1]
    mib = 2 ** 20
    return [
        f"  library of {result.size} songs: {sorted(set(result.requests))} requests, "
        f"max in flight {min(result.max_in_flight)}-{max(result.max_in_flight)}; "
        f"floor {result.floor:.2f} s",
        f"  walk (whole process)     {ms(result.walk)}",
        f"  start-up (1-id get - RTT){ms(result.startup)}",
        f"  walk / floor             {ratio(result.walk_ratios)} target <= 1.3 "
        f"{verdict(walk_ratio, 1.3)}",
        f"  peak RSS walk --jsonl    {spread(result.walk_rss)[1] / mib:.1f} MiB vs 1-id get "
        f"{spread(result.one_rss)[1] / mib:.1f} MiB (medians)",
        f"  peak RSS ratio           {ratio(result.rss_ratios)} target <= 1.5 "
        f"{verdict(rss_ratio, 1.5)}",
        f"  get 1000 ids             {ms(result.plain)}",
        f"  get --names 1000 ids     {ms(result.names)}",
        f"  names cost (per pair)    {ms(result.names_cost)}   target <= 300 ms "
        f"{verdict(cost, 0.3)}",
    ]
