"""The footer every screen shows: its keys, with "Quit" always in sight.

Textual's footer scrolls sideways when the keys do not fit, so on an 80-column screen with the
results focused (or anything at 50 columns) the last keys are cut mid-word or gone, and the quit
key is the last of them. Here the quit key always comes last and always fits: keys before it
that do not fit whole are left out (rather than cut), and on narrow screens the palette key
(ctrl+p still opens it) gives its room to the keys that act on the screen.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: Below this width the palette key (ctrl+p still works) leaves its room to the screen's keys;
#: the app's "-narrow" breakpoint.
NARROW_WIDTH = 70
#: Actions whose key is always shown, after the others.
PINNED_ACTIONS = frozenset({"quit", "app.quit"})


def key_width(key: FooterKey) -> int:
    """Columns a compact footer key takes: key, space, description, and its right margin."""
    description = f" {key.description}" if key.description else ""
    return cell_len(key.key_display) + cell_len(description) + 1


class AppFooter(Footer):
    """A compact footer whose quit key never scrolls out of sight."""

    DEFAULT_CSS = """
    /* The docked palette key reaches the last column; a margin there would show a stray
       letter of the keys behind it. */
    AppFooter FooterKey.-command-palette {
        margin-right: 0;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self._composed_width = 0
        #: What the keys were composed from (see :meth:`_keys_shown`); None before the first.
        self._composed_keys: tuple[Any, ...] | None = None
        #: A rebuild is scheduled (it reads the bindings when it runs, so one is enough).
        self._rebuild_pending = False

    def _keys_shown(self, screen: Screen[Any]) -> tuple[Any, ...]:
        """Everything about the screen's active bindings that the keys show."""
        app = self.app
        return tuple(
            (key, app.get_key_display(binding), binding.description, binding.action, enabled,
             tooltip, binding.tooltip, binding.group)
            for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == app.COMMAND_PALETTE_BINDING)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        # Textual's footer rebuilds all its keys whenever the screen says its bindings may
        # have changed (every focus change, every refresh_bindings), which costs a frame's
        # worth of mounting; rebuild only when the keys shown would differ.
        if self._bindings_ready and self.is_attached and screen is self.screen and (
                self._rebuild_pending or (self._composed_keys is not None
                                          and self._keys_shown(screen) == self._composed_keys)):
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._rebuild_pending = True
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        self._rebuild_pending = False
        if self._bindings_ready:
            self._composed_keys = self._keys_shown(self.screen)
        widgets = list(super().compose())  # no binding groups here: nothing is nested
        pinned = [w for w in widgets if isinstance(w, FooterKey) and w.action in PINNED_ACTIONS]
        for key in pinned:
            widgets.remove(key)
            widgets.append(key)  # in flow, after every other key (the palette key is docked)
        room = self.size.width
        self._composed_width = room
        if room:
            keys = [w for w in widgets if isinstance(w, FooterKey)]
            palette = [k for k in keys if k.has_class("-command-palette")]
            if room < NARROW_WIDTH:
                for key in palette:
                    widgets.remove(key)
                palette = []
            room -= sum(key_width(k) for k in pinned + palette)
            fits = True
            for key in keys:
                if key in pinned or key.has_class("-command-palette"):
                    continue
                # Keys keep their order: once one does not fit, none after it is shown.
                room -= key_width(key)
                fits = fits and room >= 0
                if not fits:
                    widgets.remove(key)
        yield from widgets

    def on_resize(self, event: events.Resize) -> None:
        # Which keys fit depends on the width: lay them out again when it changes.
        if event.size.width != self._composed_width and self._bindings_ready \
                and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self.recompose)
