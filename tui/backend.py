"""Build the service-layer client for a run: Apple's API, or the embedded simulation (--demo).

Imported lazily (after the first frame in the TUI), since it pulls in httpx and pydantic.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tui.api.client import Exchange, RatingsClient
from tui.api.simulated import DEMO_USER_TOKEN, SimulatedAppleMusic, make_demo_developer_token
from tui.api.urls import DEFAULT_BASE_URL
from tui.config import AppConfig
from tui.har import recording
from tui.tokens.store import StoredToken, TokenPair, TokenSource


def demo_tokens() -> tuple[str, str]:
    """The developer token and music user token the demo backend accepts. Obviously fake."""
    return make_demo_developer_token(), DEMO_USER_TOKEN


def demo_token_pair() -> TokenPair:
    """:func:`demo_tokens` as a :class:`TokenPair` whose source is the demo."""
    developer, user = demo_tokens()
    return TokenPair(StoredToken("developer", developer, TokenSource.DEMO),
                     StoredToken("user", user, TokenSource.DEMO))


def make_client(
    config: AppConfig,
    developer_token: str | None,
    user_token: str | None,
    *,
    on_exchange: Callable[[Exchange], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> RatingsClient:
    """A :class:`RatingsClient` for ``config``.

    ``transport`` replaces the network (a test stub, or a shared simulation). Otherwise, with
    ``config.demo`` it runs on a new embedded simulated API, with no network at all.
    """
    if transport is None and config.demo:
        transport = SimulatedAppleMusic()
    client = RatingsClient(
        developer_token,
        user_token,
        # The demo never leaves the process, so a configured base URL (even an invalid one)
        # does not apply to it; Apple's shows in the request inspector instead.
        base_url=DEFAULT_BASE_URL if config.demo else config.base_url,
        transport=transport,
        timeout=config.timeout,
        batch_size=config.batch_size,
        concurrency=config.concurrency,
        language=config.language,
        http2=transport is None,
        on_exchange=on_exchange,
    )
    recorder = recording()
    if recorder is not None:  # --har: every exchange of the run goes to the file too
        def record(exchange: Exchange) -> None:
            recorder.record(exchange, client.secrets)
            if on_exchange is not None:
                on_exchange(exchange)

        client.on_exchange = record
    return client

