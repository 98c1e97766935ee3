"""How the headless commands print rows, show progress and stop.

- :class:`RowWriter` prints rows as a text table, a ``--json`` array, ``--jsonl`` (one object
  per line, each flushed as it arrives) or ``--csv`` (a header row, then one row per item).
  :meth:`RowWriter.close` prints whatever is still held, so an interrupted command prints
  every row that arrived and its ``--json`` array stays valid.
- :func:`run_interruptible` runs a command's coroutine so that Ctrl-C or SIGTERM cancels it
  (its ``finally`` blocks print what arrived) and the command exits 130.
- A pipe closed early (``| head``) raises :class:`PipeClosed` from a write; the command ends
  quietly (:func:`quiet_exit_for_closed_pipe`).
- :class:`ProgressBar` draws Rich's progress bar on stderr, only on a terminal and never with
  ``-q``.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.cli.common import redact_known, say

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

#: Exit status of a command stopped by Ctrl-C or SIGTERM (128 + SIGINT).
EXIT_INTERRUPTED = 130
#: Exit status when the reader of stdout went away (128 + SIGPIPE), as a shell pipeline expects.
EXIT_PIPE_CLOSED = 141

FORMS = ("text", "json", "jsonl", "csv")


class PipeClosed(Exception):
    """Standard output was closed by its reader (``| head``): stop quietly."""


@dataclass(frozen=True)
class Column:
    """A text-table column: its header, and its width (None: as wide as its widest cell, which
    holds every row until the end)."""

    header: str
    width: int | None = None
    #: Cut longer cells to the width (names); False pads but never cuts (ids).
    clip: bool = True


def json_text(payload: Any, indent: int | None = None) -> str:
    """JSON whose strings keep their content while every control and non-ASCII character is
    escaped (``\\u001b``): valid, and safe to print to a terminal; known tokens redacted."""
    text = json.dumps(payload, indent=indent, ensure_ascii=True).replace("\x7f", "\\u007f")
    return redact_known(text)


def cell_text(value: str | None) -> str:
    """A value for a text table or a CSV cell: control and format characters made visible, on
    one line; None is empty."""
    if value is None:
        return ""
    out = []
    for char in value:
        code = ord(char)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif 0x200B <= code <= 0x200F or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 \
                or code in (0x2028, 0x2029, 0xFEFF):
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


class RowWriter:
    """Prints rows in one of :data:`FORMS`. ``fields`` name the JSON/CSV keys in order;
    ``columns`` the text table's. Rows go to ``sys.stdout`` as they come, except a ``--json``
    array and a text table with a column of open width, which are printed by :meth:`close`."""

    def __init__(self, form: str, fields: Sequence[str], columns: Sequence[Column]) -> None:
        if form not in FORMS:
            raise ValueError(form)
        self.form = form
        self.fields = list(fields)
        self.columns = list(columns)
        self.count = 0
        self._held: list[Any] = []
        self._closed = False
        self._started = False
        self._streaming_text = all(c.width is not None for c in self.columns)

    def write(self, item: dict[str, Any], cells: Sequence[str]) -> None:
        """One row: ``item`` for JSON and CSV, ``cells`` for the text table."""
        self.count += 1
        if self.form == "json":
            self._held.append(item)
        elif self.form == "jsonl":
            self._emit(json_text(item) + "\n")
        elif self.form == "csv":
            if not self._started:
                self._started = True
                self._emit(self._csv_line(self.fields))
            self._emit(self._csv_line([_csv_value(item.get(name)) for name in self.fields]))
        elif self._streaming_text:
            if not self._started:
                self._started = True
                self._emit(self._text_line([c.header for c in self.columns]))
            self._emit(self._text_line(cells))
        else:
            self._held.append([cell_text(c) for c in cells])

    def discard(self) -> None:
        """Forget what is held and print nothing more (the command failed before any row)."""
        self._held = []
        self._closed = True

    def close(self) -> None:
        """Print what is still held (the JSON array, a table of open widths). Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self.form == "json":
            self._emit(json_text(self._held, indent=2) + "\n")
        elif self.form == "text" and not self._streaming_text and self._held:
            widths = [max(len(c.header), *(len(row[i]) for row in self._held))
                      for i, c in enumerate(self.columns)]
            lines = [_join([c.header for c in self.columns], widths)]
            lines += [_join(row, widths) for row in self._held]
            self._emit(redact_known("\n".join(lines)) + "\n")
        self._held = []

    def _text_line(self, cells: Sequence[str]) -> str:
        widths = [c.width or 0 for c in self.columns]
        shown = [_fit(cell_text(cell), width if column.clip else 0)
                 for cell, width, column in zip(cells, widths, self.columns, strict=True)]
        return redact_known(_join(shown, widths)) + "\n"

    @staticmethod
    def _csv_line(values: Sequence[str]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(values)
        return redact_known(buffer.getvalue())

    @staticmethod
    def _emit(text: str) -> None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            raise PipeClosed from None


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return cell_text(" ".join(str(v) for v in (value.get("kind"), value.get("status"))
                                  if v is not None))
    return cell_text(str(value))


def _fit(text: str, width: int) -> str:
    if width and len(text) > width:
        return text[:width - 1] + "~"
    return text


def _join(cells: Sequence[str], widths: Sequence[int]) -> str:
    last = len(cells) - 1
    return "  ".join(cell if i == last else f"{cell:<{widths[i]}}"
                     for i, cell in enumerate(cells)).rstrip()


def quiet_exit_for_closed_pipe() -> int:
    """After :class:`PipeClosed`: point stdout at /dev/null (so Python's final flush does not
    complain) and return :data:`EXIT_PIPE_CLOSED`."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
    return EXIT_PIPE_CLOSED


def run_interruptible(command: Callable[[], Coroutine[Any, Any, int]],
                      on_interrupt: Callable[[], None] | None = None) -> int:
    """Run ``command()`` on a new event loop. Ctrl-C or SIGTERM cancels it (its ``finally``
    blocks print what arrived), then ``on_interrupt`` runs and the status is 130. A closed
    stdout ends it quietly with 141."""
    return asyncio.run(_interruptible(command, on_interrupt))


async def _interruptible(command: Callable[[], Coroutine[Any, Any, int]],
                         on_interrupt: Callable[[], None] | None) -> int:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    signalled: list[int] = []

    def stop(signum: int) -> None:
        signalled.append(signum)
        task.cancel()

    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop, signum)
            installed.append(signum)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    try:
        return await command()
    except asyncio.CancelledError:
        if not signalled:
            raise
        task.uncancel()
        if on_interrupt is not None:
            on_interrupt()
        return EXIT_INTERRUPTED
    except PipeClosed:
        return quiet_exit_for_closed_pipe()
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


def interrupted_note(writer: RowWriter, what: str = "rows") -> Callable[[], None]:
    """The stderr line of an interrupted command: how much was printed."""
    def note() -> None:
        say(f"amratings: interrupted; {writer.count} {what} printed")
    return note


class ProgressBar:
    """Rich's progress bar on stderr: items and pages done of the total, rate, time left.
    Shown only when ``enabled`` (stderr is a terminal and no ``-q``); otherwise every call
    does nothing and Rich is not imported."""

    def __init__(self, description: str, *, enabled: bool) -> None:
        self.enabled = enabled
        self._description = description
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    @staticmethod
    def wanted(quiet: bool) -> bool:
        """True when a bar may be drawn: stderr is a terminal and ``-q`` was not given."""
        return not quiet and _isatty(sys.stderr)

    def __enter__(self) -> ProgressBar:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}", markup=False), BarColumn(),
                MofNCompleteColumn(), TextColumn("items", markup=False),
                TextColumn("{task.fields[pages]}", markup=False),
                TextColumn("{task.fields[rate]}", markup=False), TimeRemainingColumn(),
                # The terminal itself, not a wrapper that would neutralise the bar's own
                # escape codes; rows printed to a terminal stdout meanwhile go above the bar.
                console=Console(file=sys.__stderr__ or sys.stderr), transient=True,
                redirect_stdout=_isatty(sys.stdout), redirect_stderr=False)
            self._progress.start()
            self._task = self._progress.add_task(self._description, total=None, pages="",
                                                 rate="")
        return self

    def update(self, done: int, total: int | None, pages_done: int | None = None,
               pages_total: int | None = None) -> None:
        """Move the bar: ``done`` of ``total`` items (and pages, for a walk)."""
        if self._progress is None or self._task is None:
            return
        pages = ""
        if pages_done is not None:
            pages = f"{pages_done}/{pages_total if pages_total is not None else '?'} pages"
        self._progress.update(self._task, completed=done, total=total, pages=pages)
        task = self._progress.tasks[0]
        speed = task.speed
        self._progress.update(self._task, rate=f"{speed:,.0f}/s" if speed else "")

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
