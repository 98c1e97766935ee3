"""Behaviour of the browser, driven with the pilot on the simulated API."""

from __future__ import annotations

from typing import Any

import pytest
from browser_kit import browser, demo_token_pair, look_up, row_texts, screen_text, settle, table
from repo_kit import SAMPLE_IDS, UNRATED_ID
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, TextArea
from textual.worker import WorkerState

from tui.api.simulated import DEMO_USER_TOKEN, Fault, SimulatedAppleMusic
from tui.app import AmRatingsApp
from tui.config import AppConfig
from tui.messages import RatingsLoaded, TokensChanged
from tui.screens.browser import BrowserScreen
from tui.screens.inspector import ConfirmRevealScreen, CurlCommandScreen, InspectorScreen
from tui.widgets.error_panel import ErrorPanel
from tui.widgets.id_pane import IdPane, IdsInput
from tui.widgets.results import ResultsTable

UNRATED = UNRATED_ID
SAMPLE = list(SAMPLE_IDS[:3])
TYPE = "library-music-videos"


def panel(app: AmRatingsApp) -> ErrorPanel:
    return browser(app).query_one(ErrorPanel)


def ratings_requests(sim: SimulatedAppleMusic) -> list[tuple[str, str]]:
    """The requests to the ratings endpoints (names lookups left out)."""
    return [r for r in sim.requests if r[1].startswith("/v1/me/ratings/")]


async def test_names_fill_in_after_the_ratings(make_app: Any, sim: SimulatedAppleMusic) -> None:
    app = make_app()
    async with app.run_test(size=(120, 24)) as pilot:
        await look_up(pilot, " ".join(SAMPLE))
        rows = table(app).rows_state
        assert all(row.name for row in rows)
        # One lookup by ids, after the ratings.
        lookups = [path for _, path in sim.requests if path.startswith("/v1/me/library/")]
        assert len(lookups) == 1 and sim.requests.index(("GET", lookups[0])) > 0
        # The names column shows on the frame after the names land: wait for it (a loaded
        # machine can take a few frames), but not for ever.
        first = rows[0].name.split(" · ")[0]
        for _ in range(100):
            text = screen_text(app)
            if "Name" in text and first in text:
                break
            await pilot.pause(0.05)
        assert "Name" in text and first in text, text


async def test_failed_names_never_fail_a_row(make_app: Any, sim: SimulatedAppleMusic) -> None:
    sim.inject(Fault(status=500, times=100, path_contains="/v1/me/library/"))
    app = make_app()
    async with app.run_test() as pilot:
        await look_up(pilot, " ".join(SAMPLE))
        assert row_texts(app) == [(SAMPLE[0], "Liked", ""), (SAMPLE[1], "Disliked", ""),
                                  (UNRATED, "Not rated", "")]
        assert all(row.name == "" and row.error is None for row in table(app).rows_state)
        assert not panel(app).shown


async def test_results_in_input_order_with_words_and_counts(make_app: Any) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await look_up(pilot, " ".join([UNRATED, *SAMPLE[:2], UNRATED]))
        assert row_texts(app) == [(UNRATED, "Not rated", ""), (SAMPLE[0], "Liked", ""),
                                  (SAMPLE[1], "Disliked", ""), (UNRATED, "Not rated", "")]
        text = screen_text(app)
        assert "♥ Liked" in text and "✕ Disliked" in text and "· Not rated" in text
        assert "4 ids   ♥ 1 liked   ✕ 1 disliked   · 2 not rated   ! 0 failed" in text
        assert not panel(app).shown  # "Not rated" is never an error


