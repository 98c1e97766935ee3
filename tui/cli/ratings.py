"""``amratings get | set | clear``: the ratings commands of the command-line contract.

``get --json`` prints a list, one object per requested id in input order::

    {"id": "i.NJv00rkTEaLK51", "type": "library-music-videos", "value": 1, "rating": "like"}

with ``value`` 1/-1/null and ``rating`` "like"/"dislike"/null; a failed id also carries
``"error": {"status", "code", "title", "detail", ...}``. ``--names`` adds ``"name"``,
``"artist"`` and ``"album"`` (null when Apple has no match). ``--jsonl`` prints the same objects
one per line as they arrive (in input order); ``--csv`` a header row and the same fields (plus
``error``). ``set`` and ``clear`` take many ids (the rating is the last word of ``set``), send
one PUT / DELETE per id with ``--concurrency`` in flight and print the same objects in input
order (``clear`` adds ``"cleared": true|false``).

Interrupted (Ctrl-C, SIGTERM), every form prints what arrived and the command exits 130.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tui.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from tui.cli.common import (
    check_base_url,
    print_error,
    print_exchange,
    resolve_tokens,
    say,
    setup_logging,
    warn_if_not_apple,
)
from tui.cli.output import Column, ProgressBar, RowWriter, interrupted_note, run_interruptible

if TYPE_CHECKING:
    from tui.api.client import RatingsClient
    from tui.api.errors import AmRatingsError
    from tui.api.library_models import LibraryItem
    from tui.api.models import RatingResult
    from tui.api.types import RatingType
    from tui.config import AppConfig

_VALUES = {"like": 1, "dislike": -1}
RESULT_FIELDS = ("id", "type", "value", "rating", "error")
NAMED_FIELDS = ("id", "type", "name", "artist", "album", "value", "rating", "error")


def add_output_options(parser: argparse.ArgumentParser, *, csv: bool = True) -> None:
    """``--json`` / ``--jsonl`` (/ ``--csv``), one at most; the form lands in ``args.form``."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", dest="form", action="store_const", const="json",
                       help="print one JSON array (still valid when interrupted)")
    group.add_argument("--jsonl", dest="form", action="store_const", const="jsonl",
                       help="print one JSON object per line, as results arrive")
    if csv:
        group.add_argument("--csv", dest="form", action="store_const", const="csv",
                           help="print CSV with a header row")
    parser.set_defaults(form="text")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                parents: list[argparse.ArgumentParser]) -> None:
    """Add ``get``, ``set`` and ``clear`` to the subcommands."""
    get = sub.add_parser("get", parents=parents, help="look up ratings",
                         description="Look up the ratings of one or many ids. Ids are split on "
                                     "whitespace and commas; '-' reads them from stdin.")
    add_output_options(get)
    get.add_argument("--names", action="store_true",
                     help="add name, artist and album (library lookups for library types, "
                          "catalog lookups in your storefront for catalog types)")
    get.add_argument("--include", metavar="LIST",
                     help="the include query parameter, comma-separated names, sent as given")
    get.add_argument("--extend", metavar="LIST",
                     help="the extend query parameter, comma-separated names, sent as given")
    get.add_argument("ids", nargs="+", metavar="ID", help="ids, or - to read them from stdin")
    put = sub.add_parser("set", parents=parents, help="like or dislike items",
                         description="Set the rating of one or many ids to like or dislike "
                                     "(the rating is the last word). One PUT per id, "
                                     "--concurrency in flight; results in input order.")
    add_output_options(put, csv=False)
    put.add_argument("words", nargs="+", metavar="ID... | - like|dislike",
                     help="ids (or - to read them from stdin), then like or dislike "
                          "(to remove a rating use clear)")
    clear = sub.add_parser("clear", parents=parents, help="remove ratings",
                           description="Remove the rating of one or many ids (DELETE). An id "
                                       "with no rating is 'already cleared', not an error.")
    add_output_options(clear, csv=False)
    clear.add_argument("ids", nargs="+", metavar="ID", help="ids, or - to read them from stdin")


def prepare(args: argparse.Namespace, config: AppConfig) -> int | None:
    """Logging and the base URL for a ratings or library command; an exit status when the
    base URL is refused (exit 2), else None."""
    from tui.api.errors import AmRatingsError

    setup_logging(config.verbose)
    try:
        if config.demo:
            # The demo never touches the network: a base URL from the environment or the
            # config file is irrelevant and must not make the embedded simulation fail.
            from tui.api.urls import DEFAULT_BASE_URL

            config.base_url = DEFAULT_BASE_URL
        else:
            config.base_url = check_base_url(config.base_url)
    except AmRatingsError as exc:
        print_error(exc)
        return EXIT_USAGE
    return None


