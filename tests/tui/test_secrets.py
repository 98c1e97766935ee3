"""The TUI half of issue 6's leakage test: with recognisable fake tokens, no screen, picture,
or redacted curl copy carries either token (or any 12-character piece of one); the committed
snapshots and screenshots carry none of the demo tokens they were drawn with, nor any JWT. The
one exception is the explicitly confirmed "Copy with tokens"."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import FIXED_NOW, look_up, screen_text, settle, svg_lines
from loopback import LoopbackServer
from repo_kit import ROOT, SAMPLE_IDS

from tui.api.simulated import (
    DEMO_USER_TOKEN,
    Fault,
    SimulatedAppleMusic,
    apple_error,
    make_demo_developer_token,
)
from tui.app import AmRatingsApp
from tui.config import AppConfig
from tui.tokens.store import StoredToken, TokenPair, TokenSource

#: Well-formed (the simulation accepts it) and recognisable: its key id and a claim say so.
DEVELOPER = make_demo_developer_token(now=FIXED_NOW, key_id="LEAKCHK001",
                                      extra={"note": "LEAKCHECK-DEVELOPER-TOKEN"})
USER = "FAKEUSER-LEAKCHECK-0123456789"
PIECE = 12
SAMPLE = " ".join(SAMPLE_IDS[:3])
FOREVER = 100
#: Faults for each kind of error panel (401 and 403 come from Apple-shaped answers).
ERROR_FAULTS = {
    "401": Fault(401, apple_error(401, "40100", "Unauthorized"), times=FOREVER),
    "403": Fault(403, apple_error(403, "40300", "Forbidden", "Invalid authentication"),
                 times=FOREVER),
    "429": Fault(429, {"message": "API capacity exceeded"}, times=FOREVER),
    "500": Fault(500, apple_error(500, "50000", "Internal Server Error"), times=FOREVER),
    "malformed": Fault(200, "<html>oops</html>", {"content-type": "text/html"}, times=FOREVER),
    "timeout": Fault(kind="timeout", times=FOREVER),
    "network": Fault(kind="reset", times=FOREVER),
}


#: Words of the interface that the demo user token happens to contain ("demo-music-user-token-…"
#: has the header name in it): a piece inside them is the label, not the token.
INTERFACE_WORDS = ("music-user-token",)


def leaks(text: str, secrets: list[str]) -> list[str]:
    """Each secret, or 12-character piece of one, found in ``text``."""
    found = []
    for secret in secrets:
        pieces = {secret[i:i + PIECE] for i in range(len(secret) - PIECE + 1)}
        pieces = {p for p in pieces if not any(p in word for word in INTERFACE_WORDS)}
        found += [p for p in sorted(pieces) if p in text]
    return found


def picture_text(svg: str) -> str:
    """An SVG as searchable text: the raw markup (spaces unescaped) and the drawn lines (so a
    token split over differently styled runs is still found)."""
    return svg.replace("&#160;", " ") + "\n" + "\n".join(svg_lines(svg))


async def test_no_token_on_any_screen_picture_or_redacted_copy(
        pinned_requests: None, isolated_env: dict[str, str]) -> None:
    sim = SimulatedAppleMusic(user_tokens={USER}, clock=lambda: FIXED_NOW + 60)
    tokens = TokenPair(StoredToken("developer", DEVELOPER, TokenSource.KEYRING),
                       StoredToken("user", USER, TokenSource.KEYRING))
    app = AmRatingsApp(AppConfig(demo=True), transport=sim, tokens=tokens,
                       clock=lambda: FIXED_NOW + 60)
    pictures: dict[str, str] = {}

    def shoot(name: str) -> None:
        pictures[name] = picture_text(app.export_screenshot()) + "\n" + screen_text(app)

    async with app.run_test(size=(120, 40)) as pilot:
        await look_up(pilot, SAMPLE)
        assert [r.word for r in app.screen.query_one("#results").rows_state] == [
            "Liked", "Disliked", "Not rated"]  # the simulation accepted both tokens
        shoot("browser with results")

        for kind, fault in ERROR_FAULTS.items():
            sim.faults.clear()
            sim.inject(fault)
            await look_up(pilot, SAMPLE)
            shoot(f"error panel {kind}")
            await pilot.press("f3")  # the failed request in the inspector
            await settle(pilot)
            shoot(f"inspector of {kind}")
            await pilot.press("escape")
            await settle(pilot)
        sim.faults.clear()

        await look_up(pilot, SAMPLE)
        await pilot.press("down", "i")
        await settle(pilot)
        shoot("inspector")
        await pilot.press("end")
        await settle(pilot)
        shoot("inspector headers")
        await pilot.press("c")
        await settle(pilot)
        redacted = app.clipboard
        assert redacted.startswith("curl ") and "$APPLE_MUSIC_USER_TOKEN" in redacted
        assert leaks(redacted, [DEVELOPER, USER]) == []
        shoot("curl command shown")
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("u")
        await settle(pilot)
        shoot("confirm copy with tokens")
        await pilot.press("y")
        await settle(pilot)
        # The one explicit exception: confirmed, the copy carries both tokens whole.
        assert DEVELOPER in app.clipboard and USER in app.clipboard
        shoot("after copying with tokens")  # shown as variables until revealed
        await pilot.press("escape", "escape")
        await settle(pilot)

        await pilot.press("f2")
        await settle(pilot)
        shoot("token setup, masked")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "Both tokens work." in screen_text(app)
        shoot("token check results")

    assert len(pictures) == 2 * len(ERROR_FAULTS) + 8
    # Each picture shows what it is named after (so the scan below scans real screens).
    assert "403 Forbidden: Apple rejected the music user token" in pictures["error panel 403"]
    assert "Timed out" in pictures["error panel timeout"]
    assert "Request inspector" in pictures["inspector of 401"]
    assert "Bearer <redacted" in pictures["inspector headers"]
    assert "Copy with the real tokens?" in pictures["confirm copy with tokens"]
    assert "$APPLE_MUSIC_USER_TOKEN" in pictures["curl command shown"]
    assert "$APPLE_MUSIC_USER_TOKEN" in pictures["after copying with tokens"]
    assert "•••" in pictures["token setup, masked"]
    assert "Music user token  GET /v1/me/storefront" in pictures["token check results"]
    for name, text in pictures.items():
        assert leaks(text, [DEVELOPER, USER]) == [], f"{name} shows a token"


#: The tokens the committed pictures were drawn with (tests/tui and tests/make_screenshots.py).
COMMITTED_PICTURE_TOKENS = [
    make_demo_developer_token(now=FIXED_NOW),
    make_demo_developer_token(now=FIXED_NOW - 200 * 86400),  # the 401 snapshot's
    make_demo_developer_token(now=1_750_000_000.0 - 170 * 86400, days=175),  # token setup's
    DEMO_USER_TOKEN, "revoked-user-token-for-tests-1234", "revoked-demo-user-token-0000",
    "fake-music-user-token-0001", "fake-revoked-music-user-token-0002",
]
COMMITTED_PICTURES = sorted([*(ROOT / "tests" / "tui" / "__snapshots__").rglob("*.svg"),
                             *(ROOT / "screenshots").glob("*.svg")])


@pytest.mark.parametrize("path", COMMITTED_PICTURES, ids=lambda p: p.name)
def test_committed_pictures_carry_no_token(path: Path) -> None:
    text = picture_text(path.read_text(encoding="utf-8"))
    assert leaks(text, COMMITTED_PICTURE_TOKENS) == []
    # Nor any JWT: "eyJ" starts every base64url-encoded JSON header.
    assert not re.search(r"eyJ[A-Za-z0-9_-]{8,}", text)


def test_the_committed_pictures_are_all_scanned() -> None:
    assert len([p for p in COMMITTED_PICTURES if p.parent.name == "screenshots"]) == 8
    assert len(COMMITTED_PICTURES) >= 24


async def test_har_export_holds_no_token_unless_confirmed(
        pinned_requests: None, isolated_env: dict[str, str], tmp_path: Path) -> None:
    from textual.widgets import Input

    sim = SimulatedAppleMusic(user_tokens={USER}, clock=lambda: FIXED_NOW + 60)
    tokens = TokenPair(StoredToken("developer", DEVELOPER, TokenSource.KEYRING),
                       StoredToken("user", USER, TokenSource.KEYRING))
    app = AmRatingsApp(AppConfig(demo=True), transport=sim, tokens=tokens,
                       clock=lambda: FIXED_NOW + 60)
    async with app.run_test(size=(120, 40)) as pilot:
        await look_up(pilot, SAMPLE)
        for fault in ERROR_FAULTS.values():  # every kind of failed attempt in the session
            sim.faults.clear()
            sim.inject(fault)
            await look_up(pilot, SAMPLE)
        sim.faults.clear()
        await pilot.press("f3")
        await settle(pilot)

        async def save(keys: tuple[str, ...], name: str) -> str:
            await pilot.press(*keys)
            await settle(pilot)
            app.screen.query_one("#har-path", Input).value = str(tmp_path / name)
            await pilot.press("enter")
            await settle(pilot)
            return (tmp_path / name).read_text(encoding="utf-8")

        redacted = await save(("h",), "redacted.har")
        assert '"_redacted": true' in redacted and "Bearer sha256:" in redacted
        assert leaks(redacted, [DEVELOPER, USER]) == []
        # The one explicit exception: confirmed (y), the file carries both tokens.
        revealed = await save(("H", "y"), "revealed.har")
        assert DEVELOPER in revealed and USER in revealed


# ---------------------------------------------------------------------- issue 10, section 2


def pieces_of(text: str, secrets: list[str], size: int) -> list[str]:
    """Each ``size``-character piece of a secret found in ``text``."""
    return sorted({s[i:i + size] for s in secrets for i in range(len(s) - size + 1)
                   if s[i:i + size] in text})


@pytest.fixture
def leak_server() -> Iterator[LoopbackServer]:
    """A loopback server that accepts the recognisable leak-check tokens (a live token is
    valid now, not at the pinned clock)."""
    server = LoopbackServer(developer_tokens=[LIVE_DEVELOPER], user_tokens=[USER]).start()
    try:
        yield server
    finally:
        server.stop()


#: The leak-check developer token, valid now (the loopback simulation runs on the real clock).
LIVE_DEVELOPER = make_demo_developer_token(key_id="LEAKCHK001",
                                           extra={"note": "LEAKCHECK-DEVELOPER-TOKEN"})


@pytest.mark.parametrize("where", ["transport", "h11"])
async def test_a_crash_inside_a_request_prints_no_token(
        leak_server: LoopbackServer, isolated_env: dict[str, str],
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], where: str) -> None:
    """A test-only fault: the transport raises once the answer is in, inside the request, so
    Textual's traceback shows the locals of every frame of it (the client's ``_request``
    included). Neither token, nor any 8-character piece of one, may appear."""
    import httpx

    real = httpx.AsyncHTTPTransport.handle_async_request

    async def crash(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        await real(self, request)
        raise RuntimeError("test fault inside a request")

    def crash_in_h11(self: Any, event: Any) -> Any:
        # Stands in for h11's own frame, whose ``event`` holds the headers: left out of the
        # traceback like the frames of h11 it replaces (this frame is the test's, not h11's).
        _rich_traceback_omit = True
        raise RuntimeError("test fault inside a request")

    if where == "transport":
        monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", crash)
    else:
        import h11

        monkeypatch.setattr(h11.Connection, "send", crash_in_h11)
    tokens = TokenPair(StoredToken("developer", LIVE_DEVELOPER, TokenSource.KEYRING),
                       StoredToken("user", USER, TokenSource.KEYRING))
    app = AmRatingsApp(AppConfig(base_url=leak_server.url), tokens=tokens)
    capfd.readouterr()
    with pytest.raises(Exception, match="test fault"):
        async with app.run_test(size=(120, 40)) as pilot:
            await look_up(pilot, SAMPLE)
    if where == "transport":
        assert leak_server.seen  # the request went out: the fault hit inside it
    # What the app printed as it ended: Textual's traceback with every frame's locals.
    captured = capfd.readouterr()
    output = captured.out + captured.err
    assert "test fault inside a request" in output and "_request" in output
    assert "headers" in output  # the frame's locals are shown, the tokens masked
    assert pieces_of(output, [LIVE_DEVELOPER, USER], 8) == []


async def test_a_server_echoing_a_token_cut_short_shows_no_piece(
        leak_server: LoopbackServer, isolated_env: dict[str, str]) -> None:
    """Apple's fields are cut to 200/500 characters and the inspector's body to 64 KiB; a
    server echoing a token cut short, or placed so the cut falls inside it, shows none of it."""
    from loopback import Behaviour

    echo = {"errors": [{"id": "X", "status": "401", "code": "40100",
                        "title": "x" * 30 + LIVE_DEVELOPER,  # the 200-character cut is inside
                        "detail": "seen " + LIVE_DEVELOPER[:169] + " and " + USER[:-1]}],
            "echo": LIVE_DEVELOPER[5:] + " " + USER}
    leak_server.add(Behaviour(401, json.dumps(echo), {"content-type": "application/json",
                                                      "x-echo": LIVE_DEVELOPER[3:120]},
                              times=None))
    tokens = TokenPair(StoredToken("developer", LIVE_DEVELOPER, TokenSource.KEYRING),
                       StoredToken("user", USER, TokenSource.KEYRING))
    app = AmRatingsApp(AppConfig(base_url=leak_server.url), tokens=tokens)
    async with app.run_test(size=(160, 60)) as pilot:
        await look_up(pilot, "i.NJv00rkTEaLK51")
        panel = screen_text(app)
        assert "Apple" in panel and "redacted" in panel
        await pilot.press("f3")
        await settle(pilot)
        inspector = screen_text(app)
        await pilot.press("end")
        await settle(pilot)
        inspector += screen_text(app)
        assert "x-echo" in inspector
    for text in (panel, inspector):
        assert pieces_of(text, [LIVE_DEVELOPER, USER], 16) == []


def test_cli_shows_no_piece_of_an_echoed_token(leak_server: LoopbackServer,
                                               isolated_env: dict[str, str]) -> None:
    from loopback import Behaviour, run_cli

    echo = {"errors": [{"id": "X", "status": "400", "code": "40000",
                        "title": "x" * 30 + LIVE_DEVELOPER,
                        "detail": LIVE_DEVELOPER[:169] + " " + USER[:-1]}]}
    leak_server.add(Behaviour(400, json.dumps(echo), times=None))
    env = {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": LIVE_DEVELOPER,
           "APPLE_MUSIC_USER_TOKEN": USER, "APPLE_MUSIC_API_BASE_URL": leak_server.url}
    for args in (["get", "i.NJv00rkTEaLK51", "-v"], ["get", "i.NJv00rkTEaLK51", "--json"],
                 ["token", "check", "--json"]):
        done = run_cli(args, env)
        assert done.returncode == 1, done.stderr
        assert pieces_of(done.stdout + done.stderr, [LIVE_DEVELOPER, USER], 16) == [], args


async def test_no_screenshot_while_the_tokens_are_revealed(
        pinned_requests: None, isolated_env: dict[str, str], tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    shots.mkdir()
    sim = SimulatedAppleMusic(user_tokens={USER}, clock=lambda: FIXED_NOW + 60)
    tokens = TokenPair(StoredToken("developer", DEVELOPER, TokenSource.KEYRING),
                       StoredToken("user", USER, TokenSource.KEYRING))
    app = AmRatingsApp(AppConfig(demo=True), transport=sim, tokens=tokens,
                       clock=lambda: FIXED_NOW + 60)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("ctrl+r")  # "Show tokens"
        await settle(pilot)
        assert leaks(screen_text(app), [DEVELOPER, USER]) != []  # revealed, as asked
        assert app.tokens_revealed()
        notified = len(app._notifications)
        assert app.deliver_screenshot("revealed.svg", str(shots)) is None
        with pytest.raises(PermissionError):
            app.save_screenshot("revealed.svg", str(shots))
        await settle(pilot)
        assert len(app._notifications) == notified + 1
        assert "tokens are shown" in list(app._notifications)[-1].message
        assert list(shots.iterdir()) == []
        await pilot.press("ctrl+r")  # hidden again: a screenshot is fine
        await settle(pilot)
        saved = Path(app.save_screenshot("hidden.svg", str(shots)))
        assert saved.exists() and leaks(picture_text(saved.read_text()), [DEVELOPER, USER]) == []
