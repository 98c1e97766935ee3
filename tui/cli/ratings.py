"""``amratings get | set | clear``: the ratings commands of the command-line contract.

``get --json`` prints a list, one object per requested id in input order::

    {"id": "i.NJv00rkTEaLK51", "type": "library-music-videos", "value": 1, "rating": "like"}

with ``value`` 1/-1/null and ``rating`` "like"/"dislike"/null; a failed id also carries
``"error": {"status", "code", "title", "detail", ...}``. ``set --json`` and ``clear --json``
print the same object for their id (``clear`` adds ``"cleared": true|false``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING

from tui.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from tui.cli.common import (
    check_base_url,
    print_error,
    print_exchange,
    redact_known,
    resolve_tokens,
    say,
    setup_logging,
    warn_if_not_apple,
)

if TYPE_CHECKING:
    from tui.api.client import RatingsClient
    from tui.api.models import RatingResult
    from tui.config import AppConfig

_VALUES = {"like": 1, "dislike": -1}


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                parents: list[argparse.ArgumentParser]) -> None:
    """Add ``get``, ``set`` and ``clear`` to the subcommands."""
    get = sub.add_parser("get", parents=parents, help="look up ratings",
                         description="Look up the ratings of one or many ids. Ids are split on "
                                     "whitespace and commas; '-' reads them from stdin.")
    get.add_argument("--json", action="store_true", help="print JSON (one object per id)")
    get.add_argument("ids", nargs="+", metavar="ID", help="ids, or - to read them from stdin")
    put = sub.add_parser("set", parents=parents, help="like or dislike an item",
                         description="Set the rating of one id to like or dislike.")
    put.add_argument("--json", action="store_true", help="print JSON")
    put.add_argument("id", metavar="ID")
    put.add_argument("rating", metavar="like|dislike",
                     help="like or dislike (to remove a rating use clear)")
    clear = sub.add_parser("clear", parents=parents, help="remove a rating",
                           description="Remove the rating of one id (DELETE). An id with no "
                                       "rating is 'already cleared', not an error.")
    clear.add_argument("--json", action="store_true", help="print JSON")
    clear.add_argument("id", metavar="ID")


def run(args: argparse.Namespace, config: AppConfig) -> int:
    """Validate everything, then run the command; return the exit status."""
    from tui.api.errors import AmRatingsError
    from tui.api.types import DEFAULT_TYPE, id_problem, parse_rating_type, quote_id, split_ids

    setup_logging(config.verbose)
    try:
        rating_type = parse_rating_type(args.rating_type or config.rating_type or DEFAULT_TYPE)
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

    raw = args.ids if args.command == "get" else [args.id]
    ids: list[str] = []
    for piece in raw:
        if piece == "-" and args.command == "get":
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
    if args.command == "set":
        value = _VALUES.get(args.rating.lower())
        if value is None:
            say(f"amratings: error: rating must be 'like' or 'dislike', not {args.rating!r}")
            say("hint: to remove a rating use `amratings clear ID`")
            return EXIT_USAGE
    if args.command != "get" and len(ids) != 1:
        say(f"amratings: error: {args.command} takes exactly one id, got {len(ids)}")
        return EXIT_USAGE

    tokens = resolve_tokens(config)
    if isinstance(tokens, int):
        return tokens
    warn_if_not_apple(config)
    developer_token, user_token = tokens
    return asyncio.run(_run(args, config, rating_type.value, ids, developer_token, user_token))


async def _run(args: argparse.Namespace, config: AppConfig, rating_type: str, ids: list[str],
               developer_token: str, user_token: str) -> int:
    from tui.api.errors import AmRatingsError
    from tui.backend import make_client

    client: RatingsClient = make_client(
        config, developer_token, user_token,
        on_exchange=print_exchange if config.verbose else None)
    async with client:
        try:
            if args.command == "get":
                results = await client.get_ratings(rating_type, ids)
                return _report(results, args.json, developer_token)
            if args.command == "set":
                result = await client.set_rating(rating_type, ids[0], _VALUES[args.rating.lower()])
            else:
                result = await client.clear_rating(rating_type, ids[0])
        except AmRatingsError as exc:
            if exc.exit_code == EXIT_USAGE:
                print_error(exc)
                return EXIT_USAGE
            from tui.api.models import RatingResult

            # A failure that escapes a command applies to every id it was asked about.
            wanted = ids if args.command == "get" else ids[:1]
            failed = [RatingResult(i, rating_type, None, error=exc) for i in wanted]
            return _report(failed, args.json, developer_token)
        return _report([result], args.json, developer_token)


def _report(results: list[RatingResult], as_json: bool, developer_token: str) -> int:
    if as_json:
        payload = []
        for result in results:
            item = result.to_json()
            if result.cleared is not None:
                item["cleared"] = result.cleared
            payload.append(item)
        # Scrubbed like stderr: an error object carries text the server chose.
        sys.stdout.write(redact_known(json.dumps(payload, indent=2)) + "\n")
    else:
        _print_table(results)
    failures = [r for r in results if r.error is not None]
    seen: set[int] = set()
    for result in failures:
        # One batch error is shared by all its ids: say it once, with the ids it hit.
        error = result.error
        assert error is not None
        if id(error) in seen:
            continue
        seen.add(id(error))
        hit = [r.id for r in failures if r.error is error]
        what = hit[0] if len(hit) == 1 else f"{len(hit)} ids"
        print_error(error, developer_token, prefix=f"amratings: error ({what}): ")
    sys.stdout.flush()
    return EXIT_FAILED if failures else EXIT_OK


def _print_table(results: list[RatingResult]) -> None:
    if not results:
        return
    width = max(len("ID"), *(len(r.id) for r in results))
    type_width = max(len("TYPE"), *(len(r.type) for r in results))
    lines = [f"{'ID':<{width}}  {'TYPE':<{type_width}}  RATING"]
    for r in results:
        if r.error is not None:
            state = f"Failed ({r.error.kind}"
            state += f", HTTP {r.error.status})" if r.error.status else ")"
        elif r.cleared is not None:
            state = "Cleared" if r.cleared else "Already cleared"
        else:
            state = r.word
        lines.append(f"{r.id:<{width}}  {r.type:<{type_width}}  {state}")
    sys.stdout.write(redact_known("\n".join(lines)) + "\n")
