"""The library screen's link to the service layer: walks, searches and exports.

Imported when the library screen first needs it (it pulls in the service layer).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tui.library_view import ViewRow

#: The fields of an export, in order (as ``amratings library`` writes them).
EXPORT_FIELDS = ("id", "type", "name", "artist", "album", "catalog_id", "value", "rating")


def write_export(path: Path, fmt: str, rows: Sequence[ViewRow]) -> None:
    """Write ``rows`` to ``path`` as ``json`` (an array), ``jsonl`` or ``csv``; the file
    appears whole or not at all (written next to it, then renamed)."""
    records = [row.export_fields() for row in rows]
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", encoding="utf-8", newline="") as out:
        if fmt == "json":
            json.dump(records, out, ensure_ascii=False, indent=2)
            out.write("\n")
        elif fmt == "jsonl":
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif fmt == "csv":
            writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
            writer.writeheader()
            for record in records:
                writer.writerow({k: "" if v is None else v for k, v in record.items()})
        else:
            raise ValueError(f"unknown export format {fmt!r}")
    partial.replace(path)


class ServiceLibrarySource:
    """The library screen's :class:`~tui.screens.library.LibrarySource` on a
    ``RatingsClient``."""

    def __init__(self, client: Any) -> None:
        self.client = client
