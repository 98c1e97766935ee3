"""The TUI half of issue 6's leakage test: with recognisable fake tokens, no screen, picture,
or redacted curl copy carries either token (or any 12-character piece of one); the committed
snapshots and screenshots carry none of the demo tokens they were drawn with, nor any JWT. The
one exception is the explicitly confirmed "Copy with tokens"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_kit import FIXED_NOW, look_up, screen_text, settle, svg_lines
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

        await pilot.press("u")
        await settle(pilot)
        shoot("confirm copy with tokens")
        await pilot.press("y")
        await settle(pilot)
        # The one explicit exception: confirmed, the copy carries both tokens whole.
        assert DEVELOPER in app.clipboard and USER in app.clipboard
        shoot("after copying with tokens")
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("f2")
        await settle(pilot)
        shoot("token setup, masked")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "Both tokens work." in screen_text(app)
        shoot("token check results")

    assert len(pictures) == 2 * len(ERROR_FAULTS) + 7
    # Each picture shows what it is named after (so the scan below scans real screens).
    assert "403 Forbidden: Apple rejected the music user token" in pictures["error panel 403"]
    assert "Timed out" in pictures["error panel timeout"]
    assert "Request inspector" in pictures["inspector of 401"]
    assert "Bearer <redacted" in pictures["inspector headers"]
    assert "Copy with the real tokens?" in pictures["confirm copy with tokens"]
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
