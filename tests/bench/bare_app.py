"""The baseline: a bare Textual app of amratings' shape (header, an input, a data table, footer).

Run as a script (``python tests/bench/bare_app.py``) so it imports nothing but Textual, exactly as
a minimal app would. Submitting an id adds one row, the same kind of interaction the memory
benchmark drives in amratings.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input

#: Text of the first frame the paint benchmark waits for.
FIRST_FRAME_MARKER = "BareBaseline"
#: Text a lookup's result shows.
RESULT_MARKER = "Liked"


class BareApp(App[None]):
    """Header, Input, DataTable, Footer; Enter in the input adds a row."""

    TITLE = FIRST_FRAME_MARKER
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="quit"),
                Binding("ctrl+l", "clear", "Clear", id="clear")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="ids, separated by spaces or commas")
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("ID", "Type", "Rating")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        table = self.query_one(DataTable)
        for item_id in event.value.replace(",", " ").split():
            table.add_row(item_id, "library-music-videos", RESULT_MARKER)

    def action_clear(self) -> None:
        self.query_one(DataTable).clear()


if __name__ == "__main__":
    BareApp().run()