async def test_like_dislike_clear_round_trip(make_app: Any, sim: SimulatedAppleMusic) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await look_up(pilot, UNRATED)
        await pilot.press("down")
        assert isinstance(app.focused, ResultsTable)

        await pilot.press("l")
        await settle(pilot)
        assert sim.rating_of(TYPE, UNRATED) == 1
        assert row_texts(app) == [(UNRATED, "Liked", "liked")]
        assert ("PUT", f"/v1/me/ratings/{TYPE}/{UNRATED}") in sim.requests

        await pilot.press("d")
        await settle(pilot)
        assert sim.rating_of(TYPE, UNRATED) == -1
        assert row_texts(app) == [(UNRATED, "Disliked", "disliked")]

        await pilot.press("c")
        await settle(pilot)
        assert sim.rating_of(TYPE, UNRATED) is None
        assert ("DELETE", f"/v1/me/ratings/{TYPE}/{UNRATED}") in sim.requests
        assert row_texts(app) == [(UNRATED, "Not rated", "cleared")]

        await pilot.press("c")  # a 404 on DELETE is "already cleared", not an error
        await settle(pilot)
        assert row_texts(app) == [(UNRATED, "Not rated", "was not rated")]
        assert not panel(app).shown

        sim.ratings[(TYPE, UNRATED)] = 1  # changed elsewhere: re-fetch picks it up
        await pilot.press("r")
        await settle(pilot)
        assert row_texts(app) == [(UNRATED, "Liked", "re-fetched")]
        assert "1 ids" not in screen_text(app) and "1 id   ♥ 1 liked" in screen_text(app)


async def test_a_new_lookup_cancels_the_old_one(make_app: Any, sim: SimulatedAppleMusic) -> None:
    sim.latency = 0.5
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        ids = browser(app).query_one("#ids", Input)
        ids.value = " ".join(SAMPLE)
        await pilot.press("enter")
        await pilot.pause(0.1)
        first = [w for w in app.workers if w.group == "lookup"]
        assert len(first) == 1 and first[0].state == WorkerState.RUNNING

        sim.latency = 0.0
        ids.value = "i.4wKvA9ZQo1RZb3"
        await pilot.press("enter")
        await settle(pilot)
        assert first[0].state == WorkerState.CANCELLED
        assert row_texts(app) == [("i.4wKvA9ZQo1RZb3", "Liked", "")]
        await pilot.pause(0.6)  # the old request's answer would have arrived by now
        assert row_texts(app) == [("i.4wKvA9ZQo1RZb3", "Liked", "")]


async def test_rows_fill_in_as_batches_arrive(sim: SimulatedAppleMusic) -> None:
    seen: list[Message] = []
    app = AmRatingsApp(AppConfig(demo=True, batch_size=2), transport=sim,
                       tokens=demo_token_pair())
    async with app.run_test(message_hook=seen.append) as pilot:
        ids = SimulatedAppleMusic.sample_ids(TYPE)
        await look_up(pilot, " ".join(ids))
        batches = list({id(m): m for m in seen if isinstance(m, RatingsLoaded)}.values())
        assert len(batches) == 3 and [len(b.results) for b in batches] == [2, 2, 1]
        assert [row[0] for row in row_texts(app)] == ids
        assert all(row[1] != "Loading" for row in row_texts(app))


async def test_bad_ids_give_inline_messages_and_send_nothing(
        make_app: Any, sim: SimulatedAppleMusic) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await look_up(pilot, "i.NJv00rkTEaLK51, 907242702\nl.qrRWYhq ../etc")
        text = screen_text(app)
        assert "Nothing was sent: 3 of 4 ids cannot be sent as library-music-videos." in text
        assert "'907242702': looks like a catalog id" in text
        assert "'../etc': contains '/'" in text
        assert sim.requests == []
        assert table(app).rows_state == []

        await look_up(pilot, "")
        assert "Type or paste at least one id" in screen_text(app)
        assert sim.requests == []

        # Fixing the input clears the messages as it is typed; then the lookup goes out.
        browser(app).query_one("#ids", Input).value = "i.NJv00rkTEaLK51"
        await pilot.pause()
        assert not browser(app).query_one(IdPane).has_class("-has-problems")
        await pilot.press("enter")
        await settle(pilot)
        assert len(ratings_requests(sim)) == 1


