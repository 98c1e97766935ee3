"""The command palette's key hints come from the bindings themselves (by binding id), so a
remapped key shows remapped and a binding's key is written once."""

from __future__ import annotations

from browser_kit import settle
from textual.binding import Binding

from tui.app import AmRatingsApp
from tui.backend import demo_token_pair
from tui.commands import COMMANDS, RatingsCommands, bound_keys
from tui.config import AppConfig
from tui.widgets.results import ResultsTable


async def palette_helps(config: AppConfig) -> dict[str, str]:
    app = AmRatingsApp(config, tokens=demo_token_pair())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        provider = RatingsCommands(app.screen)
        return {command.binding_id: command.help for command, _ in provider._available()}


async def test_the_keys_shown_are_the_bindings_keys() -> None:
    helps = await palette_helps(AppConfig(demo=True))
    assert set(helps) == {c.binding_id for c in COMMANDS
                          if c.screen == "browser" or c.target == "app"}
    assert helps["rating.like"] == "l · PUT value 1, then refresh the row"
    assert helps["error.dismiss"].startswith("esc · ")
    assert helps["app.tokens"].startswith("f2 · ")
    assert helps["browser.results"].startswith("↓ · ")


async def test_a_remapped_key_shows_remapped() -> None:
    helps = await palette_helps(AppConfig(demo=True, keymap={"rating.like": "plus",
                                                             "app.tokens": "f6,ctrl+k"}))
    assert helps["rating.like"].startswith("+ · ")
    assert helps["app.tokens"].startswith("f6 · ")
    assert helps["rating.dislike"].startswith("d · ")


def test_binding_keys_are_read_from_the_classes() -> None:
    class Rebound(ResultsTable):
        BINDINGS = [Binding("k,K", "screen.like", "Like", id="rating.like")]

    keys = bound_keys([ResultsTable()])
    assert keys["rating.like"] == "l" and keys["browser.ids"] == "slash"
    rebound = bound_keys([Rebound()])
    assert rebound["rating.like"] == "k"  # the subclass's binding, its first key
    assert rebound["rating.dislike"] == "d"  # inherited, as Textual inherits bindings
