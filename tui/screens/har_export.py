"""Save the session's requests as a HAR 1.2 file, from the request inspector.

In a terminal a small dialog asks where (a new file in the current folder by default); in a
web page (``amratings serve``) the file goes to the browser as a download instead, since the
server's folders are not the user's. The tokens stay redacted unless the user confirmed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.har import default_filename, har_text, write_har

if TYPE_CHECKING:
    from tui.api.client import Exchange


def deliver_har(app: App[object], exchanges: Sequence[Exchange], reveal: Sequence[str],
                ) -> str:
    """Send the HAR file to the web page's browser as a download; return what to tell the
    user. Only for an app running in a browser (``app.is_web``)."""
    app.deliver_text(io.StringIO(har_text(exchanges, reveal=reveal)),
                     save_filename=default_filename(), mime_type="application/json",
                     name="har")
    return f"{_count(len(exchanges))} sent to your browser as a HAR download ({_what(reveal)})."


class SaveHarScreen(ModalScreen[str | None]):
    """Asks for the file name, writes the HAR file and answers with what was saved (None when
    cancelled). A file that cannot be written is said inline; the dialog stays open."""

    DEFAULT_CSS = """
    SaveHarScreen {
        align: center middle;
    }
    SaveHarScreen > Vertical {
        width: 72;
        max-width: 100%;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    SaveHarScreen #har-problem {
        color: $error;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="har.cancel")]

    def __init__(self, exchanges: Sequence[Exchange], reveal: Sequence[str] = ()) -> None:
        super().__init__()
        self.exchanges = list(exchanges)
        self.reveal = list(reveal)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Save the session as HAR" + (" WITH tokens" if self.reveal
                                                            else "")
            yield Static(Text(f"{_count(len(self.exchanges))}, {_what(self.reveal)}. "
                              "File name (Enter saves, Escape cancels):"))
            yield Input(default_filename(), id="har-path")
            yield Static("", id="har-problem")

    def on_mount(self) -> None:
        self.query_one("#har-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Write the file where the user said."""
        typed = event.value.strip()
        problem = self.query_one("#har-problem", Static)
        if not typed:
            problem.update("Type a file name.")
            return
        path = Path(typed).expanduser()
        try:
            if path.is_dir():
                raise IsADirectoryError(21, "it is a folder")
            count = write_har(path, self.exchanges, reveal=self.reveal)
        except OSError as exc:
            # The path is the user's own typing: shown as plain text, never as markup.
            problem.update(Text(f"Cannot write {str(path)!r}: {exc.strerror or exc}"))
            return
        self.dismiss(f"{_count(count)} saved to {str(path)!r} ({_what(self.reveal)}).")

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)


def _count(n: int) -> str:
    return f"{n} request{'' if n == 1 else 's'}"


def _what(reveal: Sequence[str]) -> str:
    return "WITH the real tokens" if reveal else "tokens redacted"
