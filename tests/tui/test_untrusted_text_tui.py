"""Issue 10, section 1, the TUI half: text a hostile server, a token, the config file, the
environment or a typed path controls is drawn as text. Each surface is attacked through the
real app (server text comes from a loopback server over a real socket) and checked on the
bytes the driver would write to the terminal: the compositor's full-screen update, rendered
as Textual renders it for a truecolor terminal.

Those bytes legitimately hold Textual's own escapes (colours, cursor moves, Rich's OSC 8 links
with an ``id=``); what remains once those are taken out must hold no control character, and no
escape sequence of a payload may appear anywhere.
"""

from __future__ import annotations

import base64
import io
import json
import re
import socket
import threading
from collections.abc import Iterator
from typing import Any

import keyring
import keyring.core
import pytest
from browser_kit import FIXED_NOW, look_up, settle
from hostile_text import ALL, NO_DOTS, assert_terminal_safe
from keyring.backend import KeyringBackend
from loopback import Behaviour, LoopbackServer
from rich.console import Console
from textual import events
from textual.app import App
from textual.widgets import Input

from tui.api.simulated import DEMO_USER_TOKEN, make_demo_developer_token
from tui.app import AmRatingsApp
from tui.config import AppConfig
from tui.screens.inspector import InspectorScreen
from tui.screens.token_setup import TokenSetupScreen
from tui.tokens.store import StoredToken, TokenPair, TokenSource

DEV = make_demo_developer_token()
#: The escape sequences of the payloads, as a terminal would receive them: none may appear.
SEQUENCES = ["\x1b]52;", "\x1b]0;", "\x1b]2;", "\x1b]8;;", "\x1b[2J", "\x1b[3J", "\x1b[38;5;201m",
             "\x9b", "\x9d", "\u202e"]
#: Textual's own escapes: SGR, cursor position, cursor show/hide, and Rich's links (with id=).
_OWN = re.compile(r"\x1b\[[0-9;:]*m|\x1b\[\d+;\d+H|\x1b\[\?25[lh]"
                  r"|\x1b\]8;id=[^;\x1b]*;[^\x1b]*\x1b\\")
VISIBLE = ["\\x1b]52;c;SElKQUNLRUQ=", "\\x1b]0;PWNED-TITLE", "\\u202egnp.exe",
           "[link=https://evil.example/]click me[/link]", "[/x] [/] [bold"]


def terminal_bytes(app: App[Any]) -> str:
    """The full-screen update the driver would write for the current screen."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(),
                      force_terminal=True, color_system="truecolor", legacy_windows=False,
                      safe_box=False)
    update = app.screen._compositor.render_update(full=True,
                                                  screen_stack=app._background_screens)
    return update.render_segments(console)


def screen_text(app: App[Any]) -> str:
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(),
                      force_terminal=True, color_system="truecolor", record=True)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def assert_drawn_as_text(app: App[Any], *visible: str) -> str:
    """The terminal receives no payload sequence; returns the screen's text."""
    raw = terminal_bytes(app)
    for sequence in SEQUENCES:
        assert sequence not in raw, f"{sequence!r} reaches the terminal"
    links = re.findall(r"\x1b\]8;[^\x1b]*", raw)
    assert not [link for link in links if "evil" in link], links
    assert_terminal_safe(_OWN.sub("", raw))
    text = screen_text(app)
    for piece in visible:
        assert piece in text, f"{piece!r} not on screen"
    return text


def tokens(developer: str = DEV, user: str = DEMO_USER_TOKEN) -> TokenPair:
    return TokenPair(StoredToken("developer", developer, TokenSource.ENV),
                     StoredToken("user", user, TokenSource.ENV))