@pytest.mark.parametrize("size", [(80, 24), (50, 14)])
async def test_bad_ids_panel_keeps_its_and_more_line_when_lines_wrap(
        make_app: Any, sim: SimulatedAppleMusic, size: tuple[int, int]) -> None:
    # Catalog ids typed as library ids: each reason is long enough to wrap.
    bad = [str(907242702 + n) for n in range(7)]
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await look_up(pilot, " ".join(bad))
        problems = browser(app).query_one("#id-problems")
        text = screen_text(app)
        listed = sum(f"'{item}'" in text for item in bad)
        assert f"… and {len(bad) - listed} more" in text, text
        assert 0 < listed < len(bad) and "Nothing was sent: 7 of 7 ids" in text
        # Everything it says fits: nothing is cut off at the bottom.
        assert problems.virtual_size.height <= problems.size.height
        assert sim.requests == []

        await pilot.resize_terminal(160, 30)  # wide enough for one row each: four fit
        await pilot.pause()
        wider = screen_text(app)
        assert sum(f"'{item}'" in wider for item in bad) == 4 and "… and 3 more" in wider


async def test_a_bad_language_is_refused_inline(make_app: Any, sim: SimulatedAppleMusic) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        browser(app).query_one("#language", Input).value = "en_US!"
        await look_up(pilot, UNRATED)
        assert "is not a language tag like en-US" in screen_text(app)
        assert sim.requests == []
        browser(app).query_one("#language", Input).value = "es-MX"
        await look_up(pilot, UNRATED)
        assert ratings_requests(sim) == [("GET", f"/v1/me/ratings/{TYPE}/{UNRATED}?l=es-MX")]


def cursor_row_on_screen(app: AmRatingsApp) -> bool:
    """Whether the table's cursor row is drawn, highlighted, inside the table's visible part."""
    results = table(app)
    header = results.header_height if results.show_header else 0
    visible = results.scrollable_content_region.height - header
    return results.scroll_y <= results.cursor_row < results.scroll_y + visible


async def test_the_cursor_row_stays_visible_after_a_resize(make_app: Any,
                                                           sim: SimulatedAppleMusic) -> None:
    app = make_app()
    async with app.run_test(size=(80, 40)) as pilot:
        ids = [f"i.Resize{n:03d}" for n in range(40)]
        await look_up(pilot, " ".join(ids))
        await pilot.press("down", *["down"] * 30)
        results = table(app)
        assert results.cursor_row == 30 and cursor_row_on_screen(app)
        await pilot.resize_terminal(80, 16)
        await pilot.pause()
        await pilot.pause()
        assert results.cursor_row == 30 and cursor_row_on_screen(app)
        assert " 31  i.Resize030" in screen_text(app)
        await pilot.press("l")  # acts on the row the user sees
        await settle(pilot)
        assert sim.rating_of(TYPE, "i.Resize030") == 1
        assert [row.item_id for row in results.rows_state if row.note == "liked"] == \
            ["i.Resize030"]


async def test_home_and_end_jump_to_the_first_and_last_row(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 20)) as pilot:
        await look_up(pilot, " ".join(SAMPLE * 10))
        await pilot.press("down")
        results = table(app)
        await pilot.press("end")
        await pilot.pause()
        assert results.cursor_row == 29 and cursor_row_on_screen(app)
        assert " 30  " + UNRATED in screen_text(app)
        await pilot.press("home")
        await pilot.pause()
        assert results.cursor_row == 0 and results.scroll_y == 0


