"""The session: the run's services as a plain object, handed to the screens."""

from __future__ import annotations

import asyncio

import pytest

from tui.api.errors import ConfigurationError
from tui.api.simulated import SimulatedAppleMusic
from tui.app import AmRatingsApp
from tui.backend import demo_token_pair
from tui.config import AppConfig
from tui.screens.browser import BrowserScreen
from tui.session import Session
from tui.tokens.store import StoredToken, TokenPair, TokenSource


async def test_the_client_waits_for_the_tokens_then_uses_them() -> None:
    session = Session(AppConfig(demo=True))
    assert not session.tokens_known and session.client_if_built is None
    waiting = asyncio.create_task(session.ready_client())
    await asyncio.sleep(0.01)
    assert not waiting.done(), "a request went out before the tokens were known"
    session.use_tokens(demo_token_pair())
    client = await asyncio.wait_for(waiting, 5)
    assert session.client_if_built is client
    kind = "library-music-videos"
    result = await client.get_rating(kind, SimulatedAppleMusic.sample_ids(kind)[0])
    assert result.ok
    assert [e.status for e in session.history] == [200]
    await session.close()
    assert session.client_if_built is None


async def test_a_missing_token_sends_nothing() -> None:
    session = Session(AppConfig(demo=True), tokens=TokenPair(
        StoredToken("developer", "x.y.z", TokenSource.ENV),
        StoredToken("user", None, TokenSource.NONE)))
    with pytest.raises(ConfigurationError, match="no music user token is set"):
        await session.ready_client()
    assert session.client_if_built is None and session.history == []


def test_the_demo_shares_one_simulation_per_run() -> None:
    session = Session(AppConfig(demo=True))
    assert isinstance(session.transport, SimulatedAppleMusic)
    assert session.transport is session.transport
    assert Session(AppConfig()).transport is None


async def test_the_app_hands_its_session_to_the_browser() -> None:
    app = AmRatingsApp(AppConfig(demo=True), tokens=demo_token_pair())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        assert app.screen.session is app.session
        assert app.session.tokens == app.tokens


async def test_the_keyring_note_reaches_the_banner_and_goes_with_the_tokens() -> None:
    from tui.widgets.banner import BackendBanner

    app = AmRatingsApp(AppConfig(demo=True), tokens=demo_token_pair())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        banner = app.screen.query_one(BackendBanner)
        app.token_note = "still reading the keyring"
        await pilot.pause()
        assert "still reading the keyring" in str(banner.render())
        app.tokens = TokenPair(StoredToken("developer", "a.b.c", TokenSource.ENV),
                               StoredToken("user", "u", TokenSource.ENV))
        await pilot.pause()
        assert "still reading" not in str(banner.render())
        assert "(env)" in str(banner.render())
