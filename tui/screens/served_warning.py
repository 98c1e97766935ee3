"""The warning an app served to the network shows on start (``amratings serve --host ...``).

``amratings serve`` sets ``AMRATINGS_SERVED_HOST`` for the apps it starts only when the page
listens beyond loopback; the app then opens with this notice before anything can be typed.
"""

from __future__ import annotations

import os

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

#: Mirrors ``tui.cli.serve.SERVED_HOST_ENV`` (not imported: the first frame needs neither).
SERVED_HOST_ENV = "AMRATINGS_SERVED_HOST"


def served_host() -> str | None:
    """``host:port`` when this app runs in a page served beyond loopback, else None."""
    return os.environ.get(SERVED_HOST_ENV) or None


class ServedWarningScreen(ModalScreen[None]):
    """Says, before anything is typed, that the page is open to the network."""

    DEFAULT_CSS = """
    ServedWarningScreen {
        align: center middle;
    }
    ServedWarningScreen > Vertical {
        width: 72;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    ServedWarningScreen Horizontal {
        height: auto;
        align-horizontal: right;
    }
    """

    BINDINGS = [Binding("escape,enter", "dismiss_warning", "Understood",
                        id="served_warning.dismiss")]

    def __init__(self, where: str, demo: bool) -> None:
        super().__init__()
        self.where = where
        self.demo = demo

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "This page is open to the network"
            # The address comes from the environment: shown as plain text, never as markup.
            yield Static(Text(
                f"It is served on {self.where} without any authentication. Anyone who can "
                "reach it uses amratings on the serving machine"
                + (" (here, the demo)." if self.demo else
                   ", with the tokens stored there, and tokens typed here travel to that "
                   "machine's amratings process.")
                + " To show amratings to others, prefer `amratings --demo serve`."))
            with Horizontal():
                yield Button("Understood", id="ok", variant="warning", compact=True)

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Close the notice."""
        self.dismiss(None)

    def action_dismiss_warning(self) -> None:
        """Close the notice."""
        self.dismiss(None)
