"""``--har FILE``: any command (and the TUI) saves the requests it sent as a HAR 1.2 file.

The recorder hooks the one client factory (:func:`tui.backend.make_client`), so every command
that sends requests is covered without knowing about HAR. The file is written when the command
ends, also when it failed or was interrupted: that is when it is wanted most.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from tui.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from tui.har import start_recording, stop_recording, write_har


def with_har(args: argparse.Namespace, run: Callable[[], int]) -> int:
    """Run ``run`` while recording; then write ``args.har``. Exit 2 before anything is sent
    when the file cannot be created there; 1 when writing it failed at the end."""
    from tui.cli.common import say

    path = Path(args.har)
    problem = _path_problem(path)
    if problem:
        say(f"amratings: error: cannot write the HAR file {str(path)!r}: {problem}")
        return EXIT_USAGE
    recorder = start_recording()
    status = EXIT_FAILED
    try:
        status = run()
    finally:
        stop_recording()
        reveal = sorted(recorder.tokens) if args.har_include_tokens else []
        try:
            count = write_har(path, recorder.exchanges, reveal=reveal)
        except OSError as exc:
            say(f"amratings: error: could not write the HAR file {str(path)!r}: "
                f"{exc.strerror or exc}")
            status = status if status != EXIT_OK else EXIT_FAILED
        else:
            what = ("WITH the real tokens; readable by you only" if reveal
                    else "tokens redacted")
            plural = "" if count == 1 else "s"
            say(f"amratings: saved {count} request{plural} to {str(path)!r} as HAR ({what})",
                sys.stderr)
    return status


def _path_problem(path: Path) -> str | None:
    if path.is_dir():
        return "it is a folder"
    if not path.parent.is_dir():
        return f"the folder {str(path.parent)!r} does not exist"
    return None
