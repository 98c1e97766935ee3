"""The request inspector reads right in every picture: the body as properly indented JSON (on
screen and in the exported SVG as librsvg draws it), and both header lists, redacted, below."""

from __future__ import annotations

import json
from typing import Any

from browser_kit import look_up, screen_text, settle, svg_lines
from repo_kit import SAMPLE_IDS

from tui.screens.inspector import InspectorScreen
from tui.svg import place_edge_spaces

SAMPLE = " ".join(SAMPLE_IDS[:3])


def body_lines(lines: list[str]) -> list[str]:
    """The lines of the inspector between "Response body" and the next section, without the
    border and the one-column padding."""
    inner = [line[2:-2].rstrip() if len(line) > 4 else "" for line in lines]
    start = next(i for i, line in enumerate(inner) if line.strip() == "Response body") + 1
    body = []
    for line in inner[start:]:
        if not line.strip():
            break
        body.append(line)
    return body


async def test_the_body_is_indented_json_on_screen_and_in_the_svg(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 80)) as pilot:
        await look_up(pilot, SAMPLE)
        await pilot.press("down", "i")
        await settle(pilot)
        assert isinstance(app.screen, InspectorScreen)
        exchange = app.screen.exchange
        expected = json.dumps(json.loads(exchange.response_body), indent=2).splitlines()
        assert body_lines(screen_text(app).splitlines()) == expected
        # The SVG as librsvg-based viewers draw it: leading spaces of a run are dropped, so
        # each run's x must carry its indentation.
        assert body_lines(svg_lines(app.export_screenshot())) == expected


async def test_request_and_response_headers_follow_the_body_redacted(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await look_up(pilot, SAMPLE)
        await pilot.press("down", "i")
        await settle(pilot)
        assert "Request headers" not in screen_text(app)  # status and body come first
        await pilot.press("end")  # the scroll area has focus: scroll to the headers
        await settle(pilot)
        text = screen_text(app)
        exchange = app.screen.exchange
        assert "Request headers" in text and "Response headers" in text
        assert "authorization:    Bearer <redacted" in text
        assert "music-user-token: <redacted" in text
        assert "content-type:" in text and "application/json" in text
        for value in exchange.request_headers.values():
            assert value in text  # exactly what the service layer recorded, redacted there
        assert app.tokens.developer.value not in text
        assert app.tokens.user.value not in text


def test_edge_spaces_move_into_the_runs_position() -> None:
    run = ('<text class="t-r1" x="24.4" y="20" textLength="73.2" clip-path="url(#l-0)">'
           "&#160;&#160;&#160;&#160;{&#160;</text>")
    assert place_edge_spaces(run) == ('<text class="t-r1" x="73.2" y="20" textLength="12.2" '
                                      'clip-path="url(#l-0)">{</text>')
    inner = ('<text class="t-r1" x="0" y="20" textLength="36.6" clip-path="url(#l-0)">'
             "a&#160;b</text>")
    assert place_edge_spaces(inner) == inner
