"""What every headless command shares: option checks, token resolution, error printing.

Errors go to stderr as one clear line plus a hint, never a traceback, with every known token
redacted. Exit statuses are the constants of :mod:`tui.cli` (``EXIT_OK``, ``EXIT_FAILED``,
``EXIT_USAGE``: 0, 1, 2).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, TextIO

from tui.cli import EXIT_OK, EXIT_USAGE
from tui.tokens.redact import RedactingFilter, redact
from tui.tokens.store import DEVELOPER_ENV, USER_ENV

if TYPE_CHECKING:
    from tui.api.client import Exchange
    from tui.api.errors import AmRatingsError
    from tui.config import AppConfig


#: Every token this process has seen, so any message can be scrubbed before it is printed.
_KNOWN_SECRETS: set[str] = set()
_LOG_FILTER = RedactingFilter()


def remember_secrets(*tokens: str | None) -> None:
    """Register tokens for :func:`redact_known` and the logging filter."""
    for token in tokens:
        if token:
            _KNOWN_SECRETS.add(token)
    _LOG_FILTER.add(*tokens)


def redact_known(text: str) -> str:
    """``text`` with every registered token (and the token environment variables) masked."""
    env = (os.environ.get(DEVELOPER_ENV), os.environ.get(USER_ENV))
    return redact(text, [*_KNOWN_SECRETS, *env])


def say(line: str, stream: TextIO | None = None) -> None:
    """Print one redacted, sanitized line to stderr (or ``stream``)."""
    from tui.sanitize import clean

    out = stream or sys.stderr
    out.write(clean(redact_known(line)) + "\n")
    out.flush()


def check_rating_type_and_url(config: AppConfig) -> int:
    """Validate the rating type and the base URL before anything is sent; 0 or exit 2."""
    from tui.api.errors import AmRatingsError
    from tui.api.types import parse_rating_type

    try:
        parse_rating_type(config.rating_type)
        if not config.demo:
            check_base_url(config.base_url)
    except AmRatingsError as exc:
        print_error(exc)
        return EXIT_USAGE
    return EXIT_OK


def check_base_url(url: str) -> str:
    """Normalise the base URL (https, or http to loopback) without importing httpx, so the
    TUI can refuse a bad URL before its first frame at no start-up cost."""
    from tui.api.urls import normalize_base_url

    return normalize_base_url(url)


def warn_if_not_apple(config: AppConfig) -> None:
    """Tell the user, on stderr, when tokens are about to go somewhere other than Apple."""
    if config.custom_base_url:
        say(f"amratings: warning: sending your tokens to {config.base_url}, which is not "
            "Apple's API (https://api.music.apple.com)")


def setup_logging(verbose: bool) -> None:
    """Route library logging to stderr through the redacting filter (httpx logs headers)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_LOG_FILTER)
    handler.setFormatter(logging.Formatter("amratings: %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)


_PROXY_SHOWN: list[str] = []


def print_exchange(exchange: Exchange) -> None:
    """The ``-v`` output: one line for the request, one for its response (after a line naming
    the proxy, the first time one is used)."""
    if exchange.proxy and exchange.proxy not in _PROXY_SHOWN:
        _PROXY_SHOWN.append(exchange.proxy)
        say(f"* through the proxy {exchange.proxy} (from the environment)")
    say(exchange.request_line())
    say(exchange.response_line())


def resolve_tokens(config: AppConfig) -> tuple[str, str] | int:
    """Both tokens for a command, or exit status 2 after saying which is missing and how to
    provide it. ``--demo`` uses the demo backend's tokens."""
    if config.demo:
        from tui.backend import demo_tokens

        dev, user = demo_tokens()
        remember_secrets(dev, user)
        return dev, user
    from tui.tokens.store import keyring_timeout, load_tokens

    pair = load_tokens(keyring_timeout=keyring_timeout())
    remember_secrets(pair.developer.value, pair.user.value)
    missing = False
    for stored, env, what in ((pair.developer, DEVELOPER_ENV, "developer"),
                              (pair.user, USER_ENV, "user")):
        if not stored.value:
            missing = True
            name = "developer token" if what == "developer" else "music user token"
            extra = f" ({stored.problem})" if stored.problem else ""
            say(f"amratings: no {name} found{extra}")
            say(f"hint: set {env}, or store it with `amratings token set {what}`; "
                "try `amratings --demo` to explore without tokens")
    if missing or not pair.developer.value or not pair.user.value:
        return EXIT_USAGE
    return pair.developer.value, pair.user.value


def print_error(exc: AmRatingsError, developer_token: str | None = None,
                prefix: str = "amratings: error: ") -> None:
    """One clear line and a hint; for a 401, also what is locally wrong with the token."""
    say(prefix + exc.one_line())
    notes = list(exc.notes)
    if developer_token and exc.status == 401:
        notes.extend(local_developer_token_notes(developer_token))
    for note in notes:
        say(f"note: {note}")
    if exc.hint:
        say(f"hint: {exc.hint}")


def local_developer_token_notes(token: str) -> list[str]:
    """What a local inspection finds wrong with the developer token (expired, not ES256...)."""
    from tui.tokens.inspect import inspect_developer_token

    report = inspect_developer_token(token)
    return [f"locally, the developer token {f.message}" if not f.message[0].isupper()
            else f"locally: {f.message}"
            for f in report.findings if f.severity in ("error", "warning")]
