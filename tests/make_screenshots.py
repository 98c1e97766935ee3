"""Regenerate ``screenshots/``: an SVG of each main screen, drawn from the demo backend.

    .venv/bin/python tests/make_screenshots.py [OUTPUT_DIR]

Everything is pinned (the demo token's issue time, request durations, no cursor blink, colour
on), so running it twice gives the same files and a diff shows only real changes. No network,
no real token: the pictures show the simulated API with demo tokens, by fingerprint only.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from repo_kit import ROOT  # (this script's folder is on sys.path)

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot
from textual.widgets import Input

from tui.api import client as client_module
from tui.api.simulated import (
    DEMO_USER_TOKEN,
    SimulatedAppleMusic,
    make_demo_developer_token,
)
from tui.app import AmRatingsApp
from tui.config import AppConfig
from tui.tokens.store import StoredToken, TokenPair, TokenSource

#: 2026-01-01T00:00:00Z, as in the snapshot tests.
FIXED_NOW = 1_767_225_600.0
#: The ids F4 fills in on the demo.
SAMPLE = " ".join(SimulatedAppleMusic.sample_ids("library-music-videos"))
REVOKED_USER_TOKEN = "revoked-demo-user-token-0000"

Step = Callable[[Pilot[Any]], Awaitable[None]]


def demo_pair(user: str = DEMO_USER_TOKEN) -> TokenPair:
    """The demo tokens on the pinned clock."""
    return TokenPair(
        StoredToken("developer", make_demo_developer_token(now=FIXED_NOW), TokenSource.DEMO),
        StoredToken("user", user, TokenSource.DEMO))


def pin_everything() -> None:
    """No cursor blink, no retry waits, 12 ms per request, colour on."""
    os.environ.pop("NO_COLOR", None)
    Input._toggle_cursor = lambda self: None  # type: ignore[method-assign]
    client_module.RatingsClient._backoff = lambda self, attempt: 0.0  # type: ignore[method-assign]
    ticks = itertools.count()
    client_module.time = SimpleNamespace(  # type: ignore[assignment]
        monotonic=lambda: next(ticks) * 0.012, time=time.time)


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and the screen repaint."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def look_up(pilot: Pilot[Any], ids: str = SAMPLE) -> None:
    """Type ids and press Enter."""
    await pilot.pause()
    pilot.app.screen.query_one("#ids", Input).value = ids
    await pilot.press("enter")
    await settle(pilot)


async def results(pilot: Pilot[Any]) -> None:
    await look_up(pilot)
    await pilot.press("down", "down")


async def inspector(pilot: Pilot[Any]) -> None:
    await look_up(pilot)
    await pilot.press("down", "i")
    await settle(pilot)


async def tokens(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.press("f2")
    await settle(pilot)


async def nothing(pilot: Pilot[Any]) -> None:
    await settle(pilot)


async def library(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("f6")
    await settle(pilot)
    await pilot.press("down", "down", "space", "down", "space", "down")
    await settle(pilot)


async def library_liked_filtered(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("f6")
    await settle(pilot)
    await pilot.press("2", "slash", *"heart")
    await settle(pilot)


#: file name -> (size, user token, steps)
SCREENS: dict[str, tuple[tuple[int, int], str, Step]] = {
    "library.svg": ((100, 28), DEMO_USER_TOKEN, library),
    "library-liked-filter.svg": ((100, 28), DEMO_USER_TOKEN, library_liked_filtered),
    "browser-empty.svg": ((100, 28), DEMO_USER_TOKEN, nothing),
    "browser-results.svg": ((100, 28), DEMO_USER_TOKEN, results),
    "error-panel-403.svg": ((100, 28), REVOKED_USER_TOKEN, look_up),
    "request-inspector.svg": ((100, 28), DEMO_USER_TOKEN, inspector),
    "token-setup.svg": ((100, 32), DEMO_USER_TOKEN, tokens),
    "small-terminal-50x14.svg": ((50, 14), DEMO_USER_TOKEN, results),
}


async def shoot(name: str, size: tuple[int, int], user: str, steps: Step) -> str:
    """One screen as SVG."""
    sim = SimulatedAppleMusic(clock=lambda: FIXED_NOW + 60)
    app = AmRatingsApp(AppConfig(demo=True), transport=sim, tokens=demo_pair(user),
                       clock=lambda: FIXED_NOW + 60)
    async with app.run_test(size=size) as pilot:
        await steps(pilot)
        return app.export_screenshot(title=f"amratings --demo · {name.removesuffix('.svg')}")


def generate(out: Path) -> list[Path]:
    """Write every screen into ``out``; return the files."""
    pin_everything()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (size, user, steps) in SCREENS.items():
        svg = asyncio.run(shoot(name, size, user, steps))
        path = out / name
        path.write_text(svg, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
    for path in generate(target):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
