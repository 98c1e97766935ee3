"""The rating type selector is built only when the user reaches for it.

Until then a focusable placeholder, drawn like the compact selector, holds its place (and its
place in the focus chain). Focus by keyboard swaps the real selector in and focuses it; a mouse
click swaps it in with its list open; ``IdPane.set_rating_type`` works in both states.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_kit import browser, look_up, screen_console, screen_text, settle
from textual import events
from textual.widget import Widget
from textual.widgets import Input, Select, Static
from textual.widgets._select import SelectOverlay

from tui.api.simulated import SimulatedAppleMusic
from tui.api.types import ID_RULES, RatingType
from tui.app import AmRatingsApp
from tui.widgets.id_pane import IdPane, TypePlaceholder

SIZE = (100, 30)
PLACEHOLDER = "#rating-type-placeholder"
#: The type the demo starts with, and its neighbours in the selector's list.
START = RatingType.LIBRARY_MUSIC_VIDEOS
BELOW = RatingType.LIBRARY_PLAYLISTS


def pane(app: AmRatingsApp) -> IdPane:
    return browser(app).query_one(IdPane)


def built_select(app: AmRatingsApp) -> Select[RatingType] | None:
    """The rating type selector, if it has been built."""
    found = browser(app).query("#rating-type").results(Select)
    return next(iter(found), None)


def ids_hint(app: AmRatingsApp) -> str:
    return browser(app).query_one("#ids", Input).placeholder


def hint_for(rating_type: RatingType) -> str:
    return f"e.g. {ID_RULES[rating_type].example}"


def shows_type(app: AmRatingsApp, rating_type: RatingType) -> bool:
    """The type selector (or its placeholder) shows ``rating_type``."""
    return re.search(rf"{rating_type.label} +▼", screen_text(app)) is not None


def chain(app: AmRatingsApp) -> list[str | None]:
    return [widget.id for widget in browser(app).focus_chain]


def styled_row(app: AmRatingsApp) -> str:
    """The id row (type selector, ids, language) as drawn, colours included."""
    row = browser(app).query_one("#ids").region.y
    return screen_console(app).export_text(styles=True).splitlines()[row]


async def started(pilot: Any) -> None:
    """The app has drawn its first frames and run everything after them."""
    await settle(pilot)
    await pilot.pause(0.1)
    await settle(pilot)


async def test_started_app_has_no_selector(make_app: Any,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    original = Select.__init__

    def spy(self: Select[Any], *args: Any, **kwargs: Any) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Select, "__init__", spy)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert built == []
        widgets = list(browser(app).walk_children(Widget))
        assert not [w for w in widgets if isinstance(w, (Select, SelectOverlay))]
        placeholder = browser(app).query_one(PLACEHOLDER, TypePlaceholder)
        assert str(placeholder.query_one(".label", Static).content) == START.label
        assert app.focused is browser(app).query_one("#ids")
        assert pane(app).rating_type is START
        assert shows_type(app, START)


async def test_focus_order_is_type_ids_language_before_and_after_the_swap(
        make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert chain(app)[:3] == ["rating-type-placeholder", "ids", "language"]
        # From the ids input back to the type selector, on to language, round to the type.
        await pilot.press("shift+tab")
        await settle(pilot)
        assert built_select(app) is not None
        assert chain(app)[:3] == ["rating-type", "ids", "language"]
        assert app.focused is built_select(app)
        await pilot.press("tab")
        assert app.focused is browser(app).query_one("#ids")
        await pilot.press("tab")
        assert app.focused is browser(app).query_one("#language")
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused is built_select(app)


async def test_tab_reaches_the_type_selector_and_focuses_a_real_select(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        # ids -> language -> results -> (round) the type selector.
        await pilot.press("tab", "tab")
        assert app.focused is browser(app).query_one("#results")
        assert built_select(app) is None  # passing by the others builds nothing
        await pilot.press("tab")
        await settle(pilot)
        select = built_select(app)
        assert select is not None and select.display
        assert app.focused is select
        assert not select.expanded  # keyboard focus does not open the list
        assert not browser(app).query(PLACEHOLDER)
        assert select.value is START
        assert shows_type(app, START)


async def test_focus_method_swaps_too(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        browser(app).query_one(PLACEHOLDER).focus()
        await settle(pilot)
        select = built_select(app)
        assert select is not None and app.focused is select and not select.expanded


async def test_clicking_the_placeholder_opens_the_list(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.click(PLACEHOLDER)
        await settle(pilot)
        select = built_select(app)
        assert select is not None and select.expanded
        assert isinstance(app.focused, SelectOverlay)
        assert "Library playlists" in screen_text(app)  # the list is on screen


async def test_a_terminal_click_opens_the_list(make_app: Any) -> None:
    """As the terminal sends it: press and release only; Textual makes the click when both
    land on the same widget (so the swap must wait for the click)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        region = browser(app).query_one(PLACEHOLDER).region
        x, y = region.x + 2, region.y
        for event_type in (events.MouseDown, events.MouseUp):
            app.post_message(event_type(None, x, y, 0, 0, 1, False, False, False,
                                        screen_x=x, screen_y=y))
            await pilot.pause()
        await settle(pilot)
        select = built_select(app)
        assert select is not None and select.expanded
        assert isinstance(app.focused, SelectOverlay)