def read_ids(raw: Sequence[str], rating_type: RatingType) -> list[str] | int:
    """Ids from arguments (``-`` reads stdin), split on whitespace and commas and checked
    against the type; exit status 2 (after saying why) when one is wrong or none is given."""
    from tui.api.types import id_problem, quote_id, split_ids

    ids: list[str] = []
    for piece in raw:
        if piece == "-":
            ids.extend(split_ids(sys.stdin.read()))
        else:
            ids.extend(split_ids(piece) or [piece])
    if not ids:
        say("amratings: error: no ids given (stdin was empty)")
        return EXIT_USAGE
    bad = [(i, p) for i in ids if (p := id_problem(i, rating_type)) is not None]
    for item_id, problem in bad[:20]:
        say(f"amratings: error: invalid id {quote_id(item_id)}: {problem}")
    if len(bad) > 20:
        say(f"amratings: error: ... and {len(bad) - 20} more invalid ids")
    if bad:
        say("hint: ids are 1-256 letters, digits, '.', '-' or '_'; nothing was sent")
        return EXIT_USAGE
    return ids


def run(args: argparse.Namespace, config: AppConfig) -> int:
    """Validate everything, then run the command; return the exit status."""
    from tui.api.errors import AmRatingsError
    from tui.api.library import parse_parameter_names
    from tui.api.types import DEFAULT_TYPE, parse_rating_type

    status = prepare(args, config)
    if status is not None:
        return status
    include: list[str] | None = None
    extend: list[str] | None = None
    try:
        rating_type = parse_rating_type(args.rating_type or config.rating_type or DEFAULT_TYPE)
        if args.command == "get":
            if args.include is not None:
                include = parse_parameter_names(args.include, "--include")
            if args.extend is not None:
                extend = parse_parameter_names(args.extend, "--extend")
    except AmRatingsError as exc:
        print_error(exc)
        return EXIT_USAGE

    value: int | None = None
    raw = args.ids if args.command in ("get", "clear") else args.words[:-1]
    if args.command == "set":
        value = _VALUES.get(args.words[-1].lower())
        if value is None or not raw:
            what = args.words[-1]
            if value is None:
                say(f"amratings: error: the last word must be 'like' or 'dislike', not {what!r}")
            else:
                say("amratings: error: set needs at least one id before the rating")
            say("hint: amratings set ID... like|dislike; to remove a rating use "
                "`amratings clear ID...`")
            return EXIT_USAGE
    ids = read_ids(raw, rating_type)
    if isinstance(ids, int):
        return ids

    tokens = resolve_tokens(config)
    if isinstance(tokens, int):
        return tokens
    warn_if_not_apple(config)
    developer_token, user_token = tokens
    fields = NAMED_FIELDS if getattr(args, "names", False) else RESULT_FIELDS
    columns = [Column("ID"), Column("TYPE"), Column("RATING")]
    if getattr(args, "names", False):
        columns += [Column("NAME"), Column("ARTIST"), Column("ALBUM")]
    writer = RowWriter(args.form, fields, columns)

    async def command() -> int:
        return await _run(args, config, rating_type, ids, value, include, extend, writer,
                          developer_token, user_token)

    return run_interruptible(command, interrupted_note(writer, "results"))


async def _run(args: argparse.Namespace, config: AppConfig, rating_type: RatingType,
               ids: list[str], value: int | None, include: list[str] | None,
               extend: list[str] | None, writer: RowWriter, developer_token: str,
               user_token: str) -> int:
    from tui.api.errors import AmRatingsError
    from tui.backend import make_client

    client: RatingsClient = make_client(
        config, developer_token, user_token,
        on_exchange=print_exchange if config.verbose else None)
    failures: list[RatingResult] = []
    name_failures: list[tuple[list[str], AmRatingsError]] = []
    try:
        async with client:
            try:
                if args.command == "get":
                    await _get(client, rating_type, ids, include, extend,
                               getattr(args, "names", False), writer, failures, name_failures)
                else:
                    await _bulk(client, args.command, rating_type, ids, value, writer, failures,
                                ProgressBar.wanted(getattr(args, "quiet", False)))
            except AmRatingsError as exc:
                if exc.exit_code != EXIT_USAGE:
                    raise
                writer.discard()
                print_error(exc)
                return EXIT_USAGE
    finally:
        writer.close()
    report_failures(failures, developer_token)
    for batch, error in name_failures:
        what = batch[0] if len(batch) == 1 else f"names of {len(batch)} ids"
        print_error(error, developer_token, prefix=f"amratings: error ({what}): ")
    return EXIT_FAILED if failures or name_failures else EXIT_OK


