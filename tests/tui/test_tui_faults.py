"""The TUI half of issue 6's fault matrix: for every way the server can misbehave, the browser
shows the error panel with the right wording (or, when a retry recovers, the rating and no
panel), nothing escapes, and the app stays usable: the panel is dismissed and a new lookup
works. Runs on the simulated API with injected faults; retries do not wait (``make_app`` pins
the client's back-off to zero)."""

from __future__ import annotations

from typing import Any

import pytest
from browser_kit import browser, look_up, row_texts, screen_text, settle
from repo_kit import LIKED_ID

from tui.api.simulated import Fault, SimulatedAppleMusic, apple_error
from tui.widgets.error_panel import ErrorPanel

LIKED = LIKED_ID
HTML = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
WRONG_SHAPE = {"results": {"ratings": "not a list"}}
VALUE_5 = {"data": [{"id": LIKED, "type": "ratings",
                     "href": f"/v1/me/ratings/library-music-videos/{LIKED}",
                     "attributes": {"value": 5}}]}
FOREVER = 100

#: id -> (faults, headline the panel starts with, or None when the lookup recovers)
CASES: dict[str, tuple[list[Fault], str | None]] = {
    "500 errors body": ([Fault(500, apple_error(500, "50000", "Internal Server Error"),
                               times=FOREVER)], "500 Server error: Apple's server failed"),
    "502 html": ([Fault(502, HTML, {"content-type": "text/html"}, times=FOREVER)],
                 "502 Server error: Apple's server failed"),
    "504 html": ([Fault(504, HTML.replace("502 Bad", "504 Gateway"),
                        {"content-type": "text/html"}, times=FOREVER)],
                 "504 Server error: Apple's server failed"),
    "200 not json": ([Fault(200, "{this is not json", {"content-type": "application/json"})],
                     "Malformed response"),
    "200 wrong shape": ([Fault(200, WRONG_SHAPE)], "Malformed response"),
    "200 value 5": ([Fault(200, VALUE_5)], "Malformed response"),
    "200 html": ([Fault(200, HTML, {"content-type": "text/html"})], "Malformed response"),
    "429 twice then success": ([Fault(429, {"message": "slow down"}, times=2)], None),
    "429 forever": ([Fault(429, {"message": "slow down"}, times=FOREVER)],
                    "429 Too Many Requests: rate limited, retried"),
    "503 once then success": ([Fault(503, HTML, {"content-type": "text/html"})], None),
    "connection reset": ([Fault(kind="reset", times=FOREVER)],
                         "Network failure: could not reach the API"),
    "slower than the timeout": ([Fault(kind="timeout", times=FOREVER)], "Timed out"),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_each_fault_shows_a_panel_and_the_app_stays_usable(
        case: str, make_app: Any, sim: SimulatedAppleMusic) -> None:
    faults, headline = CASES[case]
    sim.inject(*faults)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await look_up(pilot, LIKED)
        panel = browser(app).query_one(ErrorPanel)
        if headline is None:
            assert row_texts(app) == [(LIKED, "Liked", "")]
            assert not panel.shown
        else:
            assert panel.shown and panel.report is not None
            assert panel.report.headline.startswith(headline), panel.report.headline
            assert headline in screen_text(app)
            assert row_texts(app)[0][1] == "Failed"
        # Nothing escaped: the app is running and has not set an exit status.
        assert app.is_running and app.return_code is None

        # Still usable: the panel goes, and once the server behaves a lookup works.
        await pilot.press("escape")
        await settle(pilot)
        assert not panel.shown
        sim.faults.clear()
        await look_up(pilot, LIKED)
        assert row_texts(app) == [(LIKED, "Liked", "")]
        assert not panel.shown
        assert app.is_running and app.return_code is None
