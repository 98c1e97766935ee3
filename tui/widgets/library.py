"""The library screen's widgets: the listing table, the line of choices above it (type, rating
filter, order), the count line with its progress bar, and the cursor row's details below it.

Everything shown of an item (names come from the user's library or Apple's catalog) reaches
Rich as ``Text``, never as markup.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import Input, Static

from tui.library_view import LibraryView, RatingFilter, SortKey, ViewRow
from tui.widgets.rating_badge import (
    DISLIKED,
    FAILED,
    LIKED,
    LOADING,
    NOT_RATED,
    rating_badge,
    symbol_for,
)
from tui.widgets.virtual_table import Column, VirtualTable
from tui.widgets.wording import plural

#: The library types, as the picker names them (ratings type, label, short label).
LIBRARY_KINDS: tuple[tuple[str, str, str], ...] = (
    ("library-songs", "Songs", "Songs"),
    ("library-albums", "Albums", "Albums"),
    ("library-music-videos", "Music videos", "Videos"),
    ("library-playlists", "Playlists", "Lists"),
)

#: What a row's item is called in counts: "songs", "albums" ...
NOUNS = {"library-songs": ("song", "songs"), "library-albums": ("album", "albums"),
         "library-music-videos": ("music video", "music videos"),
         "library-playlists": ("playlist", "playlists")}

#: Wider than this, the table shows an ID column (narrower, the row line below shows the id).
ID_COLUMN_WIDTH = 110
#: Narrower than this, the album column gives its room to the name.
ALBUM_COLUMN_WIDTH = 70
#: The Rating column: "· Not rated" and "… disliking" fit.
RATING_WIDTH = 11


def rating_cell(row: ViewRow, theme: dict[str, str]) -> Text:
    """The rating badge, or what is in flight for the row (``… liking``)."""
    if row.note.endswith("…"):
        return Text(f"… {row.note.rstrip('…')}", style="dim")
    if row.error is not None and row.word in (LOADING, FAILED):
        return rating_badge(FAILED, theme)
    return rating_badge(row.word, theme)


def mark_cell(marked: bool, failed: bool) -> Text:
    """``●`` a marked row, ``!`` a row whose last request failed (both: ``!`` in bold)."""
    if failed:
        return Text("!", style="bold")
    return Text("●" if marked else " ", style="bold")


class LibraryTable(VirtualTable):
    """The rows of a :class:`LibraryView` as the view shows them (filtered and sorted).

    The row keys of the screen's actions live here, so the footer shows them when the table
    has focus; the actions are the screen's, which the command palette calls too.
    """

    BINDINGS = [
        Binding("l", "screen.like", "Like", id="rating.like"),
        Binding("d", "screen.dislike", "Dislike", id="rating.dislike"),
        Binding("c", "screen.clear_rating", "Clear", id="rating.clear"),
        Binding("space", "screen.mark", "Mark", id="library.mark"),
        Binding("asterisk", "screen.mark_all", "Mark all", id="library.mark_all", show=False),
        Binding("i", "screen.inspect", "Inspect", id="request.inspect", show=False),
    ]

    def __init__(self, view: LibraryView, *, id: str | None = None) -> None:
        super().__init__(self.columns_for(120, "library-songs"), id=id)
        self.view = view
        self.kind = "library-songs"
        #: Row index -> how many times its cells changed (part of its layout key).
        self._versions: dict[int, int] = {}

    @staticmethod
    def columns_for(width: int, kind: str) -> list[Column]:
        """The columns for a table ``width`` cells wide showing ``kind`` rows."""
        columns = [Column("mark", "", width=1), Column("name", "Name", share=4)]
        if kind != "library-playlists":
            columns.append(Column("artist", "Artist", share=3))
        if kind in ("library-songs", "search") and width >= ALBUM_COLUMN_WIDTH:
            columns.append(Column("album", "Album", share=3))
        columns.append(Column("rating", "Rating", width=RATING_WIDTH))
        if width >= ID_COLUMN_WIDTH:
            columns.append(Column("id", "ID", width=16))
        return columns

    def show_view(self, view: LibraryView, kind: str) -> None:
        """Show another listing (a type picked, a search made)."""
        self.view = view
        self.kind = kind
        self._versions = {}
        self.set_columns(self.columns_for(self.line_width or 120, kind))
        self.forget_all()
        self.set_row_count(len(view.visible), keep_cursor=False)
        self.scroll_to(y=0, animate=False, immediate=True)

    def on_resize(self, event: object) -> None:
        self.set_columns(self.columns_for(self.line_width, self.kind))
        super().on_resize(event)  # type: ignore[arg-type]

    # -- VirtualTable ------------------------------------------------------------------

    def row_key(self, position: int) -> Hashable:
        index = self.view.visible[position]
        return (index, self._versions.get(index, 0))

    def row_cells(self, position: int) -> Sequence[Text]:
        index = self.view.visible[position]
        row = self.view.rows[index]
        cells: list[Text] = []
        for column in self.columns:
            key = column.key
            if key == "mark":
                cells.append(mark_cell(index in self.view.marked, row.error is not None))
            elif key == "name":
                cells.append(Text(row.name or row.item_id))
            elif key == "artist":
                cells.append(Text(row.artist))
            elif key == "album":
                cells.append(Text(row.album))
            elif key == "rating":
                cells.append(rating_cell(row, self.app.theme_variables))
            elif key == "id":
                cells.append(Text(row.item_id, style="dim"))
            else:
                cells.append(Text(""))
        return cells

    def row_style(self, position: int) -> Style | None:
        if self.view.visible[position] in self.view.marked:
            return Style(bold=True)
        return None

    # -- changes -----------------------------------------------------------------------

    def rows_changed(self, indexes: Sequence[int]) -> None:
        """Rows' cells changed (ratings arrived, marks, actions): repaint those in sight."""
        for index in indexes:
            self._versions[index] = self._versions.get(index, 0) + 1
        top = int(self.scroll_offset.y)
        height = max(self.size.height - 1, 0)
        visible = self.view.visible
        wanted = set(indexes)
        positions = [p for p in range(top, min(top + height, len(visible)))
                     if visible[p] in wanted]
        self.refresh_positions(positions)

    def view_changed(self) -> None:
        """The view's rows were filtered, sorted or refilled: repaint everything."""
        self.set_row_count(len(self.view.visible))
        self.refresh()

    @property
    def selected(self) -> ViewRow | None:
        """The row under the cursor."""
        return self.view.row_at(self.cursor)

    @property
    def selected_index(self) -> int | None:
        """The index (in the view's rows) of the row under the cursor."""
        if 0 <= self.cursor < len(self.view.visible):
            return self.view.visible[self.cursor]
        return None


