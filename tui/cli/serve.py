"""``amratings [GLOBAL] serve [--host 127.0.0.1] [--port 8000]``: the terminal UI in a web page.

Built on textual-serve (the optional extra ``amratings[serve]``): each browser tab that opens
the page starts its own ``amratings`` process (the plain app, with the same global options,
never ``serve`` again) and talks to it over a websocket. The page is served with this package's
copy of textual-serve's page template, which takes the font from textual-serve's own static
files instead of a web font service, so the page works on a closed network.

The page has no authentication, and everything typed in it (tokens included) goes to the
process on this machine. So it listens on loopback unless ``--host`` says otherwise, and then
both this command and the app in the page say so.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from tui.cli.common import check_rating_type_and_url, say

if TYPE_CHECKING:
    from tui.config import AppConfig

#: How to get textual-serve, said when it is missing.
INSTALL_LINE = "pip install 'amratings[serve]'"
#: Set for the served app when the page is reachable from other machines (the host it listens
#: on): the app then warns on start (:mod:`tui.screens.served_warning`).
SERVED_HOST_ENV = "AMRATINGS_SERVED_HOST"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TEMPLATES = Path(__file__).resolve().parent / "serve_page"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
               parents: list[argparse.ArgumentParser]) -> None:
    """Add ``serve`` to the subcommands."""
    serve = sub.add_parser(
        "serve", parents=parents, help="serve the terminal UI in a web page",
        description="Serve the terminal UI in a web page (needs the optional extra: "
                    f"{INSTALL_LINE}). Each browser tab runs its own app with the global "
                    "options given here; try `amratings --demo serve`. The page has no "
                    "authentication: it listens on this machine only unless --host says "
                    "otherwise.")
    serve.add_argument("--host", default=DEFAULT_HOST,
                       help=f"address to listen on (default {DEFAULT_HOST}: this machine only)")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT,
                       help=f"port to listen on (default {DEFAULT_PORT})")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535: {text!r}")
    return value


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def app_command(args: argparse.Namespace, python: str = sys.executable) -> list[str]:
    """The command each page runs: the plain app with the global options of this run."""
    command = [python, "-m", "tui"]
    if args.demo:
        command.append("--demo")
    for option, value in (("--base-url", args.base_url), ("--language", args.language),
                          ("--timeout", args.timeout), ("--type", args.rating_type),
                          ("--batch-size", args.batch_size),
                          ("--concurrency", args.concurrency)):
        if value is not None:
            command += [option, str(value)]
    if args.verbose:
        command.append("--verbose")
    return command


def network_warning(host: str, port: int) -> str:
    """What the command and the app in the page say when the page is open to the network."""
    return (f"the page at {host}:{port} can be opened from other machines and has no "
            "authentication: anyone who reaches it uses the app on this machine, with the "
            "tokens stored here, and tokens typed in the page travel to this machine's "
            "amratings process. To show it to others, use `amratings --demo serve`.")


def run(args: argparse.Namespace, config: AppConfig) -> int:
    """Serve until Ctrl+C; exit 2 when textual-serve is missing or an option is wrong."""
    if getattr(args, "har", None):
        say("amratings: error: --har does not apply to serve (each page is its own process)")
        say("hint: in the page, press h in the request inspector to download a HAR file")
        return EXIT_USAGE
    status = check_rating_type_and_url(config)
    if status:
        return status
    try:
        from textual_serve.server import Server
    except ImportError:
        say("amratings: error: `serve` needs textual-serve, which is not installed")
        say(f"hint: install it with: {INSTALL_LINE}")
        return EXIT_USAGE

    host, port = args.host, args.port
    if is_loopback(host):
        os.environ.pop(SERVED_HOST_ENV, None)
    else:
        say(f"amratings: warning: {network_warning(host, port)}")
        os.environ[SERVED_HOST_ENV] = f"{host}:{port}"

    class PageServer(Server):
        async def handle_index(self, request: Any) -> Any:
            # Links in the page follow the address the browser used, so a page served on
            # 0.0.0.0 or behind a name works from another machine.
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

    server = PageServer(shlex.join(app_command(args)), host=host, port=port,
                        title="amratings" + (" --demo" if args.demo else ""),
                        templates_path=TEMPLATES)
    try:
        server.serve()
    except OSError as exc:
        say(f"amratings: error: cannot serve on {host}:{port}: {exc.strerror or exc}")
        return EXIT_FAILED
    return EXIT_OK
