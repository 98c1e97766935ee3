"""Measurement 5: the library screen with 10,000 library songs behind a 100 ms loopback API.

The simulated API runs in a process of its own (``python -m tests.bench.library_tui serve``),
so its work never competes with the app's event loop for the interpreter lock. The app runs
in-process under Textual's pilot with the frame clock of :mod:`tests.bench.interaction`, and
talks to the server over real sockets (``--base-url http://127.0.0.1:PORT``). Five figures:

- f6 (the library screen opens) to the first painted rows;
- f6 to every row painted with its name and rating, against ``amratings library --jsonl``
  on the same server in the same run (the CLI's whole walk);
- key presses (cursor moves) while the walk runs: press to the frame that shows the move;
- a text filter over the 10,000 loaded rows: each typed key to the frame that shows its rows;
- peak memory (VmHWM) of a fresh headless app with the 10,000 rows loaded, less the same
  app's after one lookup in the browser (``python -m tests.bench.library_tui memory``).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .common import ROOT, amratings_command, clean_env
from .stats import mib, ms, ratio, spread, verdict

USER_TOKEN = "bench-music-user-token-NOT-REAL-0001"
SONGS = 10_000
DELAY = 0.1
SIZE = (100, 30)
#: What the filter benchmark types, then erases (each key a repaint over all rows).
FILTER_KEYS = ("e", "r", "backspace", "backspace", "s", "t", "a", "backspace", "backspace",
               "backspace")


def songs_from_env() -> int:
    """The library size: 10,000, or ``AMRATINGS_BENCH_SONGS`` (a smoke run at a tiny size)."""
    return int(os.environ.get("AMRATINGS_BENCH_SONGS", SONGS))


# -- the server, in its own process -----------------------------------------------------


def serve(size: int, delay: float) -> None:
    """Serve the simulated API with a library of ``size`` songs after ``delay`` seconds per
    request; print the base URL, then serve until stdin closes."""
    from tui.api.simulated import SimulatedAppleMusic

    from .server import LoopbackApi

    simulation = SimulatedAppleMusic(developer_tokens=None, user_tokens={USER_TOKEN},
                                     library_size=size)
    simulation.library  # noqa: B018  (build the library before the first request)
    with LoopbackApi(simulation, delay=delay) as api:
        print(api.base_url, flush=True)
        sys.stdin.read()


class ServerProcess:
    """:func:`serve` in a subprocess; ``base_url`` once it listens."""

    def __init__(self, size: int = SONGS, delay: float = DELAY) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.library_tui", "serve", str(size), str(delay)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
            env=clean_env())
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()
        if not self.base_url.startswith("http://"):
            raise RuntimeError("the benchmark's API server did not start")

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


def tokens() -> Any:
    """The tokens the server accepts (a demo developer token, an obviously fake user token)."""
    from tui.api.simulated import make_demo_developer_token
    from tui.tokens.store import StoredToken, TokenPair, TokenSource

    return TokenPair(StoredToken("developer", make_demo_developer_token(), TokenSource.ENV),
                     StoredToken("user", USER_TOKEN, TokenSource.ENV))


# -- the CLI's walk -----------------------------------------------------------------------


def cli_walk(base_url: str) -> float | None:
    """Seconds ``amratings library --jsonl`` takes on the server (None if the command is not
    there yet)."""
    from tui.api.simulated import make_demo_developer_token

    env = clean_env(APPLE_MUSIC_DEVELOPER_TOKEN=make_demo_developer_token(),
                    APPLE_MUSIC_USER_TOKEN=USER_TOKEN)
    command = [*amratings_command(), "--base-url", base_url, "library", "--type",
               "library-songs", "--jsonl"]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    took = time.perf_counter() - start
    if done.returncode == 2 and "library" in done.stderr:
        return None
    if done.returncode != 0:
        raise RuntimeError(f"amratings library exited {done.returncode}: "
                           f"{done.stderr.strip()[-300:]}")
    lines = done.stdout.count("\n")
    if lines < 0.9 * SONGS_RUN[0]:
        raise RuntimeError(f"amratings library printed {lines} rows")
    return took


#: The library size of the current run (the CLI check reads it).
SONGS_RUN = [SONGS]


# -- the TUI ------------------------------------------------------------------------------


@dataclass
class LibraryRun:
    """One library screen run."""

    to_first_rows: float = 0.0
    to_all: float = 0.0
    rows: int = 0
    key_latencies: list[float] = field(default_factory=list)
    filter_latencies: list[float] = field(default_factory=list)


async def library_run(base_url: str) -> LibraryRun:
    """Open the library screen, press keys while it loads, then type a filter."""
    from tui.app import AmRatingsApp
    from tui.config import AppConfig
    from tui.screens.library import LibraryScreen

    from .interaction import FrameClock, _ready, press

    app = AmRatingsApp(AppConfig(base_url=base_url), tokens=tokens())
    run = LibraryRun()
    async with app.run_test(size=SIZE) as pilot:
        clock = FrameClock(app)
        await _ready(app, pilot)

        def screen() -> LibraryScreen | None:
            current = app.screen
            return current if isinstance(current, LibraryScreen) else None

        def has_rows(_: str) -> bool:
            shown = screen()
            return shown is not None and shown.table.row_count > 0

        def all_in(_: str) -> bool:
            shown = screen()
            return shown is not None and shown.listing.done and not shown.listing.busy

        first = asyncio.ensure_future(clock.until(has_rows, timeout=60))
        done = asyncio.ensure_future(clock.until(all_in, timeout=300))
        await asyncio.sleep(0)
        opened = press(app, "f6")
        run.to_first_rows = await first - opened
        library = screen()
        assert library is not None
        table = library.table
        while not done.done():
            row = table.cursor
            moved = asyncio.ensure_future(
                clock.until(lambda _, r=row: table.cursor > r or done.done(), timeout=30))
            await asyncio.sleep(0)
            sent = press(app, "down")
            painted = await moved
            if table.cursor > row:
                run.key_latencies.append(painted - sent)
            await asyncio.sleep(0.03)  # a fast typist's pace, not a flood
        run.to_all = await done - opened
        run.rows = len(library.listing.view.rows)
        # The text filter over every row: each key's effect painted.
        shown_input = asyncio.ensure_future(clock.until(lambda _: library.input_row.display))
        await asyncio.sleep(0)
        press(app, "slash")
        await shown_input
        typed = ""
        for key in FILTER_KEYS:
            typed = typed[:-1] if key == "backspace" else typed + key
            filtered = asyncio.ensure_future(clock.until(
                lambda _, t=typed: library.listing.view.text == t))
            await asyncio.sleep(0)
            sent = press(app, key)
            run.filter_latencies.append(await filtered - sent)
            await asyncio.sleep(0.05)
        await app.action_quit()
    return run


# -- memory, in a fresh process -------------------------------------------------------------


def peak_rss() -> int:
    """This process's peak resident memory (VmHWM), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


