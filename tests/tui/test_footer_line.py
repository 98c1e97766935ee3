"""The footer is one widget drawing one line: a focus change repaints it instead of mounting a
widget per key, keys fit whole with quit last, and a click or a hover lands on the right key."""

from __future__ import annotations

from typing import Any

from browser_kit import browser, look_up, screen_text, settle
from repo_kit import SAMPLE_IDS
from textual.widgets import DataTable

from tui.screens.token_setup import TokenSetupScreen
from tui.widgets.footer import AppFooter, FooterKey, fitting_keys

SAMPLE = " ".join(SAMPLE_IDS[:2])


def key(display: str, description: str, action: str) -> FooterKey:
    return FooterKey(display, display, description, action)


KEYS = [key("f1", "One", "one"), key("f2", "Longer-key", "two"), key("^q", "Quit", "quit"),
        key("f3", "X", "three")]
PALETTE = key("^p", "palette", "command_palette")


def test_keys_that_do_not_fit_are_left_out_in_order_and_quit_comes_last() -> None:
    everything = [k.description for k in fitting_keys(sorted(
        KEYS, key=lambda k: k.action == "quit"), PALETTE, 100)[0]]
    assert everything == ["One", "Longer-key", "X", "Quit"]
    # In 20 columns: "^q Quit " takes 8, "f1 One " 7; "f2 Longer-key " (14) does not fit, so
    # "f3 X " (5) is left out too although it would fit: keys keep their order.
    keys = sorted(KEYS, key=lambda k: k.action == "quit")
    shown, palette = fitting_keys(keys, None, 20)
    assert [k.description for k in shown] == ["One", "Quit"]
    shown, _ = fitting_keys(keys, None, 29)
    assert [k.description for k in shown] == ["One", "Longer-key", "Quit"]
    assert palette is None
    shown, palette = fitting_keys(keys, PALETTE, 72)
    assert palette == PALETTE
    shown, palette = fitting_keys(keys, PALETTE, 69)  # under the narrow width: no palette
    assert palette is None


def footer_of(app: Any) -> AppFooter:
    return app.screen.query_one(AppFooter)


async def test_a_focus_change_repaints_the_footer_without_mounting_widgets(
        make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await look_up(pilot, SAMPLE)
        footer = footer_of(app)
        assert not footer.children
        assert "l Like" not in screen_text(app).splitlines()[-1]
        mounted: list[Any] = []
        original = app._register

        def register(*args: Any, **kwargs: Any) -> Any:
            mounted.append(args)
            return original(*args, **kwargs)

        app._register = register  # type: ignore[method-assign]
        await pilot.press("down")  # the results take focus: the row keys join the footer
        await settle(pilot)
        assert isinstance(app.focused, DataTable)
        line = screen_text(app).splitlines()[-1]
        assert "l Like" in line and "d Dislike" in line and line.rstrip().endswith("^p palette")
        assert mounted == []  # nothing was mounted to show them


async def test_clicking_a_key_runs_it_and_hovering_highlights_only_that_key(
        make_app: Any) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        footer = footer_of(app)
        line = screen_text(app).splitlines()[-1]
        column = line.index("f2 Tokens")
        plain = footer.render()
        assert plain.plain.startswith(line[:column + 9])  # the widget draws the whole line
        await pilot.hover(AppFooter, offset=(column + 3, 0))
        await pilot.pause()
        hovered = footer.render()
        hover_background = footer.get_component_rich_style("footer-key--hover").bgcolor
        highlighted = {i for i in range(len(hovered.plain))
                       if hovered.get_style_at_offset(app.console, i).bgcolor == hover_background}
        assert highlighted == set(range(column, column + len("f2 Tokens")))
        await pilot.click(AppFooter, offset=(column + 3, 0))
        await settle(pilot)
        assert isinstance(app.screen, TokenSetupScreen)
        assert browser(app) is not app.screen
