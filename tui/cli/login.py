"""``amratings token login``: get a music user token through a loopback MusicKit page.

Exit codes: 0 the token was stored and ``GET /v1/me/storefront`` accepted it; 1 it was stored
but the check failed, or it could not be stored, or no token arrived before ``--timeout``, or
the server could not listen; 2 no usable developer token (missing, or locally broken: expired,
not a JWT, not ES256...), a bad base URL or MusicKit URL, or ``--demo``. Ctrl-C stops the
server and exits 130.

The page's URL (never a token) is printed on stderr with the SSH tunnel line when over SSH;
the result (the token's fingerprint and the check) goes to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from tui.cli.common import (
    check_base_url,
    print_error,
    print_exchange,
    remember_secrets,
    say,
    warn_if_not_apple,
)

if TYPE_CHECKING:
    from tui.config import AppConfig
    from tui.tokens.check import TokenCheckStep
    from tui.tokens.login import LoginNotice, LoginServer


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535: {text!r}")
    return value


def _wait_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def _without_option(parent: argparse.ArgumentParser, option: str) -> argparse.ArgumentParser:
    """A copy of ``parent`` without ``option``: ``login`` gives ``--timeout`` its own meaning
    (how long to wait for the browser), which the global per-request one would clash with."""
    copy = argparse.ArgumentParser(add_help=False)
    for action in parent._actions:
        if option not in action.option_strings:
            copy._add_action(action)
    return copy


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
               parents: list[argparse.ArgumentParser]) -> None:
    """Add ``token login`` to the ``token`` subcommands."""
    from tui.tokens.login import DEFAULT_TIMEOUT, MUSICKIT_URL_ENV

    login = sub.add_parser(
        "login", parents=[_without_option(p, "--timeout") for p in parents],
        help="get a music user token by signing in with Apple Music in a browser",
        description="Serve a one-page sign-in on 127.0.0.1 (random port and secret path), "
                    "open it in the browser, and store the music user token MusicKit JS "
                    "returns (keyring, or the 0600 file with --file), then check it with "
                    "GET /v1/me/storefront. Over SSH, or without a display, it prints the URL "
                    "and the `ssh -L` line to run on your laptop. Needs a developer token. "
                    f"{MUSICKIT_URL_ENV} replaces MusicKit JS's URL (for tests only).")
    login.add_argument("--port", type=_port, default=0, metavar="N",
                       help="listen on this port (default: a free one)")
    login.add_argument("--no-browser", action="store_true",
                       help="print the URL instead of opening a browser")
    login.add_argument("--file", action="store_true",
                       help="store the token in the 0600 file under the config directory "
                            "instead of the keyring")
    login.add_argument("--timeout", dest="login_timeout", type=_wait_seconds,
                       default=DEFAULT_TIMEOUT, metavar="SECONDS",
                       help=f"stop waiting for the browser after this long (default "
                            f"{DEFAULT_TIMEOUT:g}, 5 minutes)")


def _developer_token(config: AppConfig) -> str | int:
    """The developer token to put in the page, or exit status 2 after saying why not."""
    from tui.tokens.inspect import inspect_developer_token
    from tui.tokens.store import DEVELOPER_ENV, keyring_timeout, load_tokens

    pair = load_tokens(keyring_timeout=keyring_timeout())
    remember_secrets(pair.developer.value, pair.user.value)
    token = pair.developer.value
    if not token:
        extra = f" ({pair.developer.problem})" if pair.developer.problem else ""
        say(f"amratings: error: no developer token found{extra}; MusicKit needs one to sign "
            "in")
        say(f"hint: set {DEVELOPER_ENV}, store it with `amratings token set developer`, or "
            "make one with `amratings token generate ... --save`")
        return EXIT_USAGE
    report = inspect_developer_token(token)
    errors = [f for f in report.findings if f.severity == "error"]
    if errors:
        say(f"amratings: error: the developer token ({report.fingerprint}) cannot work, so "
            "MusicKit would refuse it:")
        for finding in errors:
            say(f"  {finding.message} {finding.why}")
        say("hint: make a new one with `amratings token generate ... --save`, or store a good "
            "one with `amratings token set developer`")
        return EXIT_USAGE
    return token


def _warn_about_origin(developer_token: str, origin: str) -> None:
    """MusicKit JS honours the developer token's ``origin`` claim: say so when it excludes us."""
    from tui.tokens.inspect import inspect_developer_token

    allowed = inspect_developer_token(developer_token).origin
    if allowed and origin not in allowed:
        # Claims are the token's text, not ours: anything unprintable is shown escaped.
        shown = ", ".join(o if o.isprintable() else repr(o) for o in allowed)
        say(f"amratings: warning: the developer token is limited to the origins "
            f"{shown}; MusicKit will refuse it on {origin}")
        say(f"hint: use --port with a port whose origin ({origin.rsplit(':', 1)[0]}:PORT) is in "
            "the token's origin list, or a token without an origin claim")


