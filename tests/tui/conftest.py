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
from browser_kit import FIXED_ELAPSED, FIXED_NOW, demo_token_pair
from textual.app import App
from textual.widgets import Input

from tui.api import client as client_module
from tui.api.simulated import SimulatedAppleMusic
from tui.app import AmRatingsApp
from tui.config import AppConfig
from tui.tokens.store import TokenPair


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