async def test_a_press_alone_focuses_the_placeholder_and_enter_opens_the_list(
        make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.mouse_down(PLACEHOLDER)
        await settle(pilot)
        placeholder = browser(app).query_one(PLACEHOLDER)
        assert app.focused is placeholder and built_select(app) is None  # waits for the click
        await pilot.press("enter")
        await settle(pilot)
        select = built_select(app)
        assert select is not None and select.expanded


async def test_focused_placeholder_looks_like_the_focused_selector(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        unfocused_placeholder = styled_row(app)
        await pilot.mouse_down(PLACEHOLDER)  # focused, and stays the placeholder until a click
        await settle(pilot)
        assert built_select(app) is None
        focused_placeholder = styled_row(app)
        assert focused_placeholder != unfocused_placeholder  # the focus shows
        await pilot.press("tab", "shift+tab")  # keyboard focus: the selector is built
        await settle(pilot)
        assert built_select(app) is not None and app.focused is built_select(app)
        assert styled_row(app) == focused_placeholder
        await pilot.press("tab")
        assert app.focused is browser(app).query_one("#ids")
        assert styled_row(app) == unfocused_placeholder


async def test_no_frame_shows_a_half_built_selector(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        before = styled_row(app)
        rows: list[str] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            rows.append(styled_row(app))

        app._display = display  # type: ignore[method-assign]
        await pilot.press("shift+tab")
        await settle(pilot)
        await pilot.pause(0.1)
        assert built_select(app) is not None and app.focused is built_select(app)
        after = styled_row(app)
        assert after != before
        assert rows and rows[-1] == after
        # Every frame drawn shows the row as it was or as it ends: never the selector half
        # built, both at once, or the placeholder focused but looking otherwise.
        assert set(rows) <= {before, after}


async def test_choosing_a_type_by_keyboard_after_the_swap(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert ids_hint(app) == hint_for(START)
        await pilot.press("shift+tab")
        await settle(pilot)
        await pilot.press("enter")  # opens the list on the current type
        await settle(pilot)
        select = built_select(app)
        assert select is not None and select.expanded
        await pilot.press("down", "enter")
        await settle(pilot)
        assert not select.expanded
        assert pane(app).rating_type is BELOW
        assert ids_hint(app) == hint_for(BELOW)
        assert shows_type(app, BELOW)


async def test_set_rating_type_before_the_swap(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        ids = browser(app).query_one("#ids", Input)
        ids.value = "907242702"  # a catalog id: wrong for the library type it starts with
        await pilot.press("enter")
        await settle(pilot)
        assert pane(app).has_class("-has-problems")

        pane(app).set_rating_type(RatingType.SONGS)
        await settle(pilot)
        assert built_select(app) is None
        assert pane(app).rating_type is RatingType.SONGS
        assert ids_hint(app) == hint_for(RatingType.SONGS)
        assert not pane(app).has_class("-has-problems")  # checked again for the new type
        assert shows_type(app, RatingType.SONGS)

        # The selector, once built, starts from it.
        browser(app).query_one(PLACEHOLDER).focus()
        await settle(pilot)
        select = built_select(app)
        assert select is not None and select.value is RatingType.SONGS
        assert pane(app).rating_type is RatingType.SONGS
        assert shows_type(app, RatingType.SONGS)


async def test_set_rating_type_after_the_swap(make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("shift+tab")
        await settle(pilot)
        select = built_select(app)
        assert select is not None

        pane(app).set_rating_type(RatingType.STATIONS)
        await settle(pilot)
        assert select.value is RatingType.STATIONS
        assert pane(app).rating_type is RatingType.STATIONS
        assert ids_hint(app) == hint_for(RatingType.STATIONS)
        assert shows_type(app, RatingType.STATIONS)


@pytest.mark.parametrize("swap_first", [False, True], ids=["placeholder", "selector"])
async def test_look_up_with_a_type(make_app: Any, sim: SimulatedAppleMusic,
                                   swap_first: bool) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        if swap_first:
            await pilot.press("shift+tab")
            await settle(pilot)
            assert built_select(app) is not None
        await look_up(pilot, "1440818839", rating_type="albums")
        # (The names lookup that follows asks the catalog, not the ratings.)
        sent = [path for method, path in sim.requests
                if method == "GET" and path.startswith("/v1/me/ratings/")]
        assert sent and all(path.startswith("/v1/me/ratings/albums") for path in sent), sent
        assert (built_select(app) is not None) is swap_first