def result_object(result: RatingResult, item: LibraryItem | None = None,
                  names: bool = False) -> dict[str, Any]:
    """The JSON object of one result (``get``, ``set``, ``clear``), with names if asked."""
    out = result.to_json()
    if names:
        out = {"id": out["id"], "type": out["type"],
               "name": item.name if item else None, "artist": item.artist if item else None,
               "album": item.album if item else None,
               **{k: v for k, v in out.items() if k not in ("id", "type")}}
    if result.cleared is not None:
        out["cleared"] = result.cleared
    return out


def result_cells(result: RatingResult, item: LibraryItem | None = None,
                 names: bool = False) -> list[str]:
    """The text-table cells of one result."""
    cells = [result.id, result.type, state_word(result)]
    if names:
        cells += [(item.name or "") if item else "", (item.artist or "") if item else "",
                  (item.album or "") if item else ""]
    return cells


def state_word(result: RatingResult) -> str:
    """``Liked`` / ``Disliked`` / ``Not rated`` / ``Cleared`` / ``Failed (kind, HTTP n)``."""
    if result.error is not None:
        state = f"Failed ({result.error.kind}"
        return state + (f", HTTP {result.error.status})" if result.error.status else ")")
    if result.cleared is not None:
        return "Cleared" if result.cleared else "Already cleared"
    return result.word


async def _get(client: RatingsClient, rating_type: RatingType, ids: list[str],
               include: list[str] | None, extend: list[str] | None, names: bool,
               writer: RowWriter, failures: list[RatingResult],
               name_failures: list[tuple[list[str], AmRatingsError]]) -> None:
    """Ratings (and names) of ``ids``, printed in input order as the prefix completes."""
    from tui.api.library import LibraryService

    service = LibraryService(client)
    arrived: dict[str, RatingResult] = {}
    items: dict[str, LibraryItem] = {}
    printed = 0
    names_ready = asyncio.Event()
    if not names:
        names_ready.set()

    def flush(everything: bool = False) -> None:
        nonlocal printed
        while printed < len(ids):
            result = arrived.get(ids[printed])
            if result is None or not names_ready.is_set():
                if not everything:
                    return
                if result is None:
                    printed += 1
                    continue
            item = items.get(result.id)
            writer.write(result_object(result, item, names), result_cells(result, item, names))
            if result.error is not None:
                failures.append(result)
            printed += 1

    def on_results(batch: list[RatingResult]) -> None:
        for result in batch:
            arrived[result.id] = result
        flush()

    async def look_up_names() -> None:
        found, failed = await service.lookup_items(rating_type, ids)
        items.update(found)
        name_failures.extend(failed)
        names_ready.set()
        flush()

    naming = asyncio.ensure_future(look_up_names()) if names else None
    try:
        results = await client.get_ratings(rating_type, ids, include=include, extend=extend,
                                           on_results=on_results, gate=service.gate)
        for result in results:
            arrived.setdefault(result.id, result)
        if naming is not None:
            await naming
    finally:
        if naming is not None and not naming.done():
            naming.cancel()
            await asyncio.gather(naming, return_exceptions=True)
        flush(everything=True)


async def _bulk(client: RatingsClient, command: str, rating_type: RatingType, ids: list[str],
                value: int | None, writer: RowWriter, failures: list[RatingResult],
                show_progress: bool) -> None:
    """``set`` / ``clear`` of many ids, printed in input order."""
    from contextlib import aclosing

    from tui.api.library import LibraryService

    service = LibraryService(client)
    if command == "set":
        assert value is not None
        results = service.set_many(rating_type, ids, value)
    else:
        results = service.clear_many(rating_type, ids)
    what = "liking" if value == 1 else "disliking" if value == -1 else "clearing"
    with ProgressBar(what, enabled=show_progress and len(ids) > 1) as bar:
        async with aclosing(results) as each:
            async for result in each:
                writer.write(result_object(result), result_cells(result))
                if result.error is not None:
                    failures.append(result)
                bar.update(writer.count, len(ids))


def report_failures(failures: Sequence[RatingResult], developer_token: str) -> None:
    """One stderr line per distinct error (a batch error is shared by its ids), naming the
    id, or how many ids it hit."""
    groups: dict[int, list[RatingResult]] = {}
    for result in failures:
        groups.setdefault(id(result.error), []).append(result)
    for hit in groups.values():
        error = hit[0].error
        assert error is not None
        what = hit[0].id if len(hit) == 1 else f"{len(hit)} ids"
        print_error(error, developer_token, prefix=f"amratings: error ({what}): ")