def app_for(url: str, **config: Any) -> AmRatingsApp:
    return AmRatingsApp(AppConfig(base_url=url, **config), tokens=tokens(),
                        clock=lambda: FIXED_NOW)


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def hostile_jwt(text: str) -> str:
    header = {"alg": "ES256" + text, "kid": "KID" + text, "typ": "JWT"}
    claims = {"iss": "ISS" + text, "iat": 1, "exp": 2, "origin": ["https://o" + text]}
    return f"{b64(header)}.{b64(claims)}.c2lnbmF0dXJl"


def apple_error(status: int, text: str) -> Behaviour:
    body = {"errors": [{"id": "X", "status": str(status), "code": "C", "title": text,
                        "detail": text}]}
    return Behaviour(status, json.dumps(body), {"content-type": "application/json"},
                     times=None)


#: Header values can carry C1 controls (as Latin-1) and markup; C0 controls break HTTP.
HEADER_PAYLOAD = "\x9b2J\x9d52;c;QzFDTElQ\x9c [/x] [link=https://evil.example/]h[/link]"


@pytest.mark.parametrize("content_type", ["text/plain", "text/html", "application/json"])
async def test_inspector_body_and_headers(loopback: LoopbackServer, content_type: str) -> None:
    body = ALL if content_type != "application/json" else json.dumps({"message": ALL})
    if content_type == "text/html":
        body = f"<html><title>{ALL}</title><body>{ALL}</body></html>"
    loopback.add(Behaviour(200, body, {"content-type": content_type,
                                       "x-hostile": HEADER_PAYLOAD}, times=None))
    app = app_for(loopback.url)
    async with app.run_test(size=(120, 60)) as pilot:
        await look_up(pilot, "i.NJv00rkTEaLK51")
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, InspectorScreen)
        # JSON shows an escape as \u001b (JSON's own escape), other bodies as \x1b.
        escaped = "\\u001b" if content_type == "application/json" else "\\x1b"
        assert_drawn_as_text(app, escaped + "]52;c;SElKQUNLRUQ=", "[/x] [/] [bold")
        await pilot.press("end")
        await settle(pilot)
        assert_drawn_as_text(app, "[link=https://evil.example/]h[/link]", "\\x9b2J")


async def test_error_panel_apple_says(loopback: LoopbackServer) -> None:
    loopback.add(apple_error(400, ALL))
    app = app_for(loopback.url)
    async with app.run_test(size=(120, 40)) as pilot:
        await look_up(pilot, "i.NJv00rkTEaLK51")
        assert app.return_code is None  # no crash on "[/x]"
        assert_drawn_as_text(app, "[link=https://evil.example/]click me[/link]", "[/x] [/]")


