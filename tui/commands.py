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
    #: "screen" for a screen's actions, "app" for app-wide ones.
    target: str = "screen"
    demo_only: bool = False
    #: Which screen's actions: "browser" or "library".
    screen: str = "browser"


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
    PaletteCommand("Library", "browse the whole library with names and ratings",
                   "app.library", "f6", "library", target="app"),
    *(PaletteCommand(title, help_, binding_id, key, action, screen="library")
      for title, help_, binding_id, key, action in (
          ("Like the cursor row (or the marked rows)", "PUT value 1; marked rows after a "
           "confirmation", "rating.like", "l", "like"),
          ("Dislike the cursor row (or the marked rows)", "PUT value -1; marked rows after a "
           "confirmation", "rating.dislike", "d", "dislike"),
          ("Clear the rating of the cursor row (or the marked rows)", "DELETE; marked rows "
           "after a confirmation", "rating.clear", "c", "clear_rating"),
          ("Mark or unmark the cursor row", "actions then apply to every marked row",
           "library.mark", "space", "mark"),
          ("Mark all rows shown", "or unmark them when all are marked",
           "library.mark_all", "asterisk", "mark_all"),
          ("Show all ratings", "rating filter off", "library.filter_all", "1",
           "rating_filter('all')"),
          ("Show liked only", "rating filter", "library.filter_liked", "2",
           "rating_filter('liked')"),
          ("Show disliked only", "rating filter", "library.filter_disliked", "3",
           "rating_filter('disliked')"),
          ("Show not rated only", "rating filter", "library.filter_not_rated", "4",
           "rating_filter('not rated')"),
          ("Filter by text", "name, artist, album", "library.filter", "slash", "filter_text"),
          ("Sort by the next key", "date added, name, artist, rating", "library.sort", "s",
           "next_sort"),
          ("Next library type", "songs, albums, music videos, playlists", "library.type", "t",
           "next_type"),
          ("Find in the library", "library search, results in the table",
           "library.search", "f", "search('library')"),
          ("Find in the catalog", "catalog search, results in the table",
           "library.search_catalog", "F", "search('catalog')"),
          ("Export the rows shown", "CSV, JSON or JSON lines", "library.export", "e",
           "export"),
          ("Inspect the cursor row's request", "its page, ratings batch or PUT",
           "request.inspect", "i", "inspect('row')"),
          ("Stop loading", "keep the rows that arrived", "library.stop", "x", "stop"),
      )),
)


class RatingsCommands(Provider):
    """Offers :data:`COMMANDS` in the palette. Screen commands appear only over their screen."""

    def _available(self) -> list[tuple[PaletteCommand, Callable[[], Any]]]:
        from tui.screens.browser import BrowserScreen
        from tui.screens.library import LibraryScreen

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
            elif isinstance(self.screen, {"browser": BrowserScreen,
                                          "library": LibraryScreen}[command.screen]):
                node = self.screen
            else:
                continue
            key = keymap.get(command.binding_id, command.default_key).split(",")[0]
            command_help = f"{app.get_key_display(Binding(key, ''))} · {command.help}"
            out.append((PaletteCommand(command.title, command_help, command.binding_id, key,
                                       command.action, command.target, command.demo_only,
                                       command.screen),
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
