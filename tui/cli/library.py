"""``amratings library | search | apply``: the whole library with its ratings, search, and
applying an export.

- ``library`` walks one library type (``--type``, default ``library-songs``) and prints one
  row per item: ``{"id", "type", "name", "artist", "album", "catalog_id", "value", "rating"}``
  (``"error"`` too when its rating could not be read). ``--rated`` filters, ``--max`` stops
  after that many printed rows.
- ``search`` prints the matches of a catalog (or ``--library``) search with their ratings, in
  the same objects.
- ``apply`` reads an export of ``library`` or ``get`` (a JSON array, JSON lines or CSV,
  detected), reads the current ratings and sends only the PUTs and DELETEs that make Apple
  match the file (a null rating clears). Rows that record a failed lookup are skipped.
  ``--dry-run`` prints the plan and sends nothing. Each printed object is
  ``{"id", "type", "action", "before", "value", "rating", "done"}`` (``value``/``rating``: what
  the file asks for; ``action``: like, dislike, clear, keep, failed), and the summary on
  stderr says how many were liked, disliked, cleared, already right and failed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

from tui.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from tui.cli.common import (
    print_error,
    print_exchange,
    resolve_tokens,
    say,
    warn_if_not_apple,
)
from tui.cli.output import Column, ProgressBar, RowWriter, interrupted_note, run_interruptible
from tui.cli.ratings import add_output_options, prepare, report_failures, state_word

if TYPE_CHECKING:
    from tui.api.client import RatingsClient
    from tui.api.library import ApplyOutcome, PlannedChange, WantedRating
    from tui.api.library_models import LibraryRow
    from tui.api.models import RatingResult
    from tui.config import AppConfig

#: An apply file larger than this is refused (an export of 20,000 items is about 5 MB).
MAX_APPLY_BYTES = 64 * 1024 * 1024
#: The CSV columns of library and search: the JSON fields, then why a rating could not be
#: read (empty when it was), so that ``apply`` never takes a failed lookup for "not rated".
CSV_FIELDS = ("id", "type", "name", "artist", "album", "catalog_id", "value", "rating", "error")
APPLY_FIELDS = ("id", "type", "action", "before", "value", "rating", "done", "error")
_RATED_CHOICES = ("all", "liked", "disliked", "rated", "unrated")


def _search_limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 25:
        raise argparse.ArgumentTypeError(f"must be 1-25 (Apple answers 400 above 25): {text!r}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                parents: list[argparse.ArgumentParser]) -> None:
    """Add ``library``, ``search`` and ``apply`` to the subcommands."""
    library = sub.add_parser(
        "library", parents=parents, help="list a whole library type with every rating",
        description="Walk the whole library of one type (--type: library-songs (default), "
                    "library-albums, library-music-videos, library-playlists) and print each "
                    "item with its rating: id, type, name, artist, album, catalog id, rating.")
    add_output_options(library)
    library.add_argument("--rated", choices=_RATED_CHOICES, default="all",
                         help="keep only these rows (default all)")
    library.add_argument("--max", type=_positive, metavar="N",
                         help="stop after N printed rows")
    search = sub.add_parser(
        "search", parents=parents, help="search the catalog or your library",
        description="Search the catalog in your storefront (or your library with --library) "
                    "and print the matches with their ratings. Without --type: songs, albums "
                    "and music videos (library: the four library types). --type takes a "
                    "comma-separated list.")
    add_output_options(search)
    search.add_argument("--library", action="store_true", help="search your library")
    search.add_argument("--limit", type=_search_limit, default=5, metavar="N",
                        help="matches per type, 1-25 (default 5)")
    search.add_argument("term", nargs="+", metavar="TERM")
    apply = sub.add_parser(
        "apply", parents=parents, help="make Apple match an export",
        description="Read an export of `library` or `get` (JSON array, JSON lines or CSV), "
                    "read the current ratings and send only the PUTs and DELETEs that make "
                    "Apple match it (a null rating clears). Rows recording a failed lookup "
                    "are skipped. Running it twice sends nothing the second time.")
    add_output_options(apply, csv=False)
    apply.add_argument("--dry-run", action="store_true",
                       help="print the plan and send nothing")
    apply.add_argument("file", metavar="FILE", help="the export, or - for stdin")


def run(args: argparse.Namespace, config: AppConfig) -> int:
    """Validate everything, then run ``library``, ``search`` or ``apply``."""
    status = prepare(args, config)
    if status is not None:
        return status
    if args.command == "library":
        return _library(args, config)
    if args.command == "search":
        return _search(args, config)
    return _apply(args, config)


def _tokens(config: AppConfig) -> tuple[str, str] | int:
    tokens = resolve_tokens(config)
    if not isinstance(tokens, int):
        warn_if_not_apple(config)
    return tokens


def _client(config: AppConfig, tokens: tuple[str, str]) -> RatingsClient:
    from tui.backend import make_client

    return make_client(config, tokens[0], tokens[1],
                       on_exchange=print_exchange if config.verbose else None)


# ---------------------------------------------------------------------- library


def _library(args: argparse.Namespace, config: AppConfig) -> int:
    from tui.api.errors import AmRatingsError, BadInputError
    from tui.api.library import LIBRARY_TYPES, RatedFilter
    from tui.api.types import RATING_TYPE_NAMES, RatingType, parse_rating_type

    try:
        rating_type = parse_rating_type(args.rating_type or RatingType.LIBRARY_SONGS.value)
        if rating_type not in LIBRARY_TYPES:
            hint = "choose one of: " + ", ".join(t.value for t in LIBRARY_TYPES)
            if f"library-{rating_type.value}" in RATING_TYPE_NAMES:
                hint = f"did you mean library-{rating_type.value}? " + hint
            raise BadInputError(f"library walks a library type, not {rating_type.value!r}",
                                hint=hint)
    except AmRatingsError as exc:
        print_error(exc)
        return EXIT_USAGE
    rated = RatedFilter(args.rated)
    tokens = _tokens(config)
    if isinstance(tokens, int):
        return tokens
    writer = RowWriter(args.form, CSV_FIELDS, [
        Column("ID", 16, clip=False), Column("RATING", 9), Column("NAME", 32),
        Column("ARTIST", 24), Column("ALBUM", 0)])
    show_progress = ProgressBar.wanted(args.quiet)

    async def command() -> int:
        from tui.api.library import LibraryService

        failures: list[RatingResult] = []
        async with _client(config, tokens) as client:
            service = LibraryService(client)
            with ProgressBar(rating_type.value, enabled=show_progress) as bar:
                walk = service.walk(rating_type, on_progress=lambda p: bar.update(
                    p.items_done, p.items_total, p.pages_done, p.pages_total))
                try:
                    async with aclosing(walk.__aiter__()) as pages:
                        async for rows in pages:
                            if _print_rows(rows, rated, writer, failures, args.max):
                                break
                except AmRatingsError as exc:
                    if exc.exit_code == EXIT_USAGE:
                        writer.discard()
                        print_error(exc)
                        return EXIT_USAGE
                    print_error(exc, tokens[0],
                                prefix=f"amratings: error (the {rating_type.value} listing "
                                       "could not be read): ")
                    return EXIT_FAILED
                finally:
                    writer.close()
        report_failures(failures, tokens[0])
        for failure in walk.failures:
            print_error(failure.error, tokens[0],
                        prefix=f"amratings: error ({failure.describe()}): ")
        return EXIT_FAILED if failures or walk.failures else EXIT_OK

    return run_interruptible(command, interrupted_note(writer))


def _print_rows(rows: list[LibraryRow], rated: Any, writer: RowWriter,
                failures: list[RatingResult], limit: int | None) -> bool:
    """Print the rows that pass the filter; True once ``limit`` rows are printed."""
    for row in rows:
        if limit is not None and writer.count >= limit:
            return True
        if row.rating.error is not None:
            failures.append(row.rating)
        if not rated.accepts(row):
            continue
        writer.write(row.to_json(), _row_cells(row, with_type=False))
    return limit is not None and writer.count >= limit


def _row_cells(row: LibraryRow, *, with_type: bool) -> list[str]:
    cells = [row.item.id]
    if with_type:
        cells.append(row.item.type)
    return [*cells, state_word(row.rating), row.item.name or "", row.item.artist or "",
            row.item.album or ""]


# ---------------------------------------------------------------------- search


def _search(args: argparse.Namespace, config: AppConfig) -> int:
    from tui.api.errors import AmRatingsError
    from tui.api.types import parse_rating_type

    term = " ".join(args.term).strip()
    try:
        types = None
        if args.rating_type:
            types = [parse_rating_type(t) for t in args.rating_type.split(",") if t.strip()]
        if not term:
            from tui.api.errors import BadInputError

            raise BadInputError("the search term is empty")
        for rtype in types or []:
            if rtype.is_library != args.library:
                from tui.api.errors import BadInputError

                raise BadInputError(
                    f"{rtype.value} is a {'library' if rtype.is_library else 'catalog'} type",
                    hint="library types need --library; catalog types go without it")
    except AmRatingsError as exc:
        print_error(exc)
        return EXIT_USAGE
    tokens = _tokens(config)
    if isinstance(tokens, int):
        return tokens
    writer = RowWriter(args.form, CSV_FIELDS, [
        Column("ID"), Column("TYPE"), Column("RATING"), Column("NAME"), Column("ARTIST"),
        Column("ALBUM")])

    async def command() -> int:
        from tui.api.library import LibraryService

        failures: list[RatingResult] = []
        async with _client(config, tokens) as client:
            try:
                rows = await LibraryService(client).search(
                    term, types=types, library=args.library, limit=args.limit)
            except AmRatingsError as exc:
                writer.discard()
                print_error(exc, tokens[0], prefix="amratings: error (search): ")
                return EXIT_USAGE if exc.exit_code == EXIT_USAGE else EXIT_FAILED
            try:
                for row in rows:
                    if row.rating.error is not None:
                        failures.append(row.rating)
                    writer.write(row.to_json(), _row_cells(row, with_type=True))
            finally:
                writer.close()
        if not rows and args.form == "text":
            say("amratings: no matches")
        report_failures(failures, tokens[0])
        return EXIT_FAILED if failures else EXIT_OK

    return run_interruptible(command, interrupted_note(writer))


# ---------------------------------------------------------------------- apply


class ApplyFileError(Exception):
    """The file to apply cannot be used; the message says where and why."""


def read_apply_file(text: str) -> tuple[list[WantedRating], int]:
    """The wanted ratings of an export (JSON array, JSON lines or CSV) and how many rows were
    skipped because they record a failed lookup. Raises :class:`ApplyFileError`."""
    from tui.api.errors import AmRatingsError
    from tui.api.library import WantedRating
    from tui.api.types import parse_rating_type, validate_id

    records = _records(text)
    wanted: dict[tuple[str, str], WantedRating] = {}
    problems: list[str] = []
    skipped = 0
    for where, record in records:
        if not isinstance(record, dict):
            problems.append(f"{where}: not an object")
            continue
        if record.get("error") not in (None, ""):
            skipped += 1
            continue
        item_id, type_name = record.get("id"), record.get("type")
        if not isinstance(item_id, str) or not isinstance(type_name, str):
            problems.append(f"{where}: needs \"id\" and \"type\" strings")
            continue
        try:
            rtype = parse_rating_type(type_name)
            validate_id(item_id, rtype)
            value = _wanted_value(record)
        except (AmRatingsError, ValueError) as exc:
            problems.append(f"{where}: {exc}")
            continue
        key = (rtype.value, item_id)
        if key in wanted and wanted[key].value != value:
            problems.append(f"{where}: {item_id} ({rtype.value}) appears earlier with "
                            "another rating")
            continue
        wanted.setdefault(key, WantedRating(rtype, item_id, value))
    if problems:
        shown = problems[:20]
        if len(problems) > 20:
            shown.append(f"... and {len(problems) - 20} more")
        raise ApplyFileError("\n".join(shown))
    return list(wanted.values()), skipped


def _records(text: str) -> list[tuple[str, Any]]:
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise ApplyFileError("the file is empty")
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except (ValueError, RecursionError) as exc:
            raise ApplyFileError(f"not a valid JSON array ({exc})") from None
        if not isinstance(data, list):
            raise ApplyFileError("not a JSON array")
        return [(f"item {n}", record) for n, record in enumerate(data, 1)]
    if stripped.startswith("{"):
        out = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.append((f"line {n}", json.loads(line)))
            except (ValueError, RecursionError):
                raise ApplyFileError(f"line {n}: not a JSON object") from None
        return out
    reader = csv.DictReader(io.StringIO(stripped))
    fields = reader.fieldnames or []
    if "id" not in fields or "type" not in fields or not ({"value", "rating"} & set(fields)):
        raise ApplyFileError("not JSON, and not CSV with a header naming id, type and value "
                             "or rating")
    return [(f"line {n}", dict(row)) for n, row in enumerate(reader, 2)]


def _wanted_value(record: dict[str, Any]) -> int | None:
    """The rating a record asks for: ``value`` (1, -1, null / empty) or else ``rating``
    (like, dislike, null / empty)."""
    if "value" in record:
        value = record["value"]
        if value in (None, ""):
            return None
        if isinstance(value, str) and value.strip() in ("1", "-1"):
            return int(value)
        if type(value) is int and value in (1, -1):
            return value
        raise ValueError(f"value must be 1, -1 or null, not {str(value)[:20]!r}")
    rating = record.get("rating")
    if rating in (None, ""):
        return None
    if isinstance(rating, str) and rating.strip().lower() in ("like", "dislike"):
        return 1 if rating.strip().lower() == "like" else -1
    raise ValueError(f"rating must be like, dislike or null, not {str(rating)[:20]!r}")


def _read_source(name: str) -> str:
    if name == "-":
        data = sys.stdin.buffer.read(MAX_APPLY_BYTES + 1)
    else:
        try:
            with open(name, "rb") as handle:
                data = handle.read(MAX_APPLY_BYTES + 1)
        except OSError as exc:
            raise ApplyFileError(f"cannot read {name}: {exc.strerror or exc}") from None
    if len(data) > MAX_APPLY_BYTES:
        raise ApplyFileError(f"larger than {MAX_APPLY_BYTES // (1024 * 1024)} MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ApplyFileError("not UTF-8 text") from None


_DONE_WORDS = {"like": "Liked", "dislike": "Disliked", "clear": "Cleared",
               "keep": "Already right"}
_PLAN_WORDS = {"like": "Would like", "dislike": "Would dislike", "clear": "Would clear",
               "keep": "Already right"}
_VALUE_WORDS = {1: "Liked", -1: "Disliked", None: "Not rated"}


def _apply(args: argparse.Namespace, config: AppConfig) -> int:
    try:
        text = _read_source(args.file)
        wanted, skipped = read_apply_file(text)
    except ApplyFileError as exc:
        where = "stdin" if args.file == "-" else os.path.basename(args.file)
        for n, line in enumerate(str(exc).splitlines()):
            say(f"amratings: error: {where}: {line}" if n == 0 else f"  {line}")
        say("hint: apply reads what `amratings library` or `amratings get` print with "
            "--json, --jsonl or --csv; nothing was sent")
        return EXIT_USAGE
    tokens = _tokens(config)
    if isinstance(tokens, int):
        return tokens
    writer = RowWriter(args.form, APPLY_FIELDS, [
        Column("ID", 16, clip=False), Column("TYPE", 20, clip=False), Column("NOW", 9),
        Column("WANTED", 9), Column("RESULT", 0)])
    counts = {"like": 0, "dislike": 0, "clear": 0, "keep": 0, "failed": 0}
    show_progress = ProgressBar.wanted(args.quiet)

    def summary() -> None:
        if args.dry_run:
            head = "apply (dry run, nothing sent): would like {like}, would dislike {dislike}, " \
                   "would clear {clear}"
        else:
            head = "apply: liked {like}, disliked {dislike}, cleared {clear}"
        line = "amratings: " + head.format(**counts) + \
            ", already right {keep}, failed {failed}".format(**counts)
        if skipped:
            line += f"; skipped {skipped} rows that record a failed lookup"
        say(line)

    async def command() -> int:
        from tui.api.errors import AmRatingsError
        from tui.api.library import LibraryService

        failures: list[RatingResult] = []
        async with _client(config, tokens) as client:
            service = LibraryService(client)
            try:
                try:
                    plan = await service.plan_apply(wanted)
                except AmRatingsError as exc:
                    writer.discard()
                    print_error(exc)
                    return EXIT_USAGE if exc.exit_code == EXIT_USAGE else EXIT_FAILED
                if args.dry_run:
                    for step in plan.steps:
                        _write_step(writer, step, None, counts, failures)
                else:
                    with ProgressBar("applying", enabled=show_progress) as bar:
                        async with aclosing(service.apply(plan)) as outcomes:
                            async for outcome in outcomes:
                                _write_step(writer, outcome.step, outcome, counts, failures)
                                bar.update(writer.count, len(plan.steps))
            finally:
                writer.close()
                summary()
        report_failures(failures, tokens[0])
        return EXIT_FAILED if failures else EXIT_OK

    return run_interruptible(command, interrupted_note(writer))


def _write_step(writer: RowWriter, step: PlannedChange, outcome: ApplyOutcome | None,
                counts: dict[str, int], failures: list[RatingResult]) -> None:
    want = step.wanted
    result = outcome.result if outcome is not None else step.current
    failed = step.action == "failed" or result.error is not None
    counts["failed" if failed else step.action] += 1
    if failed:
        failures.append(result)
        word = state_word(result)
    else:
        word = (_DONE_WORDS if outcome is not None else _PLAN_WORDS)[step.action]
    item: dict[str, Any] = {
        "id": want.id, "type": want.type.value, "action": step.action,
        "before": step.current.value if step.current.error is None else None,
        "value": want.value, "rating": {1: "like", -1: "dislike"}.get(want.value or 0),
        "done": outcome is not None and not failed and step.action != "keep",
    }
    if result.error is not None:
        item["error"] = result.error.to_json()
    now = "?" if step.current.error is not None else _VALUE_WORDS[step.current.value]
    writer.write(item, [want.id, want.type.value, now, _VALUE_WORDS[want.value], word])
