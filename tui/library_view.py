"""The library screen's rows and what the user sees of them: filtered, sorted and counted.

Pure Python (no Textual, no httpx), so it is quick to test and loads with the first frame.
A text filter over 10,000 rows must repaint within a key press: each row keeps one lowercase
haystack (name, artist, album), and a longer filter text searches only the rows the shorter
one matched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from tui.api.results import rating_word
from tui.widgets.rating_badge import DISLIKED, FAILED, LIKED, LOADING, NOT_RATED


class RatingFilter(Enum):
    """Which ratings the table shows."""

    ALL = "all"
    LIKED = "liked"
    DISLIKED = "disliked"
    NOT_RATED = "not rated"

    def admits(self, word: str) -> bool:
        """Whether a row showing ``word`` passes (rows still loading pass only "all")."""
        if self is RatingFilter.ALL:
            return True
        return word == {RatingFilter.LIKED: LIKED, RatingFilter.DISLIKED: DISLIKED,
                        RatingFilter.NOT_RATED: NOT_RATED}[self]


class SortKey(Enum):
    """The orders the table can show. ``LIBRARY`` is the order Apple lists the items in (rows
    arriving page by page just go at the end); ``ADDED`` is newest first."""

    LIBRARY = "library order"
    ADDED = "date added"
    NAME = "name"
    ARTIST = "artist"
    RATING = "rating"

    def next(self) -> SortKey:
        """The following order (``s`` cycles through them)."""
        members = list(SortKey)
        return members[(members.index(self) + 1) % len(members)]


#: Rating order for sorting: liked first, then disliked, not rated, failed, loading.
_RATING_RANK = {LIKED: 0, DISLIKED: 1, NOT_RATED: 2, FAILED: 3, LOADING: 4}


@dataclass
class ViewRow:
    """One item of the library (or of a search) as the table shows it."""

    item_id: str
    #: The ratings type of the item: ``library-songs``, ``songs`` ...
    rating_type: str
    name: str = ""
    artist: str = ""
    album: str = ""
    catalog_id: str | None = None
    date_added: str = ""
    value: int | None = None
    word: str = LOADING
    #: What the row says besides its rating: ``liking…``, or its error in a few words.
    note: str = ""
    #: The ``AmRatingsError`` of the last failed request for this row, if any.
    error: Any = None
    #: Its place in the walk (the offset of its page plus its place there), for finding the
    #: page request behind it.
    position: int = 0
    haystack: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.haystack:
            self.haystack = "\n".join((self.name, self.artist, self.album)).casefold()

    def set_value(self, value: int | None) -> None:
        """The rating read or stored: clears any error."""
        self.value = value
        self.word = rating_word(value)
        self.error = None

    def export_fields(self) -> dict[str, Any]:
        """The row as ``amratings library`` exports it: with ``"error"`` when its rating is
        not known (its lookup failed, or the walk stopped before it), so that ``amratings
        apply`` never takes it for "not rated" and clears a rating."""
        unknown = self.error is not None or self.word in (FAILED, LOADING)
        value = None if unknown else self.value
        record: dict[str, Any] = {
            "id": self.item_id, "type": self.rating_type, "name": self.name or None,
            "artist": self.artist or None, "album": self.album or None,
            "catalog_id": self.catalog_id, "value": value,
            "rating": None if unknown else {1: "like", -1: "dislike"}.get(value or 0)}
        if self.error is not None and hasattr(self.error, "to_json"):
            record["error"] = self.error.to_json()
        elif unknown:
            record["error"] = {"status": None, "code": None, "title": "Not read",
                               "detail": "the rating was not read (the listing was stopped)",
                               "kind": "NotRead", "hint": None}
        return record


class LibraryView:
    """The rows of one listing and the part of them shown: filter, text filter and order.

    ``visible`` holds indexes into ``rows``; it is rebuilt when the filter or order changes
    and extended as rows arrive. ``marked`` holds indexes into ``rows`` too, so marks survive
    filtering and sorting.
    """

    def __init__(self) -> None:
        self.rows: list[ViewRow] = []
        self.visible: list[int] = []
        self.marked: set[int] = set()
        self.rating_filter = RatingFilter.ALL
        self.text = ""
        self.sort = SortKey.LIBRARY
        #: Where ids sit in ``rows`` (an item id appears once per listing).
        self._where: dict[tuple[str, str], int] = {}
        #: The visible rows of the last text filter before the rating filter and order, so a
        #: longer text searches only those (typing narrows as it goes).
        self._text_hits: list[int] | None = None
        self._text_of_hits = ""
        #: The counts of :meth:`counts`, until :meth:`touch` says ratings changed.
        self._counts: Counter[str] | None = None

    # -- filling -----------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every row (a new listing); the filter and order stay."""
        self.rows = []
        self.visible = []
        self.marked = set()
        self._where = {}
        self._text_hits = None
        self._counts = None

    def add(self, rows: Iterable[ViewRow]) -> list[int]:
        """Append rows (a page arrived); returns their indexes. Rows whose id is listed
        already are left out (Apple may list an item twice across pages)."""
        added: list[int] = []
        for row in rows:
            key = (row.rating_type, row.item_id)
            if key in self._where:
                continue
            self._where[key] = len(self.rows)
            self.rows.append(row)
            added.append(len(self.rows) - 1)
        if not added:
            return added
        self._counts = None
        if self.sort is SortKey.LIBRARY:
            # The library's order: new rows go at the end, no sort needed.
            self.visible.extend(i for i in added if self._passes(i))
            if self._text_hits is not None:
                self._text_hits.extend(i for i in added if self._matches_text(i))
        else:
            self.refilter()
        return added

    def index_of(self, rating_type: str, item_id: str) -> int | None:
        """Where the row of that item sits in ``rows``."""
        return self._where.get((rating_type, item_id))

    def touch(self) -> None:
        """Some rows' ratings (or errors) changed: count again when next asked."""
        self._counts = None

    def ratings_changed(self) -> bool:
        """Some rows' ratings changed: count again, and rebuild ``visible`` if that can move
        or hide rows. Returns True when ``visible`` was rebuilt."""
        self._counts = None
        if self.rating_filter is RatingFilter.ALL and self.sort is not SortKey.RATING:
            return False
        self.refilter()
        return True

    # -- the view ----------------------------------------------------------------------

    def set_rating_filter(self, rating_filter: RatingFilter) -> None:
        """Show only rows of that rating."""
        self.rating_filter = rating_filter
        self.refilter()

    def set_text(self, text: str) -> None:
        """Show only rows whose name, artist or album contains ``text`` (any case)."""
        self.text = text
        self.refilter()

    def set_sort(self, sort: SortKey) -> None:
        """Order the rows."""
        self.sort = sort
        self.refilter()

    def refilter(self) -> None:
        """Rebuild ``visible`` from the rows, the filters and the order."""
        needle = self.text.casefold()
        if not needle:
            hits: list[int] | range = range(len(self.rows))
            self._text_hits = None
        else:
            base: Iterable[int]
            if self._text_hits is not None and needle.startswith(self._text_of_hits):
                base = self._text_hits  # a longer text matches only rows the shorter matched
            else:
                base = range(len(self.rows))
            rows = self.rows
            hits = [i for i in base if needle in rows[i].haystack]
            self._text_hits, self._text_of_hits = hits, needle
        if self.rating_filter is RatingFilter.ALL:
            visible = list(hits)
        else:
            admits, rows = self.rating_filter.admits, self.rows
            visible = [i for i in hits if admits(rows[i].word)]
        if self.sort is SortKey.ADDED:
            visible.sort(key=self._sort_key(), reverse=True)
        elif self.sort is not SortKey.LIBRARY:
            visible.sort(key=self._sort_key())
        self.visible = visible

    def _sort_key(self) -> Any:
        rows = self.rows
        if self.sort is SortKey.NAME:
            return lambda i: (rows[i].name.casefold(), rows[i].artist.casefold())
        if self.sort is SortKey.ARTIST:
            return lambda i: (rows[i].artist.casefold(), rows[i].album.casefold(),
                              rows[i].name.casefold())
        if self.sort is SortKey.RATING:
            return lambda i: (_RATING_RANK.get(rows[i].word, 9), rows[i].name.casefold())
        # Newest first (the caller reverses); undated rows last, in library order.
        return lambda i: (rows[i].date_added, -i)

    def _passes(self, index: int) -> bool:
        return self.rating_filter.admits(self.rows[index].word) and self._matches_text(index)

    def _matches_text(self, index: int) -> bool:
        return not self.text or self.text.casefold() in self.rows[index].haystack

    # -- reading -----------------------------------------------------------------------

    def row_at(self, position: int) -> ViewRow | None:
        """The row shown at ``position`` of the table."""
        if 0 <= position < len(self.visible):
            return self.rows[self.visible[position]]
        return None

    def position_of(self, index: int) -> int | None:
        """Where row ``index`` is shown, if it is."""
        try:
            return self.visible.index(index)
        except ValueError:
            return None

    def counts(self) -> Counter[str]:
        """How many rows are Liked / Disliked / Not rated / Failed / Loading (all rows,
        whatever the filter). Kept until rows arrive or :meth:`touch` is called, so
        filtering 10,000 rows does not count them again on every key."""
        if self._counts is None:
            self._counts = Counter(row.word for row in self.rows)
        return self._counts

    def visible_rows(self) -> list[ViewRow]:
        """The rows shown, in the order shown (what an export saves)."""
        return [self.rows[i] for i in self.visible]

    # -- marks -------------------------------------------------------------------------

    def toggle_mark(self, index: int) -> bool:
        """Mark or unmark a row; returns whether it is marked now."""
        if index in self.marked:
            self.marked.discard(index)
            return False
        self.marked.add(index)
        return True

    def toggle_mark_visible(self) -> bool:
        """Mark every visible row, or unmark them all when they all are marked already.
        Returns whether they are marked now."""
        if self.visible and self.marked.issuperset(self.visible):
            self.marked.difference_update(self.visible)
            return False
        self.marked.update(self.visible)
        return True
