"""Fixtures for the TUI tests, after Harlequin and Dolphie: no cursor blink, a fake clipboard,
a pinned clock, NO_COLOR unset, no retry waits, and the demo backend with fixed tokens, so every
picture is the same on every run."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Input

from tui.api import client as client_module
from tui.api.simulated import DEMO_USER_TOKEN, SimulatedAppleMusic, make_demo_developer_token
from tui.app import AmRatingsApp
from tui.config import AppConfig
from tui.tokens.store import StoredToken, TokenPair, TokenSource

#: 2026-01-01T00:00:00Z: the demo developer token is issued then, the simulation lives a
#: minute later, so the token is valid for 90 days in every run.
FIXED_NOW = 1_767_225_600.0
#: Every simulated request "takes" this long, so times in the inspector never drift.
FIXED_ELAPSED = 0.012


def demo_token_pair(developer: str | None = None, user: str | None = DEMO_USER_TOKEN,
                    source: TokenSource = TokenSource.DEMO) -> TokenPair:
    """The demo tokens (or the given ones) as the app receives them."""
    dev = developer if developer is not None else make_demo_developer_token(now=FIXED_NOW)
    return TokenPair(StoredToken("developer", dev, source),
                     StoredToken("user", user, source))


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """The input cursor stays drawn: a blink would make pictures depend on timing."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture(autouse=True)
def fake_clipboard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Copies land in ``app.clipboard`` (and this list) and never reach the real terminal."""
    copied: list[str] = []

    def copy(self: App[Any], text: str) -> None:
        self._clipboard = text
        copied.append(text)

    monkeypatch.setattr(App, "copy_to_clipboard", copy)
    return copied


@pytest.fixture(autouse=True)
def colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR unset: Textual would otherwise draw every picture in monochrome."""
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def pinned_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries without waiting, and the same duration for every request (the client measures
    with ``time.monotonic``), so the inspector and error panels never drift. Not autouse: the
    token setup tests pin their own times."""
    monkeypatch.setattr(client_module.RatingsClient, "_backoff", lambda self, attempt: 0.0)
    ticks = itertools.count()
    fake_time = SimpleNamespace(monotonic=lambda: next(ticks) * FIXED_ELAPSED, time=time.time)
    monkeypatch.setattr(client_module, "time", fake_time)


@pytest.fixture
def sim() -> SimulatedAppleMusic:
    """A fresh simulated Apple Music API with a pinned clock."""
    return SimulatedAppleMusic(clock=lambda: FIXED_NOW + 60)


@pytest.fixture
def make_app(sim: SimulatedAppleMusic,
             pinned_requests: None) -> Iterator[Callable[..., AmRatingsApp]]:
    """Build the app on ``sim`` with demo tokens (or the given ones / config)."""

    def build(config: AppConfig | None = None, tokens: TokenPair | None = None,
              **kwargs: Any) -> AmRatingsApp:
        return AmRatingsApp(config or AppConfig(demo=True), transport=sim,
                            tokens=tokens or demo_token_pair(), **kwargs)

    yield build
