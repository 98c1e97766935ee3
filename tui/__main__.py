"""Entry point: ``amratings`` / ``python -m tui``.

No subcommand launches the TUI; ``get``, ``set``, ``clear``, ``library``, ``search``,
``apply`` and ``token`` run headless. Global
options are accepted before or after the subcommand. Only argparse and the config loader are
imported up front so the TUI can paint its first frame quickly; the service layer loads later.

Exit codes: 0 success (including "not rated" and "already cleared"), 1 the API or the network
failed, 2 bad input or missing configuration (found before any request is sent).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from tui import __version__
from tui.cli import EXIT_FAILED, EXIT_USAGE

if TYPE_CHECKING:
    from tui.config import AppConfig


_GLOBAL_DEFAULTS = {"demo": False, "base_url": None, "language": None, "timeout": None,
                    "verbose": False, "rating_type": None, "batch_size": None,
                    "concurrency": None, "har": None, "har_include_tokens": False,
                    "quiet": False}


class _Parser(argparse.ArgumentParser):
    """argparse with our exit code for usage errors and a one-line message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"amratings: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _language_tag(text: str) -> str:
    from tui.api.types import language_problem

    problem = language_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return text


def _global_options() -> argparse.ArgumentParser:
    # SUPPRESS defaults let the same options appear before and after the subcommand without
    # the subcommand's parser overwriting what was given before it.
    g = argparse.ArgumentParser(add_help=False)
    s = argparse.SUPPRESS
    g.add_argument("--demo", action="store_true", default=s,
                   help="use the embedded simulated API and demo tokens (no network, no tokens)")
    g.add_argument("--base-url", metavar="URL", default=s,
                   help="API base URL (env APPLE_MUSIC_API_BASE_URL; default "
                        "https://api.music.apple.com). https only, except http to loopback")
    g.add_argument("-l", "--language", metavar="TAG", type=_language_tag, default=s,
                   help="the `l` query parameter (a language tag such as en-US)")
    g.add_argument("--timeout", metavar="SECONDS", type=_positive_float, default=s,
                   help="per-request timeout in seconds (default 10)")
    g.add_argument("-v", "--verbose", action="store_true", default=s,
                   help="one line per request and response on stderr, tokens redacted")
    g.add_argument("-q", "--quiet", action="store_true", default=s,
                   help="no progress bar on stderr (it shows only on a terminal anyway)")
    g.add_argument("--type", dest="rating_type", metavar="TYPE", default=s,
                   help="rating type (default library-music-videos); one of: albums songs "
                        "music-videos playlists stations library-albums library-songs "
                        "library-music-videos library-playlists")
    g.add_argument("--batch-size", type=_positive_int, metavar="N", default=s,
                   help="ids per multi-get request (default 100)")
    g.add_argument("--concurrency", type=_positive_int, metavar="N", default=s,
                   help="multi-get requests in flight at once (default 4)")
    g.add_argument("--har", metavar="FILE", default=s,
                   help="also save every request and response of the run to FILE as HAR 1.2 "
                        "(tokens replaced by their fingerprint)")
    g.add_argument("--har-include-tokens", action="store_true", default=s,
                   help="put the real tokens in the --har file (written 0600)")
    return g


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: global options, ``get``/``set``/``clear`` and ``token``."""
    from tui.cli import library as library_cli
    from tui.cli import ratings as ratings_cli
    from tui.cli import serve as serve_cli
    from tui.cli import tokens as token_cli

    common = _global_options()
    parser = _Parser(
        prog="amratings",
        parents=[common],
        description="Set up and debug Apple Music API tokens; look up, set and clear personal "
                    "ratings. Without a command, starts the terminal UI.",
        epilog="Tokens come from APPLE_MUSIC_DEVELOPER_TOKEN / APPLE_MUSIC_USER_TOKEN, then the "
               "keyring (see `amratings token --help`); never from arguments.",
    )
    parser.add_argument("--version", action="version", version=f"amratings {__version__}")
    # _Parser only changes how usage errors exit; the command modules take any ArgumentParser.
    sub = cast("argparse._SubParsersAction[argparse.ArgumentParser]",
               parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser))
    ratings_cli.add_parsers(sub, [common])
    library_cli.add_parsers(sub, [common])
    token_cli.add_parser(sub, [common])
    serve_cli.add_parser(sub, [common])
    return parser


class _NotGlobalOnly(Exception):
    """The command line is more than global options: the full parser must handle it."""


class _GlobalOnlyParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _NotGlobalOnly(message)


def _parse_global_only(argv: list[str]) -> argparse.Namespace | None:
    """The TUI's command line (global options only) parsed without importing the commands'
    modules, or None for anything else: a command, --help, --version, an abbreviated option,
    an error. The full parser then parses it, with its own messages and exit codes.

    Why: building the full parser imports every command's module (token storage, logging,
    the CLI helpers), which the TUI's first frame does not need.
    """
    # No abbreviations here: "--ver" must stay ambiguous (--verbose/--version) as in the full
    # parser, not quietly mean --verbose.
    parser = _GlobalOnlyParser(add_help=False, allow_abbrev=False, parents=[_global_options()])
    try:
        args = parser.parse_args(argv)
    except _NotGlobalOnly:
        return None
    args.command = None
    return args


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse ``argv`` and fill in the global defaults."""
    arg_list = list(sys.argv[1:] if argv is None else argv)
    args = _parse_global_only(arg_list) or build_parser().parse_args(arg_list)
    for key, value in _GLOBAL_DEFAULTS.items():
        if not hasattr(args, key):
            setattr(args, key, value)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run amratings; return the exit status."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        sys.stderr.write("amratings: interrupted\n")
        return 130