async def _memory(base_url: str) -> tuple[int, int]:
    from textual.widgets import Input

    from tui.app import AmRatingsApp
    from tui.config import AppConfig
    from tui.screens.library import LibraryScreen

    app = AmRatingsApp(AppConfig(base_url=base_url, rating_type="library-songs"),
                       tokens=tokens())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        ids = app.screen.query_one("#ids", Input)
        ids.value = "i.7PJNN4mfXlD68R"
        ids.focus()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        after_lookup = peak_rss()
        await pilot.press("f6")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LibraryScreen) and screen.listing.done
        if len(screen.listing.view.rows) < 0.9 * SONGS_RUN[0]:
            raise RuntimeError(f"only {len(screen.listing.view.rows)} rows loaded")
        loaded = peak_rss()
        await app.action_quit()
    return after_lookup, loaded


def memory_child(base_url: str, size: int) -> None:
    """In a fresh process: print the peak memory after one lookup and with the library
    loaded, as JSON."""
    SONGS_RUN[0] = size
    after_lookup, loaded = asyncio.run(_memory(base_url))
    print(json.dumps({"after_lookup": after_lookup, "loaded": loaded}))


def memory_run(base_url: str) -> tuple[int, int]:
    """(peak after one lookup, peak with the library loaded) of a fresh process."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.library_tui", "memory", base_url,
         str(SONGS_RUN[0])], capture_output=True, text=True, cwd=ROOT, env=clean_env(),
        timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"memory run failed: {done.stderr.strip()[-500:]}")
    got = json.loads(done.stdout.strip().splitlines()[-1])
    return got["after_lookup"], got["loaded"]


# -- the benchmark ------------------------------------------------------------------------


@dataclass
class LibraryResult:
    """All runs of measurement 5."""

    runs: list[LibraryRun] = field(default_factory=list)
    cli: list[float | None] = field(default_factory=list)
    memory: list[tuple[int, int]] = field(default_factory=list)


def measure(repetitions: int, size: int = SONGS) -> LibraryResult:
    """``repetitions`` alternating runs of the CLI's walk and the library screen, and as many
    memory runs, all on one server."""
    SONGS_RUN[0] = size
    result = LibraryResult()
    with ServerProcess(size) as server:
        for _ in range(repetitions):
            result.cli.append(cli_walk(server.base_url))
            result.runs.append(asyncio.run(library_run(server.base_url)))
            result.memory.append(memory_run(server.base_url))
    return result


def report(result: LibraryResult) -> list[str]:
    """The lines the benchmark prints."""
    runs = result.runs
    keys = [k for run in runs for k in run.key_latencies]
    filters = [k for run in runs for k in run.filter_latencies]
    first = [r.to_first_rows for r in runs]
    whole = [r.to_all for r in runs]
    lines = [
        f"  {SONGS_RUN[0]:,} library songs, {DELAY * 1000:.0f} ms per request; rows loaded: "
        f"{sorted({r.rows for r in runs})}",
        f"  f6 -> first rows painted     {ms(first)}   target <= 500 ms "
        f"{verdict(spread(first)[1], 0.5)}",
        f"  f6 -> every row painted      {ms(whole)}",
    ]
    cli = [c for c in result.cli if c is not None]
    if len(cli) == len(whole):
        ratios = [w / c for w, c in zip(whole, cli, strict=True)]
        lines += [f"  `amratings library --jsonl`  {ms(cli)}",
                  f"  library screen / CLI         {ratio(ratios)} target <= 1.3 "
                  f"{verdict(spread(ratios)[1], 1.3)}"]
    else:
        lines.append("  `amratings library`: not available yet, no ratio")
    if keys:
        lines.append(f"  key press while loading ({len(keys)} keys) {ms(keys)}   targets: "
                     f"max < 100 ms {verdict(max(keys), 0.1)}, median < 20 ms "
                     f"{verdict(spread(keys)[1], 0.02)}")
    lines.append(f"  text filter key over all rows ({len(filters)} keys) {ms(filters)}   "
                 f"target < 50 ms (max) {verdict(max(filters), 0.05)}")
    extra = [loaded - lookup for lookup, loaded in result.memory]
    lines.append(f"  peak memory, library loaded minus after one lookup {mib(extra)}   "
                 f"target <= 25 MiB {verdict(spread(extra)[1], 25 * 2**20)}")
    return lines


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), float(sys.argv[3]))
    elif sys.argv[1] == "memory":
        memory_child(sys.argv[2], int(sys.argv[3]))
    else:
        raise SystemExit("usage: python -m tests.bench.library_tui serve SIZE DELAY | "
                         "memory BASE_URL SIZE")
