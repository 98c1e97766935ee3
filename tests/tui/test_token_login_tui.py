""""Sign in with Apple Music" on the token setup screen: a real sign-in server on loopback, the
page played by a plain HTTP client (the browser side is in tests/cli/test_login_browser.py),
and the check that follows, on the simulated API. Plus a picture of the waiting state, with the
URL's port and secret pinned."""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import socket
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Button, Input, RadioButton, Static

from tui.api.simulated import SimulatedAppleMusic, make_demo_developer_token
from tui.config import AppConfig
from tui.messages import TokensChanged
from tui.screens.token_setup import TokenSetupScreen
from tui.session import Session
from tui.tokens import store
from tui.tokens.login import LoginServer
from tui.tokens.redact import fingerprint
from tui.tokens.store import KeyringStatus, StoredToken, TokenPair, TokenSource
from tui.widgets.tokens import LoginView, TokenCheckView

#: 2025-06-15 15:06:40 UTC, as in the other token setup pictures.
NOW = 1_750_000_000.0
DEV = make_demo_developer_token(now=NOW - 10 * 86400, days=90)
FAKE = "FAKE-MUSIC-USER-TOKEN-LEAKCHECK-0123456789abcdef"
#: As long as a real secret (32 characters), so the picture shows a real URL's length.
PINNED_SECRET = "pinned-secret-for-the-picture-01"
NO_KEYRING = KeyringStatus(False, "keyring.backends.null.Keyring", "the keyring is disabled")


