"""The results view: one table row per requested id, in input order, and a count line.

Rows are keyed by position, so an id pasted twice gets two rows and both fill in when its batch
arrives. A row remembers its rating type, so changing the type selector never re-labels old rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static
from textual.widgets.data_table import ColumnKey, RowKey

from tui.api.errors import AmRatingsError
from tui.api.results import RatingResult, rating_word
from tui.widgets.fast_table import FastTable
from tui.widgets.rating_badge import (
    DISLIKED,
    FAILED,
    LIKED,
    LOADING,
    NOT_RATED,
    rating_badge,
    symbol_for,
)
from tui.widgets.wording import plural

#: The note column is cut here so one long error does not push the table sideways.
MAX_NOTE_CHARS = 60
#: The name column too (name and artist, ``Neon Harbor · Juno Marlow``).
MAX_NAME_CHARS = 40


@dataclass
class ResultRow:
    """What one row shows: the id, its type, the rating word and a short note."""

    item_id: str
    rating_type: str
    word: str = LOADING
    value: int | None = None
    note: str = ""
    #: The error of the last failed request for this row, if any.
    error: AmRatingsError | None = None
    #: What the item is called (``Neon Harbor · Juno Marlow``), once the names lookup found it.
    name: str = ""


def error_note(error: AmRatingsError) -> str:
    """A row-sized summary of an error: ``HTTP 403 · Music user token rejected``."""
    return f"HTTP {error.status} · {error.kind}" if error.status else error.kind


class ResultsTable(FastTable):
    """The ratings of the looked-up ids. The row actions' keys live here so the footer shows
    them exactly when they work (when the table has focus); the actions themselves are the
    screen's (``screen.like`` ...), which the command palette calls too. The speed comes from
    :class:`~tui.widgets.fast_table.FastTable`; this class holds only what rows mean."""

    DEFAULT_CSS = """
    ResultsTable {
        height: 1fr;
    }
    """

    BINDINGS = [
        Binding("l", "screen.like", "Like", id="rating.like"),
        Binding("d", "screen.dislike", "Dislike", id="rating.dislike"),
        Binding("c", "screen.clear_rating", "Clear", id="rating.clear"),
        Binding("r", "screen.refetch", "Re-fetch", id="rating.refetch"),
        Binding("i", "screen.inspect", "Inspect", id="request.inspect"),
        Binding("slash", "screen.focus_ids", "IDs", id="browser.ids", show=False),
        # DataTable's home/end move along the columns, which a row cursor does not have.
        Binding("home", "scroll_top", "First row", id="results.first", show=False),
        Binding("end", "scroll_bottom", "Last row", id="results.last", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.rows_state: list[ResultRow] = []
        self._where: dict[tuple[str, str], list[int]] = {}
        self._keys: list[RowKey] = []
        self._note_key: ColumnKey = ColumnKey("note")

    def on_mount(self) -> None:
        # Text labels: a str label goes through Rich markup, whose first use loads Rich's
        # emoji table (about 1.4 MiB of memory) for nothing.
        self.add_column(Text("#"), key="n")
        self.add_column(Text("ID"), key="id")
        self.add_column(Text("Rating"), key="rating", width=12)
        self.add_column(Text("Name"), key="name")
        self._note_key = self.add_column(Text("Note"), key="note")

    def on_resize(self) -> None:
        # A smaller table (a resized terminal, the error panel opening) can leave the cursor
        # row out of sight, and l / d / c would act on a row the user cannot see. Once the
        # new size is laid out, scroll it back into view (move_cursor scrolls even when the
        # cursor stays where it is).
        self.call_after_refresh(self.move_cursor, animate=False)

    # -- filling -----------------------------------------------------------------------

    def show_ids(self, rating_type: str, ids: list[str]) -> None:
        """Replace the table with one loading row per id."""
        self.clear_rows()
        self.rows_state = [ResultRow(i, rating_type) for i in ids]
        self._where = {}
        for index, row in enumerate(self.rows_state):
            self._where.setdefault((rating_type, row.item_id), []).append(index)
        # The widths are plain text lengths, known here. (The rating column has a fixed
        # width; loading rows have empty names and notes.)
        widths = {"n": len(str(len(ids))), "id": max((cell_len(i) for i in ids), default=0)}
        self._keys = self.add_rows_measured(
            (self._cells(i, row) for i, row in enumerate(self.rows_state)), widths)

    def apply_result(self, result: RatingResult, note: str = "") -> bool:
        """Show ``result`` in every row of its (type, id). False if no row has it."""
        return bool(self.apply_results([result], note))

    def apply_results(self, results: Iterable[RatingResult], note: str = "") -> int:
        """Show ``results`` (a batch) in the rows of their (type, id), with one repaint.
        Returns how many of them had a row."""
        changed: list[int] = []
        shown = 0
        for result in results:
            indexes = self._where.get((result.type, result.id))
            if not indexes:
                continue
            shown += 1
            for index in indexes:
                row = self.rows_state[index]
                row.error = result.error
                if result.error is not None:
                    row.word = FAILED
                    row.note = error_note(result.error)
                else:
                    row.value = result.value
                    row.word = rating_word(result.value)
                    row.note = note
                changed.append(index)
        self._update_rows(changed)
        return shown

    def apply_names(self, rating_type: str, names: dict[str, str]) -> int:
        """Show names (id -> ``name · artist``) in the rows of their ids, with one repaint.
        Returns how many rows got a name."""
        changed = [index for item_id, name in names.items()
                   for index in self._where.get((rating_type, item_id), [])]
        for index in changed:
            row = self.rows_state[index]
            row.name = names[row.item_id]
        self._update_rows(changed)
        return len(changed)

    def mark(self, rating_type: str, item_id: str, note: str, *,
             failed: AmRatingsError | None = None) -> None:
        """Set the note of an item's rows (``liking…``); with ``failed``, keep the rating and
        show the failure in the note."""
        self._mark(self._where.get((rating_type, item_id), []), note, failed)

    def mark_all(self, note: str, *, failed: AmRatingsError | None = None) -> None:
        """:meth:`mark` every row (a lookup that failed as a whole), with one repaint."""
        self._mark(range(len(self.rows_state)), note, failed)

    def _mark(self, indexes: Iterable[int], note: str, failed: AmRatingsError | None) -> None:
        changed = list(indexes)
        for index in changed:
            row = self.rows_state[index]
            row.note = error_note(failed) if failed is not None else note
            if failed is not None:
                row.error = failed
                if row.word == LOADING:  # never read: unknown, so Failed (not "Not rated")
                    row.word = FAILED
        self._update_rows(changed)

    def _update_rows(self, indexes: list[int]) -> None:
        """Show the rating and note of changed rows, repainting just those rows."""
        theme = self.app.theme_variables
        rating_key, name_key = ColumnKey("rating"), ColumnKey("name")
        updates: dict[RowKey, dict[ColumnKey, Text]] = {}
        for index in indexes:
            row = self.rows_state[index]
            updates[self._keys[index]] = {rating_key: rating_badge(row.word, theme),
                                          name_key: self._name_cell(row),
                                          self._note_key: self._note(row)}
        self.update_rows(updates)

    def _cells(self, index: int, row: ResultRow) -> tuple[Text, Text, Text, Text, Text]:
        return (Text(str(index + 1), style="dim"), Text(row.item_id),
                rating_badge(row.word, self.app.theme_variables), self._name_cell(row),
                self._note(row))

    @staticmethod
    def _name_cell(row: ResultRow) -> Text:
        name = row.name if len(row.name) <= MAX_NAME_CHARS else \
            row.name[:MAX_NAME_CHARS - 1] + "…"
        return Text(name)

    @staticmethod
    def _note(row: ResultRow) -> Text:
        note = row.note if len(row.note) <= MAX_NOTE_CHARS else row.note[:MAX_NOTE_CHARS - 1] + "…"
        return Text(note, style="dim" if row.error is None else "")

    # -- reading -----------------------------------------------------------------------

    @property
    def selected(self) -> ResultRow | None:
        """The row under the cursor, if the table has rows."""
        if not self.rows_state or not (0 <= self.cursor_row < len(self.rows_state)):
            return None
        return self.rows_state[self.cursor_row]

    def counts(self) -> Counter[str]:
        """How many rows are Liked / Disliked / Not rated / Failed / Loading."""
        return Counter(row.word for row in self.rows_state)


class ResultsSummary(Static):
    """``5 ids   ♥ 2 liked   ✕ 1 disliked   · 1 not rated   ! 1 failed`` (symbols and numbers
    only when the terminal is too narrow for the words)."""

    DEFAULT_CSS = """
    ResultsSummary {
        height: auto;
        padding: 0 1;
    }
    """

    EMPTY = "No lookup yet: type or paste ids above and press Enter."

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.counts: Counter[str] | None = None
        self.busy = False

    def show(self, counts: Counter[str], *, busy: bool) -> None:
        """Show the counts of a table; ``busy`` while batches are still arriving."""
        before = self._line()
        self.counts = counts
        self.busy = busy
        after = self._line()
        if after == before:
            return
        width = self.content_size.width
        if width and len(before) <= width and len(after) <= width:
            # Still one line: repaint only. A layout refresh would reflow the whole screen
            # (and re-render every visible table line) on every batch.
            self.refresh()
        else:
            self.refresh(layout=True)

    def on_resize(self) -> None:
        self.refresh(layout=True)

    def render(self) -> Text:
        return Text(self._line())

    def _line(self) -> str:
        if self.counts is None:
            return self.EMPTY
        counts = self.counts
        total = sum(counts.values())
        words = [plural(total, "id")]
        short = [f"{plural(total, 'id')}:"]
        for word, label in ((LIKED, "liked"), (DISLIKED, "disliked"),
                            (NOT_RATED, "not rated"), (FAILED, "failed")):
            words.append(f"{symbol_for(word)} {counts.get(word, 0)} {label}")
            short.append(f"{symbol_for(word)}{counts.get(word, 0)}")
        waiting = counts.get(LOADING, 0)
        if self.busy and waiting:
            words.append(f"… {waiting} loading")
            short.append(f"…{waiting}")
        text = "   ".join(words)
        if len(text) > self.content_size.width > 0:
            text = "  ".join(short)
        return text
