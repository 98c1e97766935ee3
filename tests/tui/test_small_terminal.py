"""Small terminals (50x14 over SSH) and the footer: one-line banner, an error panel that still
names the headline and the token at fault, whole footer keys with Quit always among them, and
counts in the right number."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_kit import browser, demo_token_pair, look_up, screen_text, settle
from repo_kit import SAMPLE_IDS

from tui.config import AppConfig
from tui.widgets.error_panel import ErrorPanel

SAMPLE = " ".join(SAMPLE_IDS)
REVOKED = "revoked-user-token-for-tests-1234"


def footer_line(app: Any) -> str:
    return screen_text(app).splitlines()[-1]


async def test_custom_base_url_at_50x14_keeps_the_403_panel_readable(make_app: Any) -> None:
    config = AppConfig(base_url="http://127.0.0.1:8080")
    app = make_app(config=config, tokens=demo_token_pair(user=REVOKED))
    async with app.run_test(size=(50, 14)) as pilot:
        await look_up(pilot, SAMPLE)
        lines = screen_text(app).splitlines()
        assert lines[0].strip().startswith("⚠ CUSTOM API  127.0.0.1:8080")
        assert lines[1].strip().startswith("Type")  # the banner took one row, not four
        panel = browser(app).query_one(ErrorPanel)
        assert panel.shown
        text = screen_text(app)
        inside = " ".join(line.strip("│ ") for line in text.splitlines() if line.startswith("│"))
        assert "403 Forbidden: Apple rejected the music user token" in inside
        assert "At fault The music user token sha256:" in inside
        # The rest is a scroll away.
        panel.focus()
        await pilot.press("end")
        await settle(pilot)
        assert "→ 403 in 12 ms" in screen_text(app)  # the request line, the panel's last


async def test_the_long_banner_returns_when_there_is_room(make_app: Any) -> None:
    app = make_app(config=AppConfig(base_url="http://127.0.0.1:8080"))
    async with app.run_test(size=(50, 14)) as pilot:
        await settle(pilot)
        assert "requests go to" not in screen_text(app)
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert "requests go to http://127.0.0.1:8080, not Apple" in screen_text(app)


@pytest.mark.parametrize("size", [(50, 14), (80, 24)])
async def test_footer_keys_are_whole_and_quit_is_always_shown(make_app: Any,
                                                              size: tuple[int, int]) -> None:
    app = make_app(tokens=demo_token_pair(user=REVOKED))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert "^q Quit" in footer_line(app)
        await look_up(pilot, SAMPLE)  # an error: "esc Dismiss error" joins the keys
        await pilot.press("down")  # results focused: the row actions join them too
        await settle(pilot)
        footer = footer_line(app)
        assert "^q Quit" in footer
        described = {"Like", "Dislike", "Clear", "Re-fetch", "Inspect", "Request",
                     "Dismiss error", "Sample ids", "Tokens", "Quit", "Results", "palette"}
        # Each key is "<key> <description>" in full; nothing is cut mid-word.
        keys = re.findall(r"(\S+) ((?:Dismiss error|Sample ids|[A-Za-z-]+))", footer.replace(
            "▏", " "))
        assert keys and {description for _, description in keys} <= described
        if size[0] < 70:
            assert "palette" not in footer  # ctrl+p still opens it; its room goes to keys
        else:
            assert footer.rstrip().endswith("^p palette")
        await pilot.press("i")  # the inspector (a modal): its way out is "esc Close"
        await settle(pilot)
        assert footer_line(app).startswith("esc Close")


async def test_ctrl_q_quits(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(50, 14)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_one_id_is_counted_in_the_singular(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(50, 14)) as pilot:
        await look_up(pilot, "i.NJv00rkTEaLK51")
        text = screen_text(app)
        assert "1 id:" in text and "1 ids" not in text
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        text = screen_text(app)
        assert "1 id   ♥ 1 liked" in text and "1 ids" not in text
        await look_up(pilot, "907242702")
        assert "Nothing was sent: the id cannot be sent as" in screen_text(app)
        await look_up(pilot, "907242702 i.NJv00rkTEaLK51 l.qrRWYhq")
        assert "Nothing was sent: 2 of 3 ids cannot be sent as" in screen_text(app)