async def test_keys_typed_at_launch_reach_the_id_input(sim: SimulatedAppleMusic,
                                                        pinned_requests: None) -> None:
    # Keys the terminal delivers while the browser is still being composed, before anything
    # has focus: Textual alone hands them to the screen, which drops them.
    class TypedAtLaunch(AmRatingsApp):
        def on_mount(self) -> None:  # runs after AmRatingsApp.on_mount (Textual walks the MRO)
            assert self.focused is None
            for char in SAMPLE[0]:
                self.post_message(events.Key("full_stop" if char == "." else char, char))
            # Enter typed before the terminal left line mode arrives as a line feed.
            self.post_message(events.Key("ctrl+j", "\n"))

    app = TypedAtLaunch(AppConfig(demo=True), transport=sim, tokens=demo_token_pair())
    async with app.run_test() as pilot:
        await settle(pilot)
        assert browser(app).query_one(IdsInput).value == SAMPLE[0]
        assert row_texts(app) == [(SAMPLE[0], "Liked", "")]
        await pilot.press("x")  # once focus is there, keys go straight to it
        assert browser(app).query_one(IdsInput).value.endswith("x")


async def test_focus_starts_in_ids_and_stays_after_enter(make_app: Any) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.focused, IdsInput)
        await look_up(pilot, UNRATED)
        assert isinstance(app.focused, IdsInput)
        await pilot.press("x")  # the looked-up text is selected: typing replaces it
        assert app.focused.value == "x"
        await pilot.press("down")
        assert isinstance(app.focused, ResultsTable)
        await pilot.press("slash")
        assert isinstance(app.focused, IdsInput)


async def test_pasting_a_column_of_ids_keeps_every_line(make_app: Any) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        ids = browser(app).query_one(IdsInput)
        ids.post_message(events.Paste("i.NJv00rkTEaLK51\ni.B0VNN8Bf9dYXOV\r\n\ti.Pz7Lk0aW3qYd1M\n"))
        await pilot.pause()
        assert ids.value == "i.NJv00rkTEaLK51 i.B0VNN8Bf9dYXOV i.Pz7Lk0aW3qYd1M"
        await pilot.press("enter")
        await settle(pilot)
        assert [r[1] for r in row_texts(app)] == ["Liked", "Disliked", "Not rated"]


async def test_copy_as_curl_is_redacted_unless_confirmed(make_app: Any) -> None:
    tokens = demo_token_pair()
    app = make_app(tokens=tokens)
    developer, user = tokens.developer.value, tokens.user.value
    assert developer and user
    async with app.run_test() as pilot:
        await look_up(pilot, UNRATED)
        await pilot.press("down", "i")
        await settle(pilot)
        assert isinstance(app.screen, InspectorScreen)
        await pilot.press("c")
        copied = app.clipboard
        assert copied.startswith("curl -sS -X GET ")
        assert f"/v1/me/ratings/{TYPE}/{UNRATED}" in copied
        assert "'authorization: bearer '\"$apple_music_developer_token\"" in copied.lower()
        assert "'music-user-token: '\"$apple_music_user_token\"" in copied.lower()
        assert developer not in copied and user not in copied
        # Also on screen, since many terminals ignore OSC 52; and not called "copied".
        await pilot.pause()
        assert isinstance(app.screen, CurlCommandScreen)
        shown = app.screen.query_one(TextArea).text
        assert shown.replace(" \\\n", " ") == copied and shown.count("\n") >= 2
        text = " ".join(screen_text(app).split())
        assert "Sent to the terminal's clipboard (OSC 52)" in text and "Tokens redacted" in text
        assert "-H 'music-user-token: '\"$APPLE_MUSIC_USER_TOKEN\"" in screen_text(app)
        assert not [n for n in app._notifications if "Copied" in n.message]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, InspectorScreen)

        await pilot.press("u")  # with tokens: asks first; "n" keeps them out
        await pilot.pause()
        assert isinstance(app.screen, ConfirmRevealScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.clipboard == copied

        await pilot.press("u")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert f"Bearer {developer}" in app.clipboard and user in app.clipboard
        assert isinstance(app.screen, CurlCommandScreen) and app.screen.with_tokens
        # On screen the tokens stay variables until ctrl+r reveals them.
        assert app.screen.query_one(TextArea).text == shown
        assert developer[-20:] not in screen_text(app) and user not in screen_text(app)
        assert "Sent to the terminal's clipboard" in " ".join(screen_text(app).split())
        assert not [n for n in app._notifications if "Copied" in n.message]
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.screen.query_one(TextArea).text.replace(" \\\n", " ") == app.clipboard
        assert user in screen_text(app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert user not in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)


async def test_inspector_without_requests_says_so(make_app: Any) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, InspectorScreen)
        assert "No request has been sent yet." in screen_text(app)
        await pilot.press("c")
        assert app.clipboard == ""


