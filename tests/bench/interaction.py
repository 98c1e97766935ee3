"""Measurement 4: how quickly the app answers, in-process with Textual's pilot.

Textual's headless driver composes every frame but skips turning it into terminal output, so
the clock below wraps ``App._display`` and does that work itself (``render_segments``): a frame
counts as painted once its terminal output exists. Two figures:

- Enter to the painted result, on the embedded simulation with no latency: a fresh app's first
  lookup (which also builds the HTTP client) and a second lookup in the same app;
- with 1000 ids loading on a slow transport, the time from a key press to the frame that shows
  its effect, and the loaded-row counts of the frames in between (the table fills batch by
  batch, not all at the end).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual import events

from tui.api.simulated import DEMO_USER_TOKEN, SimulatedAppleMusic, make_demo_developer_token
from tui.app import AmRatingsApp
from tui.config import AppConfig
from tui.tokens.store import StoredToken, TokenPair, TokenSource
from tui.widgets.rating_badge import LIKED, LOADING
from tui.widgets.results import ResultsTable

from .bulk import make_ids
from .stats import ms, spread, verdict

SIZE = (100, 30)
RATING_TYPE = "library-music-videos"
FIRST_ID, SECOND_ID = "i.NJv00rkTEaLK51", "i.4wKvA9ZQo1RZb3"  # both liked in the seed data
SLOW_LATENCY = 0.25


def demo_tokens() -> TokenPair:
    """The demo tokens, given to the app so no keyring or environment is read."""
    return TokenPair(StoredToken("developer", make_demo_developer_token(), TokenSource.DEMO),
                     StoredToken("user", DEMO_USER_TOKEN, TokenSource.DEMO))


class FrameClock:
    """Timestamps the app's painted frames and resolves waits on what a frame shows."""

    def __init__(self, app: AmRatingsApp) -> None:
        self.app = app
        self.frames = 0
        self.on_frame: Callable[[str], None] | None = None
        self._waiting: list[tuple[Callable[[str], bool], asyncio.Future[float]]] = []
        self._original = app._display
        app._display = self._display  # type: ignore[method-assign]

    def _display(self, screen: Any, renderable: Any) -> None:
        self._original(screen, renderable)
        if renderable is None or not hasattr(renderable, "render_segments"):
            return
        text = renderable.render_segments(self.app.console)
        now = time.perf_counter()
        self.frames += 1
        if self.on_frame is not None:
            self.on_frame(text)
        for predicate, future in list(self._waiting):
            if not future.done() and predicate(text):
                future.set_result(now)
                self._waiting.remove((predicate, future))

    async def until(self, predicate: Callable[[str], bool], timeout: float = 20.0) -> float:
        """``perf_counter()`` of the first frame from now on for which ``predicate(frame text)``
        holds (the app's state may be read in the predicate: frames are composed synchronously
        from it)."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting.append((predicate, future))
        return await asyncio.wait_for(future, timeout)


def press(app: AmRatingsApp, key: str) -> float:
    """Send one key as the terminal driver would; returns when it was sent."""
    event = events.Key(key, None)
    event.set_sender(app)
    assert app._driver is not None
    app._driver.send_message(event)
    return time.perf_counter()


def table_of(app: AmRatingsApp) -> ResultsTable:
    """The browser's results table."""
    return app.screen.query_one(ResultsTable)


async def _ready(app: AmRatingsApp, pilot: Any) -> None:
    # Let the post-first-frame work (the service-layer warm-up thread) finish, as a user's
    # first keystrokes normally arrive after it.
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def _lookup(app: AmRatingsApp, clock: FrameClock, item_id: str) -> float:
    from tui.widgets.id_pane import IdPane

    pane = app.screen.query_one(IdPane)
    pane.set_ids([item_id])
    pane.focus_ids()
    await asyncio.sleep(0.05)

    def shows_result(text: str) -> bool:
        rows = table_of(app).rows_state
        return (len(rows) == 1 and rows[0].item_id == item_id and rows[0].word == LIKED
                and "Liked" in text.replace("Disliked", ""))

    waiting = asyncio.ensure_future(clock.until(shows_result))
    await asyncio.sleep(0)
    sent = press(app, "enter")
    return await waiting - sent


async def zero_latency_lookups() -> tuple[float, float]:
    """(first lookup, second lookup) in a fresh app, Enter to painted result, in seconds."""
    app = AmRatingsApp(AppConfig(demo=True), transport=SimulatedAppleMusic(),
                       tokens=demo_tokens())
    async with app.run_test(size=SIZE) as pilot:
        clock = FrameClock(app)
        await _ready(app, pilot)
        first = await _lookup(app, clock, FIRST_ID)
        second = await _lookup(app, clock, SECOND_ID)
        await app.action_quit()
    return first, second