def _main(argv: Sequence[str] | None) -> int:
    from tui.config import ConfigFileError, build_config, config_path, read_config_file

    args = parse_args(argv)
    try:
        path = config_path()
        config = build_config(
            read_config_file(path), path, demo=args.demo or None, base_url=args.base_url,
            language=args.language, timeout=args.timeout, verbose=args.verbose or None,
            rating_type=args.rating_type, batch_size=args.batch_size,
            concurrency=args.concurrency)
    except ConfigFileError as exc:
        from tui.sanitize import clean

        sys.stderr.write(clean(f"amratings: error: {exc}") + "\n")
        return EXIT_USAGE
    if config.warnings and args.command is not None:  # the TUI shows them as notifications
        from tui.sanitize import clean

        for warning in config.warnings:
            sys.stderr.write(clean(f"amratings: warning: {warning}") + "\n")
    if args.har is None and args.har_include_tokens:
        sys.stderr.write("amratings: error: --har-include-tokens needs --har FILE\n")
        return EXIT_USAGE
    if args.har is not None and args.command != "serve":  # serve refuses it itself
        from tui.cli.har import with_har

        return with_har(args, lambda: _run_command(args, config))
    return _run_command(args, config)


def _run_command(args: argparse.Namespace, config: AppConfig) -> int:
    if args.command is None:
        return _run_tui(config)
    from tui.sanitize import safe_streams

    with safe_streams():  # whatever a command prints reaches the terminal as text
        if args.command == "token":
            from tui.cli import tokens as token_cli

            return _guarded(lambda: token_cli.run(args, config))
        if args.command == "serve":
            from tui.cli import serve as serve_cli

            return _guarded(lambda: serve_cli.run(args, config))
        if args.command in ("library", "search", "apply"):
            from tui.cli import library as library_cli

            return _guarded(lambda: library_cli.run(args, config))
        from tui.cli import ratings as ratings_cli

        return _guarded(lambda: ratings_cli.run(args, config))


def _run_tui(config: AppConfig) -> int:
    if not (config.demo and _known_type(config.rating_type)):
        # The checks and their messages live with the commands. The demo with a valid type
        # passes them by definition, so its first frame need not import the CLI helpers.
        from tui.cli.common import check_rating_type_and_url

        status = check_rating_type_and_url(config)
        if status:
            return status
    from tui.app import run_app

    return run_app(config)


def _known_type(name: str) -> bool:
    """True when ``name`` is one of the nine rating types (the app imports this module too)."""
    from tui.api.errors import AmRatingsError
    from tui.api.types import parse_rating_type

    try:
        parse_rating_type(name)
    except AmRatingsError:
        return False
    return True


def _guarded(run: Callable[[], int]) -> int:
    """Run a command; an unexpected exception becomes one line on stderr, not a traceback."""
    try:
        return run()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BrokenPipeError:
        # The reader went away (``| head``) in a command that writes without the guarded
        # writer: end quietly with the conventional status, as the others do.
        from tui.cli.output import quiet_exit_for_closed_pipe

        return quiet_exit_for_closed_pipe()
    except Exception as exc:
        if os.environ.get("AMRATINGS_DEBUG"):
            raise
        from tui.cli.common import redact_known

        sys.stderr.write(f"amratings: unexpected error ({type(exc).__name__}): "
                         f"{redact_known(str(exc))}\n"
                         "hint: this is a bug in amratings; AMRATINGS_DEBUG=1 shows the "
                         "traceback (tokens may appear in it)\n")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