@pytest.fixture
def malformed_header_server() -> Iterator[str]:
    """A raw server answering with a header line h11 refuses (and quotes in its error)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Bad " + NO_DOTS.encode()
                             + b"\r\nContent-Length: 2\r\n\r\n{}")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


async def test_error_panel_h11_error_text(malformed_header_server: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    app = app_for(malformed_header_server)
    async with app.run_test(size=(160, 40)) as pilot:
        await look_up(pilot, "i.NJv00rkTEaLK51")
        assert app.return_code is None
        assert_drawn_as_text(app, "illegal header line", "[/x] [/]")


async def test_banner_base_url_and_footer_keymap() -> None:
    app = AmRatingsApp(AppConfig(base_url="http://127.0.0.1:9/" + NO_DOTS,
                                 keymap={"app.tokens": "[/x]\x1b]0;T\x07"}),
                       tokens=tokens(), clock=lambda: FIXED_NOW)
    async with app.run_test(size=(200, 30)) as pilot:
        await settle(pilot)
        assert_drawn_as_text(app, "\\x1b]52;c;SElKQUNLRUQ=", "CUSTOM API",
                             "[/x]\\x1b]0;T\\x07 Tokens")  # the footer's key, from [keymap]


async def test_token_setup_claims_and_check_results(loopback: LoopbackServer) -> None:
    app = AmRatingsApp(AppConfig(base_url=loopback.url), tokens=tokens(hostile_jwt(ALL)),
                       clock=lambda: FIXED_NOW)
    async with app.run_test(size=(160, 80)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, TokenSetupScreen)
        assert_drawn_as_text(app, "KID\\x1b]52;c;SElKQUNLRUQ=")
        # The check's results: the server's 401 body (the claims make it fail) and diagnosis.
        loopback.add(apple_error(401, ALL))
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert_drawn_as_text(app, "[/x] [/]")
    # A passing check with the storefront's hostile fields (echoing the developer token).
    loopback.script.clear()
    body = {"data": [{"id": "us" + ALL, "type": "storefronts",
                      "attributes": {"name": ALL + " " + DEV}}]}
    loopback.add(Behaviour(200, json.dumps(body), {"content-type": "application/json"},
                           times=None, path_contains="/v1/me/storefront"))
    app = AmRatingsApp(AppConfig(base_url=loopback.url), tokens=tokens(),
                       clock=lambda: FIXED_NOW)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        text = assert_drawn_as_text(app, "\\x1b]52;c;SElKQUNLRUQ=", "storefront")
        assert DEV not in text and DEV[:40] not in text


class HostileKeyring(KeyringBackend):
    """A keyring backend whose name carries escapes (a third-party backend is any code)."""

    __module__ = NO_DOTS
    __qualname__ = "Keyring"  # shown as its module's name, as SecretService's is
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(NO_DOTS)

    def delete_password(self, service: str, username: str) -> None:
        pass


@pytest.fixture
def hostile_keyring(isolated_env: dict[str, str]) -> Iterator[None]:
    before = keyring.core._keyring_backend
    keyring.set_keyring(HostileKeyring())
    try:
        yield
    finally:
        keyring.core._keyring_backend = before


async def test_keyring_backend_name_and_key_file_path(hostile_keyring: None,
                                                      tmp_path: Any) -> None:
    app = AmRatingsApp(AppConfig(base_url="http://127.0.0.1:9"), tokens=tokens(),
                       clock=lambda: FIXED_NOW)
    async with app.run_test(size=(200, 80)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert_drawn_as_text(app, "\\x1b]52;c;SElKQUNLRUQ=")
        # Generating from a key file whose path carries the payloads: the error names it.
        screen = app.screen
        screen.query_one("#generate-team-id", Input).value = "TESTTEAM01"
        screen.query_one("#generate-key-id", Input).value = "TESTKEY001"
        key_file = screen.query_one("#generate-key-file", Input)
        key_file.focus()
        key_file.post_message(events.Paste(str(tmp_path / f"k{NO_DOTS}")))
        await settle(pilot)
        assert key_file.value == ""  # control characters: the paste is refused
        key_file.post_message(events.Paste(str(tmp_path / "k[/x] [/] [link=x]y[/link]")))
        await settle(pilot)
        assert key_file.value.endswith("k[/x] [/] [link=x]y[/link]")
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert app.return_code is None
        assert_drawn_as_text(app, "k[/x] [/] [link=x]y[/link]")


async def test_sign_in_view_shows_refusals_and_the_ssh_line_as_text() -> None:
    from textual.app import ComposeResult

    from tui.widgets.tokens import LoginView

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield LoginView()

    app = Host()
    async with app.run_test(size=(200, 30)) as pilot:
        view = app.query_one(LoginView)
        # The SSH line names the user and host from the environment; a refusal quotes the
        # request (its Origin, say).
        view.show_waiting("http://127.0.0.1:1/" + NO_DOTS, ssh_line="ssh -L 1:x " + NO_DOTS,
                          opened=False, timeout_text="5 minutes")
        view.add_notice("refused a token post from " + ALL)
        await pilot.pause()
        assert_drawn_as_text(app, "\\x1b]52;c;SElKQUNLRUQ=", "[/x] [/] [bold")
        view.show_problem("failed: " + ALL)
        await pilot.pause()
        assert_drawn_as_text(app, "failed: \\x1b]52;c;SElKQUNLRUQ=")