class ListingInput(Input):
    """The filter (or search) input. ``on_value`` hears each new value at once, in the same
    frame as the keystroke's echo: through ``Input.Changed`` the table would repaint a frame
    later (about 17 ms more per key of a filter)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self.on_value: Callable[[str], None] | None = None
        #: Hears Enter at once (from ``_on_key``), in place of ``Input.Submitted``: through
        #: the message, a key
        #: typed right behind Enter (a burst over SSH or tmux) still reaches this input, since
        #: the focus moves only when the message is handled, and a space meant to mark a row
        #: would land at the end of the filter text.
        self.on_submit: Callable[[str], None] | None = None

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        if self.on_value is not None:
            self.on_value(value)

    async def _on_key(self, event: events.Key) -> None:
        # Keys read in one burst all queue here while this input has the focus. Enter runs
        # ``on_submit`` here and now (through the binding it would run only once the key has
        # bubbled up to the App, after the keys behind it were typed into this input); the
        # keys behind it are the table's (space marks, "l" likes), so they go on unhandled to
        # the bindings of the widget focused now.
        if self.screen.focused is not self:  # (``has_focus`` changes a message later)
            event.prevent_default()
        elif event.key == "enter" and self.on_submit is not None:
            event.stop()
            event.prevent_default()
            self.on_submit(self.value)


class LibraryBar(Static):
    """``t Songs Albums Music videos Playlists   1 All 2 ♥ 3 ✕ 4 ·   s Name``: the choices
    in force, each after the key that changes it."""

    DEFAULT_CSS = """
    LibraryBar {
        height: 1;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = "library-songs"
        self.search: str | None = None
        self.rating_filter = RatingFilter.ALL
        self.sort = SortKey.LIBRARY
        self.keys = {"type": "t", "filter": "1-4", "sort": "s"}

    def show(self, kind: str, search: str | None, rating_filter: RatingFilter,
             sort: SortKey) -> None:
        """Show the choices in force (``search`` when the table holds search results)."""
        self.kind, self.search = kind, search
        self.rating_filter, self.sort = rating_filter, sort
        self.refresh(layout=False)

    def on_resize(self) -> None:
        self.refresh()

    def render(self) -> Text:
        width = self.content_size.width
        narrow = width < 76
        chosen = Style(bold=True, reverse=True)
        key = Style(bold=True)
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append(self.keys["type"], key)
        line.append(" ")
        for kind, label, short in LIBRARY_KINDS:
            name = short if width < 90 else label
            if kind == self.kind and self.search is None:
                line.append(f" {name} ", chosen)
            elif width >= 60:  # narrower, only the type shown
                line.append(f" {name} ", "dim")
        if self.search is not None:
            line.append(" ")
            line.append(Text(f" found: {self.search} ", style=chosen))
        line.append("  ")
        line.append(self.keys["filter"], key)
        line.append(" ")
        filters = ((RatingFilter.ALL, "All", "All"),
                   (RatingFilter.LIKED, f"{symbol_for(LIKED)} Liked", symbol_for(LIKED)),
                   (RatingFilter.DISLIKED, f"{symbol_for(DISLIKED)} Disliked",
                    symbol_for(DISLIKED)),
                   (RatingFilter.NOT_RATED, f"{symbol_for(NOT_RATED)} Not rated",
                    symbol_for(NOT_RATED)))
        for rating_filter, label, short in filters:
            if rating_filter is self.rating_filter:
                line.append(f" {label if not narrow else short} ", chosen)
            elif not narrow:
                line.append(f" {short} ", "dim")
        line.append("  ")
        line.append(self.keys["sort"], key)
        line.append(f" {self.sort.value}")
        return line


class CountLine(Static):
    """``1,200 of 1,200 songs   ♥ 312 liked   ✕ 40 disliked   · 848 not rated   ! 0 failed``
    and, while the walk runs, a progress bar."""

    DEFAULT_CSS = """
    CountLine {
        height: 1;
        padding: 0 1;
    }
    """

    #: The progress bar's cells: filled and to do (distinct without colour, for NO_COLOR).
    BAR_DONE, BAR_TODO = "█", "░"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.counts: Counter[str] = Counter()
        self.total: int | None = None
        self.loaded = 0
        self.shown = 0
        self.noun = ("song", "songs")
        self.busy = False
        self.stopped = False
        self.missing = 0
        self.message: str | None = "Pick a type with t; rows stream in as pages arrive."

    def show(self, counts: Counter[str], *, loaded: int, total: int | None, shown: int,
             noun: tuple[str, str], busy: bool, stopped: bool = False,
             message: str | None = None, missing: int = 0) -> None:
        """Show the counts of a listing; ``busy`` while pages are arriving; ``missing``
        parts of it could not be read."""
        self.counts, self.loaded, self.total, self.shown = counts, loaded, total, shown
        self.noun, self.busy, self.stopped, self.message = noun, busy, stopped, message
        self.missing = missing
        self.refresh()

    def render(self) -> Text:
        if self.message is not None:
            return Text(self.message, no_wrap=True, overflow="ellipsis")
        width = self.content_size.width
        counts = self.counts
        loaded, total = self.loaded, self.total
        count = total if total is not None else loaded
        what = f"{count:,} {self.noun[0] if count == 1 else self.noun[1]}"
        if total is not None and loaded != total and not self.busy and not self.stopped \
                and not self.missing:
            # The walk is over: Apple's total counts items it does not list (hidden ones).
            what = f"{loaded:,} {self.noun[0] if loaded == 1 else self.noun[1]}"
            head = f"{what} (Apple counts {total:,})"
        elif total is not None and loaded != total:
            head = f"{loaded:,} of {what}"
        else:
            head = what
        if total is not None and total and loaded == total and self.shown != loaded:
            head = f"{self.shown:,} shown of {what}"
        elif self.shown != loaded:
            head = f"{self.shown:,} shown · {head}"
        if self.stopped:
            head += " (stopped)"
        if self.missing:
            head += f" ({plural(self.missing, 'page')} not read)"
        parts = [(LIKED, "liked"), (DISLIKED, "disliked"), (NOT_RATED, "not rated"),
                 (FAILED, "failed")]
        words = [head] + [f"{symbol_for(w)} {counts.get(w, 0):,} {label}" for w, label in parts]
        shorts = [head] + [f"{symbol_for(w)}{counts.get(w, 0)}" for w, _ in parts]
        bar = self._bar(width)
        text = "  ".join(words)
        if len(text) + len(bar) + 2 > width > 0:
            text = "  ".join(shorts)
        line = Text(text, no_wrap=True, overflow="ellipsis", end="")
        if bar:
            gap = width - len(text) - len(bar)
            if gap >= 2:
                line.append(" " * gap)
                line.append(bar)
        return line

    def _bar(self, width: int) -> str:
        """`` ████░░░░ 48%`` while the walk runs and the total is known."""
        if not self.busy or not self.total:
            return ""
        cells = max(min(20, width // 5), 5)
        done = min(self.loaded / self.total, 1.0)
        filled = round(done * cells)
        return f"{self.BAR_DONE * filled}{self.BAR_TODO * (cells - filled)} {done:4.0%}"


class RowLine(Static):
    """The cursor row's id, type and catalog id, and what happened to it last (its error)."""

    DEFAULT_CSS = """
    RowLine {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def show_row(self, row: ViewRow | None, marked: int) -> None:
        """Describe ``row`` (and how many rows are marked)."""
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        if marked:
            line.append(f"{plural(marked, 'marked row')} · ", "bold")
        if row is not None:
            line.append(row.item_id)
            line.append(f" · {row.rating_type}")
            if row.catalog_id:
                line.append(f" · catalog {row.catalog_id}")
            if row.note and not row.note.endswith("…"):
                line.append(f" · {row.note}", "" if row.error is None else "bold")
        # One line whatever it says: a repaint, not a layout of the screen (each cursor move).
        self.update(line, layout=False)