def run(args: argparse.Namespace, config: AppConfig) -> int:
    """Run ``token login``; return the exit status."""
    from tui.api.errors import AmRatingsError
    from tui.tokens.login import LoginServer, duration_text, musickit_url
    from tui.tokens.store import keyring_status, keyring_timeout, store_hint

    if config.demo:
        say("amratings: error: `token login` does not work with --demo (the demo uses its own "
            "built-in tokens and stores nothing)")
        say("hint: run it without --demo")
        return EXIT_USAGE
    try:
        config.base_url = check_base_url(config.base_url)
        script = musickit_url()
    except AmRatingsError as exc:
        print_error(exc)
        return EXIT_USAGE
    developer = _developer_token(config)
    if isinstance(developer, int):
        return developer
    if not args.file:
        # Asked before the sign-in, not after it: a token that cannot be kept is wasted work.
        status = keyring_status(timeout=keyring_timeout())
        if not status.usable:
            say(f"amratings: error: keyring unavailable: {status.why} (backend found: "
                f"{status.backend}); the token would have nowhere to go")
            say(f"hint: {store_hint('user')}")
            return EXIT_FAILED
    try:
        server = LoginServer(developer, _store_in("file" if args.file else "keyring"),
                             port=args.port, musickit=script, notify=_print_notice)
    except AmRatingsError as exc:
        print_error(exc)
        return exc.exit_code
    with server:
        _warn_about_origin(developer, server.origin)
        _show_where(server.url, server.port, open_browser=not args.no_browser)
        say(f"Waiting up to {duration_text(args.login_timeout)} for the browser (Ctrl-C cancels)…")
        _wait(server, args.login_timeout)
    # The server has stopped: nothing listens any more. A token that arrived in the last
    # instant still counts (the stop then does not overwrite the result).
    result = server.result
    assert result is not None
    if result.outcome == "cancelled":
        say(f"amratings: error: no music user token arrived within "
            f"{duration_text(args.login_timeout)}; the sign-in page is closed")
        say("hint: run `amratings token login` again (--timeout SECONDS waits longer)")
        return EXIT_FAILED
    remember_secrets(result.token)
    if result.outcome != "stored" or result.token is None:
        if result.error is not None:
            print_error(result.error, prefix=f"amratings: error: the music user token "
                                             f"({result.fingerprint}) arrived but was not "
                                             "stored: ")
        return EXIT_FAILED
    sys.stdout.write(f"Stored the music user token ({result.fingerprint}) in "
                     f"{result.stored_in}.\n")
    sys.stdout.flush()
    from tui.cli.tokens import _warn_if_shadowed

    _warn_if_shadowed("user", result.token)
    if config.custom_base_url:
        warn_if_not_apple(config)
    step = asyncio.run(_check(config, developer, result.token))
    sys.stdout.write("\n".join(step_lines(step, result.fingerprint or "")) + "\n")
    sys.stdout.flush()
    return EXIT_OK if step.ok else EXIT_FAILED


def _store_in(where: str) -> Callable[[str], str]:
    """Store like ``token set user``: keyring, or the 0600 file; say where it went."""
    from tui.tokens.store import keyring_timeout, save_token, token_file_path

    def store(token: str) -> str:
        save_token("user", token, "file" if where == "file" else "keyring",
                   timeout=keyring_timeout())
        return f"{token_file_path()} (mode 0600)" if where == "file" else "the keyring"

    return store


def _print_notice(notice: LoginNotice) -> None:
    prefix = "amratings: refused: " if notice.level == "refused" else "amratings: "
    say(prefix + notice.message)


def _show_where(url: str, port: int, *, open_browser: bool) -> None:
    """Open the page, or print what to do where no browser can be opened here."""
    from tui.tokens.login import has_display, over_ssh, ssh_tunnel_command

    if over_ssh():
        say("Sign in with Apple Music: this runs over SSH, so open the page from your laptop.")
        say("1. On your laptop, in a new terminal, forward the port:")
        say(f"     {ssh_tunnel_command(port)}")
        say("2. Then open this URL in the laptop's browser:")
        say(f"     {url}")
        return
    if open_browser and has_display():
        import webbrowser

        try:
            opened = webbrowser.open(url)
        except Exception:  # a broken BROWSER setting must not end the sign-in
            opened = False
        if opened:
            say(f"Opened the sign-in page in your browser: {url}")
            return
    say("Sign in with Apple Music: open this URL in a browser on this machine:")
    say(f"     {url}")


def _wait(server: LoginServer, timeout: float) -> None:
    """Wait in short steps so Ctrl-C is noticed at once."""
    deadline = time.monotonic() + timeout
    while server.wait(max(0.0, min(deadline - time.monotonic(), 0.25))) is None:
        if time.monotonic() >= deadline:
            return


async def _check(config: AppConfig, developer: str, user: str) -> TokenCheckStep:
    from tui.backend import make_client
    from tui.tokens.check import check_music_user_token

    client = make_client(config, developer, user,
                         on_exchange=print_exchange if config.verbose else None)
    async with client:
        return await check_music_user_token(client)


def step_lines(step: TokenCheckStep, who: str) -> list[str]:
    """A check step as ``token check`` prints it: the request, the answer, Apple's words and
    the diagnosis."""
    head = f"{step.name} ({who}): {step.method} {step.path}"
    if step.outcome in ("passed", "failed"):
        answer = f"HTTP {step.status}" if step.status is not None else "no answer"
        head += f" -> {answer} in {step.elapsed * 1000:.0f} ms: {step.outcome.upper()}"
    else:
        head += f": {step.outcome.upper()}"
    lines = [head]
    if step.code or step.title or step.detail:
        apple = ", ".join(p for p in (f"code {step.code}" if step.code else None,
                                      step.title, step.detail) if p)
        lines.append(f"  Apple: {apple}")
    elif step.error and step.outcome == "failed":
        lines.append(f"  error: {step.error}")
    lines += [f"  - {sentence}" for sentence in step.diagnosis]
    return lines
