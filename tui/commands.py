"""The command palette provider: every action of the app, with the key that runs it.

Each entry names the binding id behind it, so the key shown follows the user's keymap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen


@dataclass(frozen=True)
class PaletteCommand:
    """One palette entry: the action it runs on the browser screen (or the app)."""

    title: str
    help: str
    binding_id: str
    default_key: str
    action: str
    #: "screen" for the browser's actions, "app" for app-wide ones.
    target: str = "screen"
    demo_only: bool = False


COMMANDS: tuple[PaletteCommand, ...] = (
    PaletteCommand("Like the selected row", "PUT value 1, then refresh the row",
                   "rating.like", "l", "like"),
    PaletteCommand("Dislike the selected row", "PUT value -1, then refresh the row",
                   "rating.dislike", "d", "dislike"),
    PaletteCommand("Clear the selected row's rating", "DELETE the rating (never sends -1)",
                   "rating.clear", "c", "clear_rating"),
    PaletteCommand("Re-fetch the selected row", "GET the rating again",
                   "rating.refetch", "r", "refetch"),
    PaletteCommand("Inspect the selected row's request", "method, URL, headers, body, curl",
                   "request.inspect", "i", "inspect('row')"),
    PaletteCommand("Inspect the last request (or the error's)", "the request inspector",
                   "browser.inspect", "f3", "inspect('error')"),
    PaletteCommand("Dismiss the error panel", "hide the current error",
                   "error.dismiss", "escape", "dismiss_error"),
    PaletteCommand("Go to the ids input", "type or paste the next ids",
                   "browser.ids", "slash", "focus_ids"),
    PaletteCommand("Go to the results", "move the cursor into the table",
                   "browser.results", "down", "focus_results"),
    PaletteCommand("Fill in the demo's sample ids", "seeded ids of the selected type",
                   "demo.samples", "f4", "sample_ids", demo_only=True),
    PaletteCommand("Token setup", "enter, check or store the two tokens",
                   "app.tokens", "f2", "tokens", target="app"),
)


class RatingsCommands(Provider):
    """Offers :data:`COMMANDS` in the palette. Screen commands appear only over the browser."""

    def _available(self) -> list[tuple[PaletteCommand, Callable[[], Any]]]:
        from tui.screens.browser import BrowserScreen

        app: Any = self.app
        demo = bool(getattr(getattr(app, "config", None), "demo", False))
        keymap: dict[str, str] = dict(getattr(getattr(app, "config", None), "keymap", {}) or {})
        out: list[tuple[PaletteCommand, Callable[[], Any]]] = []
        for command in COMMANDS:
            if command.demo_only and not demo:
                continue
            node: App[Any] | Screen[Any]
            if command.target == "app":
                node = app
            elif isinstance(self.screen, BrowserScreen):
                node = self.screen
            else:
                continue
            key = keymap.get(command.binding_id, command.default_key).split(",")[0]
            command_help = f"{app.get_key_display(Binding(key, ''))} · {command.help}"
            out.append((PaletteCommand(command.title, command_help, command.binding_id, key,
                                       command.action, command.target, command.demo_only),
                        partial(node.run_action, command.action)))
        return out

    async def discover(self) -> Hits:
        """All commands, for the palette before anything is typed."""
        for command, callback in self._available():
            yield DiscoveryHit(command.title, callback, help=command.help)

    async def search(self, query: str) -> Hits:
        """Commands whose title matches ``query``."""
        matcher = self.matcher(query)
        for command, callback in self._available():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), callback, help=command.help)