class PinnedAddressServer(LoginServer):
    """Listens on a free port like any other, but shows port 48123 and a pinned secret, so the
    picture is the same on every run."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:48123/{PINNED_SECRET}/"


class Host(App[None]):
    """A bare app that pushes the token setup screen and records what it tells the app."""

    TITLE = "amratings"

    def __init__(self, make_screen: Callable[[], TokenSetupScreen]) -> None:
        super().__init__()
        self._make_screen = make_screen
        self.changes: list[TokensChanged] = []
        self.results: list[object] = []

    def compose(self) -> ComposeResult:
        yield Static("Browser (behind the token setup screen)")

    def on_mount(self) -> None:
        self.push_screen(self._make_screen(), self.results.append)

    def on_tokens_changed(self, message: TokensChanged) -> None:
        self.changes.append(message)

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        from tui.app import place_edge_spaces

        return place_edge_spaces(super().export_screenshot(title=title, simplify=simplify))


class Servers:
    """The login_server factory handed to the screen; keeps every server it made."""

    def __init__(self, cls: type[LoginServer] = LoginServer, **pinned: Any) -> None:
        self.cls = cls
        self.pinned = pinned
        self.made: list[LoginServer] = []

    def __call__(self, *args: Any, **kwargs: Any) -> LoginServer:
        server = self.cls(*args, **{**kwargs, **self.pinned})
        self.made.append(server)
        return server


def make_host(servers: Servers, *, developer: str | None = DEV, timeout: float | None = None,
              sim: SimulatedAppleMusic | None = None) -> Host:
    tokens = TokenPair(
        StoredToken("developer", developer, TokenSource.ENV if developer else TokenSource.NONE),
        StoredToken("user", None, TokenSource.NONE))
    transport = sim or SimulatedAppleMusic(user_tokens=[FAKE], clock=lambda: NOW)
    return Host(lambda: TokenSetupScreen(
        Session(AppConfig(), tokens=tokens, transport=transport, clock=lambda: NOW),
        login_server=servers, login_timeout=timeout))


@pytest.fixture(autouse=True)
def quiet(isolated_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No cursor blink, no keyring (the file is offered), no SSH, no display; a browser that
    is never really opened (returns the URLs it was asked to open)."""
    monkeypatch.setattr(Input, "cursor_blink", False)
    monkeypatch.setattr(store, "keyring_status", lambda timeout=3.0: NO_KEYRING)
    for name in ("SSH_CONNECTION", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    opened: list[str] = []

    def fake_open(url: str, *args: Any, **kwargs: Any) -> bool:
        opened.append(url)
        return True

    import webbrowser

    monkeypatch.setattr(webbrowser, "open", fake_open)
    return opened


async def until(pilot: Pilot[Any], condition: Callable[[], Any], what: str,
                timeout: float = 15) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def shown(pilot: Pilot[Any], widget: type[Static]) -> str:
    return str(pilot.app.screen.query_one(widget).content)


def play_the_page(server: LoginServer, token: str = FAKE,
                  nonce: str | None = None) -> tuple[int, str]:
    """What the page's script does: read the nonce from the page, post the token with it."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", f"/{server.secret}/")
    page = conn.getresponse().read().decode()
    found = re.search(r'data-nonce="([^"]+)"', page)
    assert found is not None
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("POST", f"/{server.secret}/token",
                 json.dumps({"nonce": nonce or found[1], "token": token}),
                 {"Origin": server.origin, "Content-Type": "application/json"})
    answer = conn.getresponse()
    return answer.status, json.loads(answer.read())["message"]


def closed(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return True
    return False


async def start_sign_in(pilot: Pilot[Any], servers: Servers) -> LoginServer:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.press("ctrl+l")
    await until(pilot, lambda: "Waiting for you to sign in" in shown(pilot, LoginView),
                "the waiting state")
    return servers.made[-1]


# ---------------------------------------------------------------------- the whole flow


async def test_sign_in_stores_the_token_tells_the_app_and_checks_it() -> None:
    servers = Servers()
    host = make_host(servers)
    async with host.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        pilot.app.screen.query_one("#where-file", RadioButton).value = True
        server = await start_sign_in(pilot, servers)
        # Started: listening on loopback, its URL on the screen.
        assert server.running and not closed(server.port)
        text = shown(pilot, LoginView)
        assert "Open this page in a browser on this machine:" in text
        assert server.url in text and "Escape cancels · stops by itself after 5 minutes" in text
        assert pilot.app.screen.query_one("#login", Button).disabled

        status, message = await asyncio.to_thread(play_the_page, server)
        assert status == 200 and "You can close this tab." in message
        # The token arrived: stored where chosen, handed to the app, then checked.
        await until(pilot, lambda: "passed" in shown(pilot, TokenCheckView), "the check")
        check = shown(pilot, TokenCheckView)
        assert "Both tokens work." in check and "GET /v1/me/storefront" in check
        assert "HTTP 200" in check
        assert f"Signed in: the music user token {fingerprint(FAKE)} is kept in the token " \
               "file" in shown(pilot, LoginView)
        user_input = pilot.app.screen.query_one("#user-token-value", Input)
        assert user_input.value == FAKE and user_input.password
        change = host.changes[-1]
        assert change.tokens.user.value == FAKE and change.tokens.user.source is TokenSource.FILE
        assert change.tokens.developer.value == DEV and change.where == "file"
        token_file = store.token_file_path()
        assert json.loads(token_file.read_text()) == {"user": FAKE}
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        # The server stopped with the sign-in.
        await until(pilot, lambda: not server.running, "the server to stop")
        assert closed(server.port)
        assert not pilot.app.screen.query_one("#login", Button).disabled
        # The screen never shows the token, only its fingerprint.
        assert FAKE not in pilot.app.export_screenshot()


async def test_refusals_show_under_the_waiting_lines() -> None:
    servers = Servers()
    async with make_host(servers).run_test(size=(80, 40)) as pilot:
        server = await start_sign_in(pilot, servers)
        status, _ = await asyncio.to_thread(play_the_page, server, nonce="guessed")
        assert status == 403
        await until(pilot, lambda: "one-time nonce" in shown(pilot, LoginView), "the refusal")
        assert "✗ refused a token post without this page's one-time nonce; nothing was stored" \
            in shown(pilot, LoginView)
        assert "Waiting for you to sign in" in shown(pilot, LoginView)
        assert server.running and server.result is None


async def test_escape_cancels_and_stops_the_server_then_leaves() -> None:
    servers = Servers()
    host = make_host(servers)
    async with host.run_test(size=(80, 40)) as pilot:
        server = await start_sign_in(pilot, servers)
        port = server.port
        await pilot.press("escape")
        await until(pilot, lambda: not server.running, "the server to stop")
        assert closed(port)
        assert "Sign-in cancelled; the sign-in page is closed." in shown(pilot, LoginView)
        assert isinstance(pilot.app.screen, TokenSetupScreen) and host.results == []
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert host.results == [None]
        assert host.changes == []


async def test_leaving_the_app_stops_the_server() -> None:
    servers = Servers()
    async with make_host(servers).run_test(size=(80, 40)) as pilot:
        server = await start_sign_in(pilot, servers)
    assert not server.running and closed(server.port)


async def test_it_gives_up_after_the_timeout() -> None:
    servers = Servers()
    async with make_host(servers, timeout=0.3).run_test(size=(80, 40)) as pilot:
        server = await start_sign_in(pilot, servers)
        await until(pilot, lambda: "No music user token arrived" in shown(pilot, LoginView),
                    "the timeout")
        assert "within 0.3 s; the sign-in page is closed" in shown(pilot, LoginView)
        assert not server.running and closed(server.port)


async def test_the_waiting_screen_stays_responsive() -> None:
    servers = Servers()
    async with make_host(servers).run_test(size=(80, 40)) as pilot:
        await start_sign_in(pilot, servers)
        await pilot.press("ctrl+r")  # reveal: any key is handled while the server waits
        await pilot.pause()
        assert pilot.app.screen.query_one("#developer-token-value", Input).password is False


async def test_without_a_developer_token_nothing_starts() -> None:
    servers = Servers()
    async with make_host(servers, developer=None).run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert "Enter or generate a developer token first" in shown(pilot, LoginView)
        assert servers.made == []


async def test_a_broken_developer_token_is_refused_with_the_reason() -> None:
    servers = Servers()
    expired = make_demo_developer_token(now=NOW - 100 * 86400, days=90)
    async with make_host(servers, developer=expired).run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        await pilot.click("#login")
        await pilot.pause()
        text = shown(pilot, LoginView)
        assert text.startswith("The developer token cannot work, so MusicKit would refuse it:")
        assert "Expired" in text and servers.made == []


async def test_over_ssh_it_shows_the_tunnel_line(monkeypatch: pytest.MonkeyPatch,
                                                 quiet: list[str]) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.1.2.3 50000 10.9.8.7 22")
    monkeypatch.setenv("USER", "ana")
    monkeypatch.setenv("DISPLAY", ":0")
    servers = Servers()
    async with make_host(servers).run_test(size=(80, 40)) as pilot:
        server = await start_sign_in(pilot, servers)
        text = shown(pilot, LoginView)
        assert "This runs over SSH. On your laptop, first run:" in text
        assert f"ssh -L {server.port}:127.0.0.1:{server.port} ana@10.9.8.7" in text
        assert server.url in text
    assert quiet == []  # no browser opened on the remote machine


async def test_with_a_display_it_opens_the_browser(monkeypatch: pytest.MonkeyPatch,
                                                   quiet: list[str]) -> None:
    monkeypatch.setenv("DISPLAY", ":0")
    servers = Servers()
    async with make_host(servers).run_test(size=(80, 40)) as pilot:
        server = await start_sign_in(pilot, servers)
        assert quiet == [server.url]
        assert "The page is open in your browser" in shown(pilot, LoginView)


def test_every_binding_keeps_an_id() -> None:
    login = [b for b in TokenSetupScreen.BINDINGS
             if getattr(b, "action", None) == "login"]
    assert [(b.key, b.id) for b in login] == [("ctrl+l", "token_setup.login")]  # type: ignore[union-attr]


# ---------------------------------------------------------------------- the picture


def test_snapshot_waiting_for_the_browser(snap_compare: Any) -> None:
    servers = Servers(PinnedAddressServer, secret=PINNED_SECRET)

    async def sign_in(pilot: Pilot[Any]) -> None:
        await start_sign_in(pilot, servers)
        await pilot.pause()

    assert snap_compare(make_host(servers), terminal_size=(80, 24), run_before=sign_in)


def test_the_snapshot_shows_no_token() -> None:
    svg = (Path(__file__).parent / "__snapshots__" / "test_token_login_tui"
           / "test_snapshot_waiting_for_the_browser.svg")
    text = svg.read_text().replace("&#160;", " ")
    assert DEV not in text and FAKE not in text
    assert PINNED_SECRET in text and "48123" in text


async def test_the_sign_in_worker_holds_no_token_in_a_plain_local() -> None:
    # A crash report prints every frame's locals: the frames waiting for the sign-in (the
    # worker and whatever started it) keep the developer token in a Secret, never as text.
    import sys

    seen: list[dict[str, Any]] = []

    class Watching(Servers):
        def __call__(self, *args: Any, **kwargs: Any) -> LoginServer:
            frame = sys._getframe(1)
            while frame is not None:
                if frame.f_code.co_filename.endswith("token_setup.py"):
                    seen.append(dict(frame.f_locals))
                frame = frame.f_back  # type: ignore[assignment]
            return super().__call__(*args, **kwargs)

    servers = Watching()
    async with make_host(servers).run_test(size=(80, 40)) as pilot:
        await start_sign_in(pilot, servers)
        await pilot.press("escape")
        await pilot.pause()
    assert seen, "the factory was not called from the screen's worker"
    for local_vars in seen:
        for name, value in local_vars.items():
            assert not (isinstance(value, str) and DEV[:16] in value), name
            assert DEV[:16] not in repr(value), name