@pytest.mark.parametrize(("fault", "headline", "note"), [
    (Fault(kind="timeout", times=10), "Timed out: no answer in time", "Timed out"),
    (Fault(kind="reset", times=10), "Network failure: could not reach the API, retried 3 times",
     "Network failure"),
    (Fault(status=200, body="<html><title>Gateway</title></html>", times=10),
     "Malformed response: the answer is not what Apple documents", "Malformed response"),
    (Fault(status=503, body="<html><title>503</title></html>", times=10),
     "503 Server error: Apple's server failed, retried 3 times", "HTTP 503"),
    (Fault(status=429, times=10), "429 Too Many Requests: rate limited, retried 3 times",
     "HTTP 429"),
])
async def test_faults_show_the_panel_and_the_app_stays_usable(
        make_app: Any, sim: SimulatedAppleMusic, fault: Fault, headline: str, note: str) -> None:
    sim.inject(fault)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await look_up(pilot, " ".join(SAMPLE))
        assert panel(app).shown
        assert str(panel(app).border_title).endswith(headline)
        assert all(row[1] == "Failed" and row[2].startswith(note) for row in row_texts(app))
        assert "Request" in screen_text(app)  # the panel shows the request it belongs to

        fault.times = 0
        await pilot.press("escape")
        assert not panel(app).shown
        await look_up(pilot, " ".join(SAMPLE))
        assert [row[1] for row in row_texts(app)] == ["Liked", "Disliked", "Not rated"]
        assert not panel(app).shown


async def test_error_panel_names_the_token_at_fault(make_app: Any) -> None:
    app = make_app(tokens=demo_token_pair(user="revoked-user-token-for-tests-1234"))
    async with app.run_test(size=(100, 30)) as pilot:
        await look_up(pilot, UNRATED)
        text = screen_text(app)
        assert "403 Forbidden: Apple rejected the music user token" in text
        assert "40300 Forbidden: Invalid authentication" in text
        assert "The music user token sha256:" in text
        assert "GET https://api.music.apple.com/v1/me/ratings/" in text
        await pilot.press("f3")  # the panel's request, in the inspector
        await pilot.pause()
        assert isinstance(app.screen, InspectorScreen)
        assert "403" in screen_text(app) and "Invalid authentication" in screen_text(app)


async def test_a_failed_action_keeps_the_rating_and_explains(
        make_app: Any, sim: SimulatedAppleMusic) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await look_up(pilot, SAMPLE[0])
        sim.inject(Fault(status=500, times=10, method="PUT"))
        await pilot.press("down", "d")
        await settle(pilot)
        assert row_texts(app) == [(SAMPLE[0], "Liked", "HTTP 500 · Apple server error")]
        assert sim.rating_of(TYPE, SAMPLE[0]) == 1
        assert panel(app).shown


