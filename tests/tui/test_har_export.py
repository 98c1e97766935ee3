"""HAR export from the request inspector: ``h`` saves the session redacted, ``H`` asks y/n and
then includes the tokens; a file that cannot be written is said inline. In a web page
(``amratings serve``) the file and the curl command go to the browser, not to a server path or
OSC 52."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from browser_kit import look_up, screen_text, settle
from har_spec import problems
from textual.widgets import Input

from tui.app import AmRatingsApp
from tui.screens.har_export import SaveHarScreen
from tui.screens.inspector import ConfirmRevealScreen, InspectorScreen

SAMPLE = "i.NJv00rkTEaLK51 i.B0VNN8Bf9dYXOV i.Pz7Lk0aW3qYd1M"


async def open_inspector(pilot: Any) -> None:
    await look_up(pilot, SAMPLE)
    await pilot.press("down", "i")
    await settle(pilot)
    assert isinstance(pilot.app.screen, InspectorScreen)


async def save_as(pilot: Any, path: Path) -> None:
    assert isinstance(pilot.app.screen, SaveHarScreen)
    field = pilot.app.screen.query_one("#har-path", Input)
    assert field.value.startswith("amratings-") and field.value.endswith(".har")
    field.value = str(path)
    await pilot.press("enter")
    await settle(pilot)


def read_har(path: Path) -> dict[str, Any]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert problems(doc) == []
    return doc


async def test_h_saves_the_session_redacted(make_app: Any, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_inspector(pilot)
        await pilot.press("h")
        await settle(pilot)
        await save_as(pilot, tmp_path / "session.har")
        assert isinstance(app.screen, InspectorScreen)
        text = (tmp_path / "session.har").read_text()
        assert app.tokens.developer.value not in text and app.tokens.user.value not in text
        entries = read_har(tmp_path / "session.har")["log"]["entries"]
        assert len(entries) == len(app.screen.history) >= 1
        assert all(e["_redacted"] for e in entries)


async def test_capital_h_asks_then_includes_the_tokens(make_app: Any, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_inspector(pilot)
        await pilot.press("H")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmRevealScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, InspectorScreen)  # declined: no dialog, no file
        await pilot.press("H")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "WITH tokens" in screen_text(app)
        await save_as(pilot, tmp_path / "tokens.har")
        entry = read_har(tmp_path / "tokens.har")["log"]["entries"][0]
        headers = {h["name"].lower(): h["value"] for h in entry["request"]["headers"]}
        assert headers["authorization"] == f"Bearer {app.tokens.developer.value}"
        assert headers["music-user-token"] == app.tokens.user.value
        assert (tmp_path / "tokens.har").stat().st_mode & 0o077 == 0


async def test_a_path_that_cannot_be_written_is_said_inline(make_app: Any,
                                                            tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_inspector(pilot)
        await pilot.press("h")
        await settle(pilot)
        await save_as(pilot, tmp_path / "no-such-folder" / "x.har")
        assert isinstance(app.screen, SaveHarScreen)
        assert "Cannot write" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InspectorScreen)
        assert list(tmp_path.iterdir()) == []


class WebApp(AmRatingsApp):
    """The app as the web driver runs it: ``is_web`` and deliveries recorded."""

    delivered: list[dict[str, Any]]

    @property
    def is_web(self) -> bool:
        return True

    def deliver_text(self, path_or_file: Any, **kwargs: Any) -> str | None:
        self.delivered.append({"text": path_or_file.read(), **kwargs})
        return "key"


@pytest.fixture
def make_web_app(sim: Any, pinned_requests: None) -> Any:
    from browser_kit import demo_token_pair

    from tui.config import AppConfig

    def build() -> WebApp:
        app = WebApp(AppConfig(demo=True), transport=sim, tokens=demo_token_pair())
        app.delivered = []
        return app
    return build


async def test_in_a_web_page_har_and_curl_go_to_the_browser(make_web_app: Any,
                                                          fake_clipboard: list[str]) -> None:
    app = make_web_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_inspector(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, InspectorScreen)  # no path dialog: a download
        har = app.delivered.pop()
        assert har["mime_type"] == "application/json" and har["save_filename"].endswith(".har")
        assert problems(json.loads(har["text"])) == []
        assert app.tokens.user.value not in har["text"]

        await pilot.press("c")
        await settle(pilot)
        curl = app.delivered.pop()
        assert curl["text"].startswith("curl ") and curl["open_method"] == "browser"
        assert "$APPLE_MUSIC_USER_TOKEN" in curl["text"]
        assert app.tokens.user.value not in curl["text"]
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmRevealScreen)
        assert "browser tab" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert app.tokens.user.value in app.delivered.pop()["text"]
        assert fake_clipboard == []  # nothing went through OSC 52
