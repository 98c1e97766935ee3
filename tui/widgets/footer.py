"""The footer every screen shows: its keys, with "Quit" always in sight.

One widget draws the whole line. Textual's footer is a container of one widget per key and
rebuilds them all whenever the screen's bindings change (every focus change), which costs
about 60 ms of mounting and screen layout, during which key presses wait. Here a change of
bindings repaints one line.

Textual's footer also scrolls sideways when the keys do not fit, so on an 80-column screen with
the results focused (or anything at 50 columns) the last keys are cut mid-word or gone, and the
quit key is the last of them. Here the quit key always comes last and always fits: keys before
it that do not fit whole are left out (rather than cut), and on narrow screens the palette key
(ctrl+p still opens it) gives its room to the keys that act on the screen.

It looks like Textual's compact footer (same theme variables): the key in bold accent, its
description after a space, a space between keys, and the palette key on the right behind a
thin rule. A key can be clicked; a disabled one is dimmed and rings the bell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from tui.sanitize import clean_line

#: Below this width the palette key (ctrl+p still opens it) leaves its room to the screen's
#: keys; the app's "-narrow" breakpoint.
NARROW_WIDTH = 70
#: Actions whose key is always shown, after the others.
PINNED_ACTIONS = frozenset({"quit", "app.quit"})


@dataclass(frozen=True)
class FooterKey:
    """One key the footer shows."""

    key: str
    key_display: str
    description: str
    action: str
    enabled: bool = True

    @property
    def width(self) -> int:
        """Columns the key takes: key, space, description (no gap after it)."""
        description = f" {self.description}" if self.description else ""
        return cell_len(self.key_display) + cell_len(description)


def footer_keys(screen: Screen[Any]) -> tuple[list[FooterKey], FooterKey | None]:
    """The keys a footer on ``screen`` shows, in order (one per action, as Textual's footer
    does, quit last), and the palette key, if the app has one."""
    app = screen.app
    by_action: dict[str, FooterKey] = {}
    palette: FooterKey | None = None
    for key, (_, binding, enabled, _tooltip) in screen.active_bindings.items():
        # The key's display comes from the config's [keymap]: untrusted text.
        shown = FooterKey(binding.key, clean_line(app.get_key_display(binding)),
                          clean_line(binding.description), binding.action, enabled)
        if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
            palette = shown
        elif binding.show:
            by_action.setdefault(binding.action, shown)
    keys = list(by_action.values())
    keys.sort(key=lambda k: k.action in PINNED_ACTIONS)  # stable: quit last, others in order
    return keys, palette


def fitting_keys(keys: list[FooterKey], palette: FooterKey | None,
                 width: int) -> tuple[list[FooterKey], FooterKey | None]:
    """The keys that fit whole in ``width`` columns, in order: pinned keys and the palette
    key first take their room (the palette key only from ``NARROW_WIDTH`` up), then the
    others in order until one does not fit."""
    if width < NARROW_WIDTH:
        palette = None
    pinned = [k for k in keys if k.action in PINNED_ACTIONS]
    room = width - sum(k.width + 1 for k in pinned) - (palette.width + 1 if palette else 0)
    shown: list[FooterKey] = []
    for key in keys:
        if key.action in PINNED_ACTIONS:
            shown.append(key)
            continue
        room -= key.width + 1
        if room < 0:
            room = -1  # keys keep their order: once one does not fit, none after it shows
            continue
        shown.append(key)
    return shown, palette


class AppFooter(Widget, can_focus=False):
    """A one-line footer of the screen's keys whose quit key never scrolls out of sight."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "footer-key--key",
        "footer-key--description",
        "footer-key--hover",
        "footer--rule",
    }
    DEFAULT_CSS = """
    AppFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer-key--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        .footer--rule {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: What the line was last drawn from (see :meth:`_bindings_changed`).
        self._drawn: tuple[Any, ...] | None = None
        #: (first column, end column, key) of each key on the line as last drawn.
        self._spots: list[tuple[int, int, FooterKey]] = []
        self._hover: FooterKey | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        # Called whenever the screen says its bindings may have changed (every focus change):
        # repaint only when the keys shown would differ.
        if self.is_attached and screen is self.screen and footer_keys(screen) != self._drawn:
            self.refresh()

    def render(self) -> Text:
        keys, palette = footer_keys(self.screen)
        self._drawn = (keys, palette)
        width = self.size.width
        shown, palette = fitting_keys(keys, palette, width)
        key_style = self.get_component_rich_style("footer-key--key")
        description_style = self.get_component_rich_style("footer-key--description")
        hover_style = self.get_component_rich_style("footer-key--hover")
        line = Text(no_wrap=True, overflow="crop", end="")
        spots: list[tuple[int, int, FooterKey]] = []

        def add(key: FooterKey) -> None:
            start = line.cell_len
            line.append(key.key_display, key_style)
            if key.description:
                line.append(" " + key.description, description_style)
            if not key.enabled:
                line.stylize(Style(dim=True), start)
            if key == self._hover:
                line.stylize(Style(bgcolor=hover_style.bgcolor), start)
            spots.append((start, line.cell_len, key))

        for key in shown:
            add(key)
            line.append(" ")
        if palette is not None:
            gap = width - line.cell_len - palette.width - 1
            if gap >= 0:
                line.append(" " * gap)
                line.append("▏", self.get_component_rich_style("footer--rule"))
                add(palette)
        self._spots = spots
        return line

    # -- mouse ---------------------------------------------------------------------------

    def _key_at(self, x: int) -> FooterKey | None:
        return next((key for start, end, key in self._spots if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hover = self._key_at(event.x)
        if hover != self._hover:
            self._hover = hover
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self._key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
