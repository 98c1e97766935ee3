"""The library screen's link to the service layer: walks, searches and exports.

Imported when the library screen first needs it (it pulls in the service layer).
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.library_view import ViewRow
from tui.widgets.rating_badge import FAILED
from tui.widgets.results import error_note

if TYPE_CHECKING:
    from tui.screens.library import RowSink

#: The columns of a CSV export, in order, as ``amratings library --csv`` writes them: the JSON
#: fields, then why the rating is not known (empty when it is).
EXPORT_FIELDS = ("id", "type", "name", "artist", "album", "catalog_id", "value", "rating",
                 "error")


def export_json(value: Any, indent: int | None = None) -> str:
    """JSON as ``amratings library`` prints it: every control and non-ASCII character
    escaped (valid, and safe to ``cat`` to a terminal)."""
    return json.dumps(value, indent=indent, ensure_ascii=True).replace("\x7f", "\\u007f")


def export_cell(value: Any) -> str:
    """A CSV cell as ``amratings library --csv`` writes it: None empty, an error as its kind
    and status, control and format characters made visible."""
    if value is None:
        return ""
    if isinstance(value, dict):
        value = " ".join(str(v) for v in (value.get("kind"), value.get("status"))
                         if v is not None)
    out = []
    for char in str(value):
        code = ord(char)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif 0x200B <= code <= 0x200F or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 \
                or code in (0x2028, 0x2029, 0xFEFF):
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def write_export(path: Path, fmt: str, rows: Sequence[ViewRow]) -> None:
    """Write ``rows`` to ``path`` as ``json`` (an array), ``jsonl`` or ``csv``, in the forms of
    ``amratings library --json/--jsonl/--csv``; the file appears whole or not at all (written
    next to it, then renamed)."""
    records = [row.export_fields() for row in rows]
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", encoding="utf-8", newline="") as out:
        if fmt == "json":
            out.write(export_json(records, indent=2) + "\n")
        elif fmt == "jsonl":
            for record in records:
                out.write(export_json(record) + "\n")
        elif fmt == "csv":
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(EXPORT_FIELDS)
            for record in records:
                writer.writerow([export_cell(record.get(name)) for name in EXPORT_FIELDS])
        else:
            raise ValueError(f"unknown export format {fmt!r}")
    partial.replace(path)


#: Search results per type (Apple's maximum).
SEARCH_LIMIT = 25


def item_row(item: Any, position: int = 0) -> ViewRow:
    """A service-layer ``LibraryItem`` as the table shows it (its rating still loading)."""
    return ViewRow(item.id, item.type, name=item.name or "", artist=item.artist or "",
                   album=item.album or "", catalog_id=item.catalog_id,
                   date_added=getattr(item, "date_added", None) or "", position=position)


def view_row(row: Any, position: int = 0) -> ViewRow:
    """A service-layer ``LibraryRow`` (item and rating) as the table shows it."""
    rating = row.rating
    shown = item_row(row.item, position)
    if rating.error is not None:
        shown.error = rating.error
        shown.word = FAILED
        shown.note = error_note(rating.error)
    else:
        shown.set_value(rating.value)
    return shown


class ServiceLibrarySource:
    """The library screen's :class:`~tui.screens.library.LibrarySource` on the service
    layer's :class:`~tui.api.library.LibraryService`."""

    def __init__(self, client: Any) -> None:
        from tui.api.library import LibraryService

        self.service = LibraryService(client)

    async def walk(self, kind: str, sink: RowSink) -> None:
        """Every item of the library ``kind``: names as each page arrives (in library order),
        then the page's ratings."""
        told: list[int] = []
        waiting: dict[int, list[Any]] = {}  # pages that arrived before an earlier one
        shown = [0]  # the offset of the next page to show

        def progress(now: Any) -> None:
            total = now.items_total
            if total is not None and not told:
                told.append(total)
                sink.total(total)

        def page(offset: int, items: list[Any]) -> None:
            waiting[offset] = items
            while shown[0] in waiting:
                start = shown[0]
                found = waiting.pop(start)
                sink.rows([item_row(item, start + n) for n, item in enumerate(found)])
                shown[0] = start + walk.limit

        walk = self.service.walk(kind, on_progress=progress, on_page=page)
        position = 0
        async for rows in walk:
            # Pages come in library order here; a page the names missed (one after a failed
            # page, say) is listed now, with its ratings.
            sink.rows([view_row(row, position + n) for n, row in enumerate(rows)])
            sink.ratings([row.rating for row in rows])
            position += len(rows)
        if not told:
            sink.total(walk.total if walk.total is not None else position)
        for failure in walk.failures:
            sink.failed(failure.error, failure.describe())

    def rate(self, rating_type: str, ids: Sequence[str],
             value: int | None) -> AsyncIterator[Any]:
        """The service's bulk set (``value`` 1 or -1) or clear (None)."""
        if value is None:
            return self.service.clear_many(rating_type, ids)
        return self.service.set_many(rating_type, ids, value)

    async def search(self, term: str, catalog: bool, sink: RowSink) -> None:
        """The matches of ``term`` in the library or the catalog, with their ratings."""
        found = await self.service.search(term, library=not catalog, limit=SEARCH_LIMIT)
        sink.total(len(found))
        sink.rows([view_row(row, n) for n, row in enumerate(found)])
