"""Where to save an export: a path the user confirms, its format taken from the extension.

The default is a file in the current directory named after the listing and the date
(``library-songs-2026-12-03.csv``). An existing file is replaced only after a second Enter, so
no earlier export is lost by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

#: File extension -> export format.
FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}


@dataclass(frozen=True)
class ExportTarget:
    """Where to write and in which format (``json``, ``jsonl`` or ``csv``)."""

    path: Path
    format: str


def default_export_name(listing: str, date: str, fmt: str = "csv") -> str:
    """``library-songs-2026-12-03.csv``: the listing (type or search) and the date."""
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in listing).strip("-")
    return f"{safe or 'export'}-{date}.{fmt}"


def export_target(text: str, cwd: Path) -> ExportTarget | str:
    """The target a typed path names, or why it cannot be used."""
    raw = text.strip()
    if not raw:
        return "Type a file name, ending in .csv, .json or .jsonl."
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = cwd / path
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        return "The name must end in .csv, .json or .jsonl (that picks the format)."
    if path.is_dir():
        return f"{raw} is a directory; add a file name."
    if not path.parent.is_dir():
        return f"No such directory: {path.parent}"
    return ExportTarget(path, fmt)


class ExportScreen(ModalScreen[ExportTarget | None]):
    """Asks for the export's path; answers the target, or None when cancelled."""

    DEFAULT_CSS = """
    ExportScreen {
        align: center middle;
    }
    ExportScreen > Vertical {
        width: 72;
        max-width: 100%;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    ExportScreen #export-problem {
        color: $text-warning;
        height: auto;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]

    def __init__(self, default_name: str, rows: int, cwd: Path) -> None:
        super().__init__()
        self.default_name = default_name
        self.rows = rows
        self.cwd = cwd
        self._replace_ok: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Export {self.rows:,} row{'s' if self.rows != 1 else ''}"
            yield Static(Text("Save the rows shown (filter applied) to a file; .csv, .json or "
                              ".jsonl picks the format. Enter saves, Escape cancels."))
            yield Input(self.default_name, id="export-path", compact=True)
            yield Static("", id="export-problem")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _changed(self) -> None:
        self._replace_ok = None
        self.query_one("#export-problem", Static).update("")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        target = export_target(event.value, self.cwd)
        problem = self.query_one("#export-problem", Static)
        if isinstance(target, str):
            problem.update(Text(target))
            return
        if target.path.exists() and self._replace_ok != target.path:
            self._replace_ok = target.path
            problem.update(Text(f"{target.path.name} exists: Enter again replaces it."))
            return
        self.dismiss(target)

    def action_cancel(self) -> None:
        """Save nothing."""
        self.dismiss(None)
