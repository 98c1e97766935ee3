"""The app as ``amratings serve`` runs it: served beyond loopback it opens with a warning, and
when it starts unfocused (as textual's web driver starts it) the id input takes the focus as
soon as the page does, so the first keys typed are not lost."""

from __future__ import annotations

from typing import Any

import pytest
from browser_kit import screen_text, settle
from textual.widgets import Input

from tui.screens.browser import BrowserScreen
from tui.screens.served_warning import SERVED_HOST_ENV, ServedWarningScreen


async def test_served_to_the_network_warns_first(make_app: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SERVED_HOST_ENV, "0.0.0.0:8000")
    app = make_app()
    async with app.run_test(size=(90, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ServedWarningScreen)
        text = screen_text(app)
        assert "open to the network" in text and "0.0.0.0:8000" in text
        assert "without any authentication" in text and "amratings --demo serve" in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        await pilot.press("x")
        assert app.screen.query_one("#ids", Input).value == "x"


async def test_no_warning_on_loopback(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SERVED_HOST_ENV, raising=False)
    app = make_app()
    async with app.run_test(size=(90, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)


async def test_started_unfocused_the_first_key_reaches_the_ids(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(90, 30)) as pilot:
        await settle(pilot)
        # What the web driver's start leaves: the app blurred before any widget had focus.
        app.screen.set_focus(None)
        app.app_focus = False
        await pilot.pause()
        assert app.focused is None
        await pilot.press("a")  # a key (or the page's focus message) gives the app focus back
        await pilot.pause()
        ids = app.screen.query_one("#ids", Input)
        assert app.focused is ids and ids.value == "a"