@dataclass
class LoadingRun:
    """One 1000-id lookup on the slow transport."""

    to_rows: float = 0.0
    to_done: float = 0.0
    key_latencies: list[float] = field(default_factory=list)
    #: Loaded-row counts of the frames that changed it, in order.
    fill_steps: list[int] = field(default_factory=list)


async def loading_run(seed: int) -> LoadingRun:
    """Submit 1000 ids with ``SLOW_LATENCY`` per request; press keys until they are loaded."""
    from tui.widgets.id_pane import IdPane

    ids = make_ids(1000, random.Random(seed))
    simulation = SimulatedAppleMusic(latency=SLOW_LATENCY)
    for item_id in ids[::2]:
        simulation.ratings[(RATING_TYPE, item_id)] = 1
    app = AmRatingsApp(AppConfig(demo=True), transport=simulation, tokens=demo_tokens())
    run = LoadingRun()
    async with app.run_test(size=SIZE) as pilot:
        clock = FrameClock(app)
        await _ready(app, pilot)
        pane = app.screen.query_one(IdPane)
        pane.set_ids(ids)
        pane.focus_ids()
        await pilot.pause()

        def loaded() -> int:
            return sum(1 for row in table_of(app).rows_state if row.word != LOADING)

        def note_fill(_: str) -> None:
            count = loaded()
            if len(table_of(app).rows_state) == len(ids) and \
                    (not run.fill_steps or run.fill_steps[-1] != count):
                run.fill_steps.append(count)

        clock.on_frame = note_fill
        rows_shown = asyncio.ensure_future(
            clock.until(lambda _: len(table_of(app).rows_state) == len(ids)))
        all_loaded = asyncio.ensure_future(clock.until(lambda _: loaded() == len(ids)))
        await asyncio.sleep(0)
        sent = press(app, "enter")
        run.to_rows = await rows_shown - sent
        # First key: down from the ids input focuses the table; then each down moves the cursor.
        table = table_of(app)
        focused = asyncio.ensure_future(clock.until(lambda _: table.has_focus))
        await asyncio.sleep(0)
        sent_key = press(app, "down")
        run.key_latencies.append(await focused - sent_key)
        while not all_loaded.done():
            row = table.cursor_row
            moved = asyncio.ensure_future(clock.until(lambda _, r=row: table.cursor_row > r))
            await asyncio.sleep(0)
            sent_key = press(app, "down")
            run.key_latencies.append(await moved - sent_key)
            await asyncio.sleep(0.03)  # a fast typist's pace, not a flood
        run.to_done = await all_loaded - sent
        await app.action_quit()
    return run


@dataclass
class InteractionResult:
    """All runs of measurement 4."""

    first: list[float] = field(default_factory=list)
    second: list[float] = field(default_factory=list)
    loading: list[LoadingRun] = field(default_factory=list)


def measure(repetitions: int) -> InteractionResult:
    """``repetitions`` fresh apps for the zero-latency lookups; a third as many 1000-id runs
    (each presses dozens of keys)."""
    result = InteractionResult()
    for _ in range(repetitions):
        first, second = asyncio.run(zero_latency_lookups())
        result.first.append(first)
        result.second.append(second)
    for index in range(max(2, repetitions // 3)):
        result.loading.append(asyncio.run(loading_run(seed=index)))
    return result


def report(result: InteractionResult) -> list[str]:
    """The lines the benchmark prints."""
    keys = [k for run in result.loading for k in run.key_latencies]
    steps = result.loading[0].fill_steps
    partial = [len([s for s in run.fill_steps if 0 < s < 1000]) for run in result.loading]
    return [
        "  Enter -> painted result, zero-latency transport:",
        f"    first lookup (builds the client) {ms(result.first)}   target <= 50 ms "
        f"{verdict(spread(result.first)[1], 0.05)}",
        f"    second lookup                    {ms(result.second)}   target <= 50 ms "
        f"{verdict(spread(result.second)[1], 0.05)}",
        f"  1000 ids, {SLOW_LATENCY * 1000:.0f} ms per request ({len(result.loading)} runs):",
        f"    Enter -> 1000 loading rows painted {ms([r.to_rows for r in result.loading])}",
        f"    Enter -> all 1000 painted          {ms([r.to_done for r in result.loading])}",
        f"    key press -> painted ({len(keys)} keys) {ms(keys)}   target < 100 ms "
        f"(max) {verdict(max(keys), 0.1)}",
        f"    keys over 100 ms: {sum(k > 0.1 for k in keys)}; the first key of each run (it "
        f"moves focus into the 1000-row table): "
        f"{', '.join(f'{r.key_latencies[0] * 1000:.0f}' for r in result.loading)} ms",
        f"    frames with a partly filled table: {partial} per run; loaded rows by frame "
        f"(run 1): {steps}",
    ]
