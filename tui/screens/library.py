"""The library screen: the user's whole library of one type, with names and ratings.

Pushed over the browser (which stays the base screen). Rows stream in page by page while the
walk runs in a worker; ratings fill in as their batches land. The rows are filtered (by rating
with single keys, by text with ``/``) and sorted without asking Apple again; search results
(the library's or the catalog's) show in the same table. ``l`` / ``d`` / ``c`` act on the
cursor row, or on every marked row after one confirmation; rows that fail stay marked with
their error, which the error panel explains.

The screen talks to the service layer through a :class:`LibrarySource` (a walk, a search), so
it can be tested on any listing; :mod:`tui.library_source` builds the real one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.lazy import Lazy
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Input, Static

from tui.api.errors import AmRatingsError
from tui.library_view import LibraryView, RatingFilter, SortKey, ViewRow
from tui.widgets.error_panel import ErrorPanel
from tui.widgets.footer import AppFooter
from tui.widgets.library import (
    LIBRARY_KINDS,
    NOUNS,
    CountLine,
    LibraryBar,
    LibraryTable,
    ListingInput,
    RowLine,
)
from tui.widgets.rating_badge import FAILED, LOADING
from tui.widgets.results import error_note
from tui.widgets.wording import plural

if TYPE_CHECKING:
    from tui.screens.export import ExportTarget
    from tui.session import Session


class RowSink(Protocol):
    """Where a walk or a search delivers what it finds."""

    def total(self, count: int) -> None:
        """How many items the listing holds (``meta.total``), once known."""

    def rows(self, rows: list[ViewRow]) -> None:
        """A page of items (their ratings still loading, unless set)."""

    def ratings(self, results: list[Any]) -> None:
        """A batch of ``RatingResult`` objects for rows delivered before."""

    def failed(self, error: Any, what: str) -> None:
        """Part of the listing could not be read (``what``: "items 101-200 were not read");
        the rest goes on."""


class LibrarySource(Protocol):
    """The service layer as the library screen uses it."""

    async def walk(self, kind: str, sink: RowSink) -> None:
        """Deliver every item of the library ``kind`` (``library-songs`` ...) and its rating.
        Raises ``AmRatingsError`` when the walk cannot go on."""

    async def search(self, term: str, catalog: bool, sink: RowSink) -> None:
        """Deliver the items matching ``term`` in the library (or Apple's catalog) and
        their ratings."""

    def rate(self, rating_type: str, ids: Sequence[str],
             value: int | None) -> AsyncIterator[Any]:
        """PUT ``value`` (1 like, -1 dislike) for each id, or DELETE its rating (None): a
        ``RatingResult`` per id, in order, as they land (a failed one carries its error)."""


#: What a row says while an action on it is in flight, and once it is done.
PENDING = {"like": "liking…", "dislike": "disliking…", "clear": "clearing…"}
DONE = {"like": "liked", "dislike": "disliked", "clear": "cleared"}
VERB = {"like": "Like", "dislike": "Dislike", "clear": "Clear the rating of"}

#: Repaint the count line at most this often while pages pour in (seconds).
COUNT_LINE_EVERY = 0.1


@dataclass
class Listing:
    """One listing: a library type, or the results of a search."""

    kind: str
    view: LibraryView = field(default_factory=LibraryView)
    total: int | None = None
    busy: bool = False
    stopped: bool = False
    done: bool = False
    #: The search's term, and whether it searched the catalog.
    term: str | None = None
    catalog: bool = False
    error: Any = None
    #: Parts of the listing that could not be read ("items 101-200 ... were not read").
    missing: list[str] = field(default_factory=list)

    @property
    def noun(self) -> tuple[str, str]:
        """What its rows are called: ("song", "songs") ..."""
        if self.term is not None:
            return ("result", "results")
        return NOUNS.get(self.kind, ("item", "items"))

    @property
    def name(self) -> str:
        """``library-songs``, or ``search-<term>``: for export file names."""
        if self.term is not None:
            return f"{'catalog' if self.catalog else 'library'}-search-{self.term}"
        return self.kind


class _Sink:
    """Delivers a walk's findings to the screen, unless the walk was replaced."""

    def __init__(self, screen: LibraryScreen, listing: Listing) -> None:
        self.screen = screen
        self.listing = listing

    def total(self, count: int) -> None:
        self.listing.total = count
        self.screen._listing_changed(self.listing)

    def rows(self, rows: list[ViewRow]) -> None:
        self.screen._rows_arrived(self.listing, rows)

    def ratings(self, results: list[Any]) -> None:
        self.screen._ratings_arrived(self.listing, results)

    def failed(self, error: Any, what: str) -> None:
        self.listing.missing.append(what)
        if self.listing is self.screen.listing:
            self.screen.show_error(error)


class LibraryScreen(Screen[None]):
    """Type picker, count line, filter, the listing table, the cursor row and the error panel."""

    AUTO_FOCUS = "#library-table"

    BINDINGS = [
        # In footer order: the table's row keys come first, then these (x only while a
        # walk runs), then the app's.
        Binding("x", "stop", "Stop", id="library.stop"),
        Binding("slash", "filter_text", "Filter", id="library.filter"),
        Binding("f", "search('library')", "Find", id="library.search"),
        Binding("e", "export", "Export", id="library.export"),
        Binding("t", "next_type", "Type", id="library.type"),
        Binding("escape", "back", "Back", id="library.back"),
        Binding("1", "rating_filter('all')", "All", id="library.filter_all", show=False),
        Binding("2", "rating_filter('liked')", "Liked", id="library.filter_liked", show=False),
        Binding("3", "rating_filter('disliked')", "Disliked", id="library.filter_disliked",
                show=False),
        Binding("4", "rating_filter('not rated')", "Not rated",
                id="library.filter_not_rated", show=False),
        Binding("s", "next_sort", "Sort", id="library.sort", show=False),
        Binding("F", "search('catalog')", "Find in catalog", id="library.search_catalog",
                show=False),
        Binding("f3", "inspect('error')", "Request", id="browser.inspect", show=False),
    ]

    def __init__(self, session: Session, *,
                 source_factory: Callable[[Any], LibrarySource] | None = None,
                 kind: str = "library-songs") -> None:
        super().__init__()
        self.session = session
        self.config = session.config
        self._source_factory = source_factory
        self._source_built: tuple[Any, LibrarySource] | None = None
        self._listings: dict[str, Listing] = {}
        self.listing = self._listing_for(kind)
        self._walk_id = 0
        self._count_line_at = 0.0
        self._count_line_timer: Timer | None = None
        #: What the search input searches: "library" or "catalog" (None: it is the filter).
        self._searching: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield LibraryBar(id="library-bar")
        yield CountLine(id="library-count")
        with Horizontal(id="library-input-row"):
            yield Static("Filter", id="library-input-label")
            yield ListingInput(id="library-input")
        yield LibraryTable(self.listing.view, id="library-table")
        yield RowLine(id="library-row")
        yield Lazy(ErrorPanel(id="error-panel"))
        yield AppFooter()

    def on_mount(self) -> None:
        self.input_row.display = False
        self.query_one(ListingInput).on_value = self._filter_typed
        self.query_one(ListingInput).on_submit = self._input_submitted
        self._show_keys()
        self._start_walk(self.listing)

    # -- parts -------------------------------------------------------------------------

    @property
    def table(self) -> LibraryTable:
        """The listing table."""
        return self.query_one(LibraryTable)

    @property
    def input(self) -> Input:
        """The filter (or search) input."""
        return self.query_one("#library-input", Input)

    @property
    def input_row(self) -> Horizontal:
        """The input's line, with its label."""
        return self.query_one("#library-input-row", Horizontal)

    def _open_input(self, label: str, placeholder: str, value: str) -> None:
        self.query_one("#library-input-label", Static).update(label)
        field_ = self.input
        field_.placeholder = placeholder
        field_.value = value
        self.input_row.display = True
        # At once, not Widget.focus() (deferred): what is typed right after the key
        # that opened it must land here, not on the table's keys.
        self.set_focus(field_)

    @property
    def error_panel(self) -> ErrorPanel | None:
        """The error panel, once mounted (it is lazy)."""
        found = self.query(ErrorPanel)
        return found.first() if found else None

    def show_error(self, error: Any, *, tries: int = 5) -> None:
        """Put ``error`` in the error panel (once it is mounted: it is lazy)."""
        panel = self.error_panel
        if panel is not None:
            panel.show_error(error, self.session.tokens)
        elif tries:
            self.call_after_refresh(lambda: self.show_error(error, tries=tries - 1))

    def _show_keys(self) -> None:
        """The bar names the keys as the keymap has them."""
        bar = self.query_one(LibraryBar)
        keymap = dict(self.config.keymap or {})

        def key(binding_id: str, default: str) -> str:
            name = keymap.get(binding_id, default).split(",")[0]
            return self.app.get_key_display(Binding(name, ""))

        bar.keys = {"type": key("library.type", "t"), "sort": key("library.sort", "s"),
                    "filter": f"{key('library.filter_all', '1')}-"
                              f"{key('library.filter_not_rated', '4')}"}

    def _refresh_lines(self, *, force: bool = True) -> None:
        """The bar, the count line and the row line say what the table shows."""
        now = time.monotonic()
        if not force and now - self._count_line_at < COUNT_LINE_EVERY:
            # Later, once: the last batch of a burst must still be counted.
            if self._count_line_timer is None:
                self._count_line_timer = self.set_timer(
                    COUNT_LINE_EVERY, self._refresh_lines, name="count line")
            return
        if self._count_line_timer is not None:
            self._count_line_timer.stop()
            self._count_line_timer = None
        self._count_line_at = now
        listing = self.listing
        view = listing.view
        self.query_one(LibraryBar).show(listing.kind, listing.term, view.rating_filter,
                                        view.sort)
        message = None
        if not view.rows:
            if listing.busy:
                message = ("Searching…" if listing.term is not None
                           else f"Loading your {listing.noun[1]}…")
            elif listing.error is not None:
                message = "Nothing loaded: see the error below."
            elif listing.done:
                message = (f"Nothing found for “{listing.term}”." if listing.term is not None
                           else f"No {listing.noun[1]} in the library.")
        self.query_one(CountLine).show(
            view.counts(), loaded=len(view.rows), total=listing.total, shown=len(view.visible),
            noun=listing.noun, busy=listing.busy, stopped=listing.stopped, message=message,
            missing=len(listing.missing))
        self._refresh_row_line()

    def _refresh_row_line(self) -> None:
        self.query_one(RowLine).show_row(self.table.selected, len(self.listing.view.marked))

    # -- walking -----------------------------------------------------------------------

    def _listing_for(self, kind: str) -> Listing:
        if kind not in self._listings:
            self._listings[kind] = Listing(kind)
        return self._listings[kind]

    def _show_listing(self, listing: Listing) -> None:
        self.listing = listing
        self.table.show_view(listing.view, listing.kind if listing.term is None else "search")
        self._refresh_lines()

    def _start_walk(self, listing: Listing) -> None:
        self._walk_id += 1
        listing.view.clear()
        listing.total, listing.busy, listing.stopped, listing.done = None, True, False, False
        listing.error = None
        listing.missing = []
        self._show_listing(listing)
        self.run_walk(listing, self._walk_id)

    @work(exclusive=True, group="library-walk")
    async def run_walk(self, listing: Listing, walk_id: int) -> None:
        """Walk the library (or search); rows and ratings arrive through the sink."""
        sink = _Sink(self, listing)
        try:
            source = await self._source()
            if listing.term is not None:
                await source.search(listing.term, listing.catalog, sink)
            else:
                await source.walk(listing.kind, sink)
        except AmRatingsError as exc:
            listing.error = exc
            self.show_error(exc)
        except asyncio.CancelledError:
            listing.stopped = True
            raise
        finally:
            listing.busy = False
            listing.done = not listing.stopped and listing.error is None
            if walk_id == self._walk_id and self.is_attached and self.is_running:
                try:
                    self._refresh_lines()
                    self.refresh_bindings()
                except NoMatches:  # the app is closing and took the screen's parts
                    pass

    async def _source(self) -> LibrarySource:
        """The source on the current client (one per client: it remembers the storefront)."""
        client = await self.session.ready_client()
        if self._source_built is not None and self._source_built[0] is client:
            return self._source_built[1]
        factory = self._source_factory
        if factory is None:
            from tui.library_source import ServiceLibrarySource

            factory = ServiceLibrarySource
        source = factory(client)
        self._source_built = (client, source)
        return source

    def _listing_changed(self, listing: Listing) -> None:
        if listing is self.listing:
            self._refresh_lines(force=False)

    def _rows_arrived(self, listing: Listing, rows: list[ViewRow]) -> None:
        view = listing.view
        before = len(view.visible)
        added = view.add(rows)
        if listing is not self.listing or not added:
            return
        if view.sort is SortKey.LIBRARY:
            self.table.rows_appended(len(view.visible))
        else:
            self.table.view_changed()
        if before == 0 and view.visible:
            self.table.move_cursor(0)
        self._refresh_lines(force=before == 0)

    def _ratings_arrived(self, listing: Listing, results: list[Any]) -> None:
        view = listing.view
        changed: list[int] = []
        failed = None
        for result in results:
            index = view.index_of(result.type, result.id)
            if index is None:
                continue
            row = view.rows[index]
            if result.error is not None:
                row.error = result.error
                row.word = FAILED
                row.note = error_note(result.error)
                failed = failed or result.error
            else:
                row.set_value(result.value)
            changed.append(index)
        view.touch()
        if listing is not self.listing or not changed:
            return
        if view.ratings_changed():
            self.table.view_changed()
        else:
            self.table.rows_changed(changed)
        panel = self.error_panel
        if failed is not None and not (panel is not None and panel.shown):
            self.show_error(failed)
        self._refresh_lines(force=False)

    # -- choosing what to see ----------------------------------------------------------

    def action_next_type(self) -> None:
        """Show the next library type (walking it the first time)."""
        kinds = [k for k, _, _ in LIBRARY_KINDS]
        if self.listing.term is not None:
            kind = self._last_kind()
        else:
            kind = kinds[(kinds.index(self.listing.kind) + 1) % len(kinds)] \
                if self.listing.kind in kinds else kinds[0]
        self.show_kind(kind)

    def _last_kind(self) -> str:
        return next((k for k in reversed(self._listings) if k.startswith("library-")),
                    "library-songs")

    def show_kind(self, kind: str) -> None:
        """Show the library of ``kind``: what was loaded stays; a walk that was stopped or
        never ran starts (again)."""
        if self.listing.busy:
            self.action_stop()
        listing = self._listing_for(kind)
        # Most recent last, so "back from a search" returns here.
        self._listings.pop(kind)
        self._listings[kind] = listing
        if listing.done and listing.error is None:
            self._show_listing(listing)
        else:
            self._start_walk(listing)
        self.refresh_bindings()

    def action_rating_filter(self, name: str) -> None:
        """Show all rows, or only liked, disliked or not rated ones."""
        self.listing.view.set_rating_filter(RatingFilter(name))
        self.table.view_changed()
        self._refresh_lines()

    def action_next_sort(self) -> None:
        """Order by the next key: library order, date added, name, artist, rating."""
        view = self.listing.view
        view.set_sort(view.sort.next())
        self.table.view_changed()
        self._refresh_lines()

    def action_filter_text(self) -> None:
        """Open the text filter (``/``)."""
        self._searching = None
        self._open_input("Filter", "name, artist, album · Enter keeps it · Escape clears it",
                         self.listing.view.text)

    def action_search(self, where: str) -> None:
        """Open the search input: the library's search or the catalog's."""
        self._searching = where
        label = "Find in catalog" if where == "catalog" else "Find in library"
        self._open_input(label, "words · Enter searches · Escape cancels", "")

    def on_key(self, event: events.Key) -> None:
        """Keys typed in one burst with the key that opens the input (over SSH or tmux, or a
        quick typist): Textual hands each key to the widget focused when it is read, so the
        letters behind ``/`` went to the table and only reach the input if it opens as ``/``
        passes here (before the App would run the binding) and takes what follows."""
        if self.input_row.display and self.focused is self.input:
            if event.is_printable and event.character:
                event.stop()
                self.input.insert_text_at_cursor(event.character)
            elif event.key == "enter":
                # Here and now, so the keys behind Enter in the burst find the table focused.
                event.stop()
                self._input_submitted(self.input.value)
            return
        bound = self.active_bindings.get(event.key)
        if bound is None or not bound.enabled:
            return
        action = bound.binding.action
        if action == "filter_text":
            event.stop()
            self.action_filter_text()
        elif action in ("search('library')", "search('catalog')"):
            event.stop()
            self.action_search("catalog" if "catalog" in action else "library")

    def _filter_typed(self, value: str) -> None:
        if self._searching is not None or not self.input_row.display:
            return
        view = self.listing.view
        if value == view.text:
            return
        view.set_text(value)
        self.table.view_changed()
        self.table.move_cursor(0)
        self._refresh_lines()

    def _input_submitted(self, value: str) -> None:
        """Enter in the input: search, or keep the filter and go back to the table."""
        if self._searching is not None:
            term = value.strip()
            if not term:
                return
            catalog = self._searching == "catalog"
            self._close_input()
            self.start_search(term, catalog=catalog)
            return
        if not value:
            self._close_input()
        else:
            self.set_focus(self.table)

    def _close_input(self) -> None:
        self._searching = None
        self.input_row.display = False
        self.set_focus(self.table)

    def start_search(self, term: str, *, catalog: bool) -> None:
        """Search the library (or the catalog) for ``term``; results replace the table."""
        if self.listing.busy:
            self.action_stop()
        key = f"search:{'catalog' if catalog else 'library'}"
        self._listings.pop(key, None)
        listing = Listing("search", term=term, catalog=catalog)
        self._listings[key] = listing
        self._start_walk(listing)

    # -- leaving, stopping -------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Stop only while a walk runs."""
        if action == "stop":
            return self.listing.busy
        return True

    def action_stop(self) -> None:
        """Stop the walk; what arrived stays."""
        if self.listing.busy:
            self.listing.stopped = True
            self.workers.cancel_group(self, "library-walk")
            self.listing.busy = False
            self._refresh_lines()
            self.refresh_bindings()

    def action_back(self) -> None:
        """Escape: close the input, dismiss the error, stop the walk, clear the filter,
        leave the search; else back to the browser. One thing per press."""
        if self.input_row.display:
            if self._searching is None:
                self.input.value = ""
                self.listing.view.set_text("")
                self.table.view_changed()
                self._refresh_lines()
            self._close_input()
            return
        panel = self.error_panel
        if panel is not None and panel.shown:
            panel.dismiss()
            self.set_focus(self.table)
            return
        if self.listing.busy:
            self.action_stop()
            return
        if self.listing.view.text:
            self.listing.view.set_text("")
            self.table.view_changed()
            self._refresh_lines()
            return
        if self.listing.term is not None:
            self.show_kind(self._last_kind())
            return
        self.app.pop_screen()

    # -- marks and actions -------------------------------------------------------------

    def action_mark(self) -> None:
        """Mark or unmark the cursor row, and move down."""
        index = self.table.selected_index
        if index is None:
            return
        self.listing.view.toggle_mark(index)
        self.table.rows_changed([index])
        self.table.action_cursor_down()
        self._refresh_row_line()

    def action_mark_all(self) -> None:
        """Mark every visible row (or unmark them, when all are marked)."""
        view = self.listing.view
        view.toggle_mark_visible()
        self.table.forget_all()
        self._refresh_row_line()

    def action_like(self) -> None:
        """Like the cursor row, or every marked row after confirming."""
        self._act("like")

    def action_dislike(self) -> None:
        """Dislike the cursor row, or every marked row after confirming."""
        self._act("dislike")

    def action_clear_rating(self) -> None:
        """Clear the rating of the cursor row, or of every marked row after confirming."""
        self._act("clear")

    def _act(self, action: str) -> None:
        view = self.listing.view
        marked = sorted(view.marked)
        if not marked:
            index = self.table.selected_index
            if index is None:
                self.notify("No row to act on.", severity="warning")
                return
            self._send(action, [index])
            return
        from tui.screens.confirm import ConfirmScreen

        noun = self.listing.noun
        what = plural(len(marked), f"marked {noun[0]}", f"marked {noun[1]}")
        question = f"{VERB[action]} {what}?"
        detail = {"like": "Each gets a PUT with value 1 (like).",
                  "dislike": "Each gets a PUT with value -1 (dislike).",
                  "clear": "Each gets a DELETE of its rating."}[action]
        shown = sum(1 for i in marked if i in set(view.visible))
        hidden = len(marked) - shown
        if hidden:
            detail += f" {plural(hidden, 'of them is', 'of them are')} hidden by the filter."

        def answered(yes: bool | None) -> None:
            if yes:
                self._send(action, marked)

        detail += " Rows that fail stay marked."
        self.app.push_screen(ConfirmScreen(question, detail,
                                           yes=VERB[action].split()[0]), answered)

    def _send(self, action: str, indexes: list[int]) -> None:
        listing = self.listing
        for index in indexes:
            row = listing.view.rows[index]
            row.note = PENDING[action]
        self.table.rows_changed(indexes)
        self._refresh_row_line()
        self.run_worker(self._run_action(listing, action, indexes), group="library-actions",
                        name=f"{action} {len(indexes)}")

    async def _run_action(self, listing: Listing, action: str, indexes: list[int]) -> None:
        """Send the action for every row (the service's bulk set or clear, one request per
        item, a bounded number in flight); each row updates as its answer lands."""
        view = listing.view
        value = {"like": 1, "dislike": -1, "clear": None}[action]
        by_type: dict[str, list[int]] = {}
        for index in indexes:
            by_type.setdefault(view.rows[index].rating_type, []).append(index)

        async def one_type(rating_type: str, group: list[int]) -> None:
            ids = [view.rows[i].item_id for i in group]
            where = {item_id: i for i, item_id in zip(group, ids, strict=True)}
            async for result in source.rate(rating_type, ids, value):
                index = where.get(result.id)
                if index is None:
                    continue
                if result.error is not None:
                    self._row_failed(listing, index, result.error)
                    continue
                row = view.rows[index]
                row.set_value(result.value)
                row.note = DONE[action]
                if action == "clear" and result.cleared is False:
                    row.note = "was not rated"
                view.marked.discard(index)
                self._row_updated(listing, index)

        try:
            source = await self._source()
            await asyncio.gather(*(one_type(t, g) for t, g in by_type.items()))
        except AmRatingsError as exc:  # no tokens, say: every row not answered yet failed
            for index in indexes:
                if view.rows[index].note == PENDING[action]:
                    self._row_failed(listing, index, exc)
        self._action_done(listing, action, indexes)

    def _row_failed(self, listing: Listing, index: int, error: Any) -> None:
        row = listing.view.rows[index]
        row.error = error
        row.note = error_note(error)
        if row.word == LOADING:
            row.word = FAILED
        self._row_updated(listing, index)

    def _row_updated(self, listing: Listing, index: int) -> None:
        listing.view.touch()
        if listing is self.listing and self.is_attached:
            self.table.rows_changed([index])

    def _action_done(self, listing: Listing, action: str, indexes: list[int]) -> None:
        if not self.is_attached:
            return
        view = listing.view
        failed = [i for i in indexes if view.rows[i].error is not None]
        if listing is self.listing:
            if view.ratings_changed():
                self.table.view_changed()
            self._refresh_lines()
        if failed:
            self.show_error(view.rows[failed[0]].error)
        if len(indexes) > 1:
            done = len(indexes) - len(failed)
            message = f"{DONE[action].capitalize()} {done} of {len(indexes)}."
            if failed:
                message += f" {len(failed)} failed and stay marked."
            self.notify(message, severity="warning" if failed else "information")

    @on(LibraryTable.CursorMoved)
    def _cursor_moved(self) -> None:
        self._refresh_row_line()
        row = self.table.selected
        panel = self.error_panel
        # While the panel is open it follows the cursor onto failed rows.
        if row is not None and row.error is not None and panel is not None and panel.shown \
                and panel.error is not row.error:
            self.show_error(row.error)

    @on(LibraryTable.Chosen)
    def _row_chosen(self) -> None:
        self.action_inspect("row")

    # -- inspecting --------------------------------------------------------------------

    def action_inspect(self, source: str = "row") -> None:
        """The request inspector on the request behind the cursor row (its PUT, its ratings
        batch or its page), or the error panel's request."""
        from tui.screens.inspector import InspectorScreen

        history = self.session.history
        exchange, subject = None, None
        panel = self.error_panel
        if source == "error" and panel is not None and panel.shown:
            exchange = getattr(panel.error, "exchange", None)
            subject = "the failed request" if exchange is not None else None
        row = self.table.selected
        if exchange is None and row is not None:
            exchange = request_behind(history, row, self.listing)
            subject = (row.name or row.item_id) if exchange is not None else None
        if exchange is None and history:
            exchange, subject = history[-1], "the last request"
        self.app.push_screen(InspectorScreen(exchange, tokens=self.session.tokens, subject=subject,
                                             history=history))

    # -- export ------------------------------------------------------------------------

    def action_export(self) -> None:
        """Save the rows shown (filter applied) as CSV, JSON or JSON lines."""
        from tui.screens.export import ExportScreen, default_export_name

        rows = self.listing.view.visible_rows()
        if not rows:
            self.notify("Nothing to export: no rows are shown.", severity="warning")
            return
        now = self.session.clock() if self.session.clock is not None else time.time()
        date = time.strftime("%Y-%m-%d", time.gmtime(now))
        name = default_export_name(self.listing.name, date)

        def chosen(target: ExportTarget | None) -> None:
            if target is not None:
                self.run_export(target, rows)

        self.app.push_screen(ExportScreen(name, len(rows), Path.cwd()), chosen)

    @work(thread=True, group="library-export")
    def run_export(self, target: ExportTarget, rows: list[ViewRow]) -> None:
        """Write the file off the event loop."""
        from tui.library_source import write_export

        try:
            write_export(target.path, target.format, rows)
        except OSError as exc:
            self.app.call_from_thread(
                self.notify, f"Could not save {target.path}: {exc.strerror or exc}",
                severity="error", title="Export failed")
            return
        shown = _display_path(target.path)
        self.app.call_from_thread(
            self.notify, f"Saved {plural(len(rows), 'row')} to {shown}", title="Exported")


def _display_path(path: Path) -> str:
    """The path relative to the current directory when it is under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def request_behind(history: list[Any], row: ViewRow, listing: Listing) -> Any:
    """The newest request about ``row``: a PUT or DELETE of it or a ratings batch that asked
    for it; else the page (or search) that listed it."""
    from tui.screens.inspector import exchange_for

    exchange = getattr(row.error, "exchange", None) or exchange_for(
        history, row.rating_type, row.item_id)
    if exchange is not None:
        return exchange
    return page_exchange_for(history, listing, row.position)


def page_exchange_for(history: list[Any], listing: Listing, position: int) -> Any:
    """The page request of a library walk that covered ``position`` (its offset and limit),
    or the search request of a search listing."""
    from urllib.parse import parse_qs, urlsplit

    if listing.term is not None:
        needle = "/v1/me/library/search" if not listing.catalog else "/search"
        return next((e for e in reversed(history) if needle in urlsplit(e.url).path), None)
    suffix = "/v1/me/library/" + listing.kind.removeprefix("library-")
    for exchange in reversed(history):
        parts = urlsplit(exchange.url)
        if not parts.path.endswith(suffix):
            continue
        query = parse_qs(parts.query)
        if "ids" in query:
            continue
        try:
            offset = int(query.get("offset", ["0"])[0])
            limit = int(query.get("limit", ["100"])[0])
        except ValueError:
            continue
        if offset <= position < offset + limit:
            return exchange
    return None