async def test_no_token_is_ever_shown_whole(make_app: Any) -> None:
    developer_token = demo_token_pair().developer.value
    assert developer_token
    secrets = [developer_token, DEMO_USER_TOKEN, "revoked-user-token-for-tests-1234"]
    pictures: list[str] = []
    app = make_app(tokens=demo_token_pair(user="revoked-user-token-for-tests-1234"))
    async with app.run_test(size=(200, 50)) as pilot:
        await look_up(pilot, " ".join(SAMPLE))  # 403: the error panel
        pictures += [screen_text(app), app.export_screenshot()]
        await pilot.press("f3")
        await settle(pilot)
        pictures += [screen_text(app), app.export_screenshot()]
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await look_up(pilot, " ".join(SAMPLE))
        await pilot.press("down", "i")
        await settle(pilot)
        pictures += [screen_text(app), app.export_screenshot()]
    for picture in pictures:
        flat = picture.replace("&#160;", " ")
        for secret in secrets:
            # No whole token, and no long piece of one (a token cut by wrapping).
            pieces = {secret[i:i + 24] for i in range(0, len(secret) - 24)}
            assert secret not in flat
            assert not [p for p in pieces if p in flat], "a piece of a token is on screen"


async def test_missing_tokens_open_setup_and_send_nothing(
        sim: SimulatedAppleMusic, isolated_env: dict[str, str]) -> None:
    # isolated_env: the setup screen asks the keyring for its status; never the real one.
    app = AmRatingsApp(AppConfig(), transport=sim, load_tokens=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        from tui.screens.token_setup import TokenSetupScreen

        assert isinstance(app.screen, TokenSetupScreen)
        app.pop_screen()
        await pilot.pause()
        await look_up(pilot, UNRATED)
        assert sim.requests == []
        assert "Cannot send: configuration missing" in screen_text(app)
        assert "no developer token is set" in screen_text(app)

        # The setup screen's message: the next lookup uses the new tokens.
        app.post_message(TokensChanged(demo_token_pair(), "session"))
        await pilot.pause()
        await look_up(pilot, SAMPLE[0])
        assert row_texts(app) == [(SAMPLE[0], "Liked", "")]


async def test_keymap_from_the_config_remaps_by_binding_id(sim: SimulatedAppleMusic) -> None:
    config = AppConfig(demo=True, keymap={"rating.like": "plus", "browser.results": "ctrl+down"})
    app = AmRatingsApp(config, transport=sim, tokens=demo_token_pair())
    async with app.run_test() as pilot:
        await look_up(pilot, UNRATED)
        await pilot.press("ctrl+down", "plus")
        await settle(pilot)
        assert sim.rating_of(TYPE, UNRATED) == 1


async def test_command_palette_runs_row_actions(make_app: Any, sim: SimulatedAppleMusic) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await look_up(pilot, UNRATED)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Dislike the selected")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert sim.rating_of(TYPE, UNRATED) == -1


async def test_demo_sample_ids_key(sim: SimulatedAppleMusic) -> None:
    app = AmRatingsApp(AppConfig(demo=True, rating_type="library-songs"), transport=sim,
                       tokens=demo_token_pair())
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("f4", "enter")
        await settle(pilot)
        assert [r[0] for r in row_texts(app)] == SimulatedAppleMusic.sample_ids("library-songs")


async def test_demo_without_given_tokens_uses_the_embedded_simulation() -> None:
    app = AmRatingsApp(AppConfig(demo=True))
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.tokens is not None and app.tokens.developer.source.value == "demo"
        await look_up(pilot, " ".join(SAMPLE))
        assert [r[1] for r in row_texts(app)] == ["Liked", "Disliked", "Not rated"]
        assert "DEMO" in screen_text(app)


async def test_small_terminal_stays_usable(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await look_up(pilot, " ".join(SAMPLE))
        await pilot.resize_terminal(50, 14)
        await pilot.pause()
        text = screen_text(app)
        assert "DEMO" in text and "♥ Liked" in text
        await pilot.press("down", "down", "l")
        await settle(pilot)
        assert row_texts(app)[1][1] == "Liked"


async def test_no_color_keeps_words_and_symbols(make_app: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test() as pilot:
        await look_up(pilot, " ".join(SAMPLE))
        assert app.no_color
        text = screen_text(app)
        assert "♥ Liked" in text and "✕ Disliked" in text and "· Not rated" in text


def test_every_binding_has_an_id() -> None:
    from tui.widgets.id_pane import IdsInput

    for owner in (AmRatingsApp, BrowserScreen, ResultsTable, IdsInput, InspectorScreen,
                  ConfirmRevealScreen):
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding) and binding.id, f"{owner.__name__}: {binding}"
            assert not {"ctrl+j", "ctrl+s", "ctrl+o"} & set(binding.key.split(","))


async def test_a_thousand_ids_fill_in_batch_by_batch(sim: SimulatedAppleMusic) -> None:
    seen: list[Message] = []
    ids = [f"i.Bulk{i:05d}" for i in range(1000)]
    liked = ids[::7]
    for item_id in liked:
        sim.ratings[(TYPE, item_id)] = 1
    app = AmRatingsApp(AppConfig(demo=True), transport=sim, tokens=demo_token_pair())
    async with app.run_test(message_hook=seen.append) as pilot:
        await look_up(pilot, "\n".join(ids))
        batches = {id(m): m for m in seen if isinstance(m, RatingsLoaded)}
        assert len(batches) == 10
        rows = row_texts(app)
        assert [r[0] for r in rows] == ids
        assert [r[0] for r in rows if r[1] == "Liked"] == liked
        assert "1000 ids   ♥ 143 liked" in screen_text(app)
        # Still responsive afterwards: the cursor moves and an action goes out.
        await pilot.press("down", "ctrl+end", "l")
        await settle(pilot)
        assert sim.rating_of(TYPE, ids[-1]) == 1


async def test_tokens_are_read_off_the_event_loop_and_a_slow_keyring_is_explained(
        sim: SimulatedAppleMusic, monkeypatch: pytest.MonkeyPatch,
        isolated_env: dict[str, str]) -> None:
    import threading

    from tui import app as app_module
    from tui.tokens import store
    from tui.tokens.redact import fingerprint

    release = threading.Event()
    pair = demo_token_pair(source=store.TokenSource.ENV)

    def slow_load_tokens(*args: Any, **kwargs: Any) -> Any:
        assert threading.current_thread() is not threading.main_thread()
        release.wait(5)
        return pair

    monkeypatch.setattr(store, "load_tokens", slow_load_tokens)
    monkeypatch.setattr(app_module, "SLOW_KEYRING_SECONDS", 0.2)
    app = AmRatingsApp(AppConfig(), transport=sim)
    async with app.run_test(size=(120, 24)) as pilot:
        # The UI is drawn and answers while the keyring hangs. (Polled: the warm-up imports
        # the service layer on the event loop meanwhile, slower on a loaded machine.)
        for _ in range(30):
            await pilot.pause(0.1)
            if "still reading the keyring" in screen_text(app):
                break
        assert "still reading the keyring" in screen_text(app)
        await pilot.press("x")
        assert browser(app).query_one(IdsInput).value == "x"
        release.set()
        await settle(pilot)
        assert app.tokens == pair
        assert pair.developer.value and fingerprint(pair.developer.value) in screen_text(app)
        assert isinstance(app.screen, BrowserScreen)  # both tokens found: no setup screen
        await look_up(pilot, SAMPLE[0])
        assert row_texts(app) == [(SAMPLE[0], "Liked", "")]


async def test_a_missing_stored_token_opens_token_setup(
        sim: SimulatedAppleMusic, monkeypatch: pytest.MonkeyPatch,
        isolated_env: dict[str, str]) -> None:
    from tui.screens.token_setup import TokenSetupScreen
    from tui.tokens import store

    missing_user = demo_token_pair(user=None, source=store.TokenSource.ENV)
    monkeypatch.setattr(store, "load_tokens", lambda *a, **k: missing_user)
    app = AmRatingsApp(AppConfig(), transport=sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TokenSetupScreen)


def test_no_animations_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEXTUAL_ANIMATIONS", raising=False)
    assert AmRatingsApp(AppConfig(demo=True)).animation_level == "none"
