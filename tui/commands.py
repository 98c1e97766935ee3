"""The command palette provider: every action of the app, with the key that runs it.

Each entry names the binding id behind it; the key shown is that binding's (found on the screen,
its widgets or the app), or the user's keymap entry for that id, so a remapped key shows
remapped and no key is written twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.screen import Screen
    from textual.widget import Widget


@dataclass(frozen=True)
class PaletteCommand:
    """One palette entry: the action it runs on the browser screen (or the app)."""

    title: str
    help: str
    binding_id: str
    action: str
    #: "screen" for a screen's actions, "app" for app-wide ones.
    target: str = "screen"
    demo_only: bool = False
    #: Which screen's actions: "browser" or "library".
    screen: str = "browser"


COMMANDS: tuple[PaletteCommand, ...] = (
    PaletteCommand("Like the selected row", "PUT value 1, then refresh the row",
                   "rating.like", "like"),
    PaletteCommand("Dislike the selected row", "PUT value -1, then refresh the row",
                   "rating.dislike", "dislike"),
    PaletteCommand("Clear the selected row's rating", "DELETE the rating (never sends -1)",
                   "rating.clear", "clear_rating"),
    PaletteCommand("Re-fetch the selected row", "GET the rating again",
                   "rating.refetch", "refetch"),
    PaletteCommand("Inspect the selected row's request", "method, URL, headers, body, curl",
                   "request.inspect", "inspect('row')"),
    PaletteCommand("Inspect the last request (or the error's)", "the request inspector",
                   "browser.inspect", "inspect('error')"),
    PaletteCommand("Dismiss the error panel", "hide the current error",
                   "error.dismiss", "dismiss_error"),
    PaletteCommand("Go to the ids input", "type or paste the next ids",
                   "browser.ids", "focus_ids"),
    PaletteCommand("Go to the results", "move the cursor into the table",
                   "browser.results", "focus_results"),
    PaletteCommand("Fill in the demo's sample ids", "seeded ids of the selected type",
                   "demo.samples", "sample_ids", demo_only=True),
    PaletteCommand("Token setup", "enter, check or store the two tokens",
                   "app.tokens", "tokens", target="app"),
    PaletteCommand("Library", "browse the whole library with names and ratings",
                   "app.library", "library", target="app"),
    *(PaletteCommand(title, help_, binding_id, action, screen="library")
      for title, help_, binding_id, action in (
          ("Like the cursor row (or the marked rows)", "PUT value 1; marked rows after a "
           "confirmation", "rating.like", "like"),
          ("Dislike the cursor row (or the marked rows)", "PUT value -1; marked rows after a "
           "confirmation", "rating.dislike", "dislike"),
          ("Clear the rating of the cursor row (or the marked rows)", "DELETE; marked rows "
           "after a confirmation", "rating.clear", "clear_rating"),
          ("Mark or unmark the cursor row", "actions then apply to every marked row",
           "library.mark", "mark"),
          ("Mark all rows shown", "or unmark them when all are marked",
           "library.mark_all", "mark_all"),
          ("Show all ratings", "rating filter off", "library.filter_all",
           "rating_filter('all')"),
          ("Show liked only", "rating filter", "library.filter_liked",
           "rating_filter('liked')"),
          ("Show disliked only", "rating filter", "library.filter_disliked",
           "rating_filter('disliked')"),
          ("Show not rated only", "rating filter", "library.filter_not_rated",
           "rating_filter('not rated')"),
          ("Filter by text", "name, artist, album", "library.filter", "filter_text"),
          ("Sort by the next key", "library order, date added, name, artist, rating",
           "library.sort", "next_sort"),
          ("Next library type", "songs, albums, music videos, playlists", "library.type",
           "next_type"),
          ("Find in the library", "library search, results in the table",
           "library.search", "search('library')"),
          ("Find in the catalog", "catalog search, results in the table",
           "library.search_catalog", "search('catalog')"),
          ("Export the rows shown", "CSV, JSON or JSON lines", "library.export",
           "export"),
          ("Inspect the cursor row's request", "its page, ratings batch or PUT",
           "request.inspect", "inspect('row')"),
          ("Stop loading", "keep the rows that arrived", "library.stop", "stop"),
      )),
)


def bound_keys(nodes: Iterable[DOMNode]) -> dict[str, str]:
    """Binding id -> the first key of that binding, from the ``BINDINGS`` of ``nodes``' classes
    (nearest first: a subclass's binding wins over its base's)."""
    keys: dict[str, str] = {}
    for node in nodes:
        for cls in type(node).__mro__:
            for binding in getattr(cls, "BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id and binding.id not in keys:
                    keys[binding.id] = binding.key.split(",")[0].strip()
    return keys


class RatingsCommands(Provider):
    """Offers :data:`COMMANDS` in the palette. Screen commands appear only over their screen."""

    def _available(self) -> list[tuple[PaletteCommand, Callable[[], object]]]:
        from tui.screens.browser import BrowserScreen
        from tui.screens.library import LibraryScreen
        from tui.session import Session

        app = self.app
        session = getattr(app, "session", None)
        config = session.config if isinstance(session, Session) else None
        demo = config is not None and config.demo
        keymap = dict(config.keymap) if config is not None else {}
        screen = self.screen
        keys = bound_keys([screen, *screen.walk_children(), app])
        screens: dict[str, type[Screen[None]]] = {"browser": BrowserScreen,
                                                  "library": LibraryScreen}
        out: list[tuple[PaletteCommand, Callable[[], object]]] = []
        for command in COMMANDS:
            if command.demo_only and not demo:
                continue
            node: App[object] | Widget
            if command.target == "app":
                node = app
            elif isinstance(screen, screens[command.screen]):
                node = screen
            else:
                continue
            key = keymap.get(command.binding_id, "").split(",")[0].strip() or keys.get(
                command.binding_id)
            command_help = command.help
            if key:
                command_help = f"{app.get_key_display(Binding(key, ''))} · {command.help}"
            out.append((PaletteCommand(command.title, command_help, command.binding_id,
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
