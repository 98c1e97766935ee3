"""Pictures of the browser on the simulated API: fixed size, demo tokens, pinned clock.

Each picture was looked at before it was accepted. Update with ``--snapshot-update`` only after
looking at the new ones (``snapshot_report.html``).
"""

from __future__ import annotations

from typing import Any

from browser_kit import FIXED_NOW, demo_token_pair, look_up, settle
from repo_kit import SAMPLE_IDS
from textual.pilot import Pilot

from tui.api.simulated import Fault, apple_error, make_demo_developer_token
from tui.config import AppConfig

SAMPLE = " ".join(SAMPLE_IDS)


def test_browser_empty(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24))


def test_results_liked_disliked_not_rated(snap_compare: Any, make_app: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await look_up(pilot, SAMPLE)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run)


def test_inline_validation_sends_nothing(snap_compare: Any, make_app: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await look_up(pilot, "i.NJv00rkTEaLK51, 907242702, l.qrRWYhq ../etc")

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run)


def test_error_401_developer_token(snap_compare: Any, make_app: Any) -> None:
    expired = make_demo_developer_token(now=FIXED_NOW - 200 * 86400)

    async def run(pilot: Pilot[Any]) -> None:
        await look_up(pilot, SAMPLE)

    app = make_app(tokens=demo_token_pair(developer=expired))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run)


def test_error_403_music_user_token(snap_compare: Any, make_app: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await look_up(pilot, SAMPLE)

    app = make_app(tokens=demo_token_pair(user="revoked-user-token-for-tests-1234"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run)


def test_error_429_rate_limited(snap_compare: Any, make_app: Any, sim: Any) -> None:
    sim.inject(Fault(status=429, body={"message": "API capacity exceeded"}, times=10))

    async def run(pilot: Pilot[Any]) -> None:
        await look_up(pilot, SAMPLE)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run)


def test_error_500_server(snap_compare: Any, make_app: Any, sim: Any) -> None:
    sim.inject(Fault(status=500, body=apple_error(500, "50000", "Internal Server Error",
                                                  "Something went wrong"), times=10))

    async def run(pilot: Pilot[Any]) -> None:
        await look_up(pilot, SAMPLE)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run)


def test_request_inspector(snap_compare: Any, make_app: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await look_up(pilot, "i.NJv00rkTEaLK51")
        await pilot.press("down", "i")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run)


def test_demo_marker_with_sample_ids(snap_compare: Any, make_app: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await pilot.press("f4", "enter")
        await settle(pilot)
        await pilot.press("down", "down", "down")

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run)


def test_small_terminal_50x14(snap_compare: Any, make_app: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await look_up(pilot, SAMPLE)

    assert snap_compare(make_app(), terminal_size=(50, 14), run_before=run)


def test_small_terminal_with_error_panel(snap_compare: Any, make_app: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await look_up(pilot, SAMPLE)

    app = make_app(tokens=demo_token_pair(user="revoked-user-token-for-tests-1234"))
    assert snap_compare(app, terminal_size=(50, 14), run_before=run)


def test_custom_base_url_warning(snap_compare: Any, make_app: Any) -> None:
    config = AppConfig(base_url="http://127.0.0.1:8080")
    app = make_app(config=config, tokens=demo_token_pair(source=demo_token_pair().user.source))
    assert snap_compare(app, terminal_size=(80, 24))


def test_request_inspector_headers(snap_compare: Any, make_app: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await look_up(pilot, "i.NJv00rkTEaLK51")
        await pilot.press("down", "i")
        await settle(pilot)
        await pilot.press("end")  # scrolled to the request and response headers
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run)


def test_custom_base_url_403_small_terminal(snap_compare: Any, make_app: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await look_up(pilot, SAMPLE)

    config = AppConfig(base_url="http://127.0.0.1:8080")
    app = make_app(config=config, tokens=demo_token_pair(user="revoked-user-token-for-tests-1234"))
    assert snap_compare(app, terminal_size=(50, 14), run_before=run)


def test_names_in_the_id_browser(snap_compare: Any, make_app: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await look_up(pilot, "i.7PJNN4mfXlD68R i.xrXvO5vFv0VrNA i.e5Ql2JbAmxVp0W "
                             "i.gY6p0Rm2LkQa8Z", rating_type="library-songs")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(100, 24), run_before=run)


def test_copy_as_curl_shows_the_command(snap_compare: Any, make_app: Any) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await look_up(pilot, "i.NJv00rkTEaLK51")
        await pilot.press("down", "i")
        await settle(pilot)
        await pilot.press("c")  # sent through OSC 52, and shown to select by hand
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run)
