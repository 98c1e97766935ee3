"""One run's services, with no Textual in it: the config, the tokens (and whether they are
known yet), the transport, the lazily built client and its request history.

The app builds one :class:`Session` and hands it to each screen's constructor, so screens never
reach back into the app for their services. The app still owns what is Textual's (reactives,
workers, screens): it tells the session when tokens arrive, and screens watch the app's
reactives for what they draw.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.api.errors import ConfigurationError
from tui.config import AppConfig

if TYPE_CHECKING:
    import httpx

    from tui.api.client import RatingsClient
    from tui.api.exchange import Exchange
    from tui.tokens.store import TokenPair


def missing_token(tokens: TokenPair | None) -> str | None:
    """Which token is missing ("developer token" / "music user token"), or None."""
    if tokens is None or not tokens.developer.value:
        return "developer token"
    if not tokens.user.value:
        return "music user token"
    return None


class Session:
    """What the screens work with. Loads nothing heavy until a request needs it.

    ``transport`` replaces the network (tests, snapshots); ``tokens`` are known from the start
    when given; ``clock`` pins "now" (seconds since the epoch) for token arithmetic.
    """

    def __init__(self, config: AppConfig, *, transport: httpx.AsyncBaseTransport | None = None,
                 tokens: TokenPair | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.config = config
        self.clock = clock
        #: The two tokens and where they came from; None until loaded.
        self.tokens: TokenPair | None = tokens
        self._transport = transport
        self._client: RatingsClient | None = None
        self._tokens_known = asyncio.Event()
        if tokens is not None:
            self._tokens_known.set()

    def use_tokens(self, tokens: TokenPair) -> None:
        """Send the next requests with ``tokens`` (loaded at launch, or saved by the user)."""
        self.tokens = tokens
        self._tokens_known.set()

    def tokens_unknown(self) -> None:
        """Stop waiting for tokens: none will come by themselves (the user enters them)."""
        self._tokens_known.set()

    @property
    def tokens_known(self) -> bool:
        """True once the tokens were loaded (or it is clear none will be)."""
        return self._tokens_known.is_set()

    @property
    def transport(self) -> httpx.AsyncBaseTransport | None:
        """The transport requests go through: the one given, the demo's simulation (one per
        run, shared by the browser and the token check so both see the same state), or None
        for the network. Touch it only off the first frame: the simulation imports httpx."""
        if self._transport is None and self.config.demo:
            from tui.api.simulated import SimulatedAppleMusic

            self._transport = SimulatedAppleMusic()
        return self._transport

    @property
    def client_if_built(self) -> RatingsClient | None:
        """The client, if a request was made already."""
        return self._client

    @property
    def history(self) -> list[Exchange]:
        """The requests sent so far, oldest first (the client keeps the most recent ones)."""
        return list(self._client.history) if self._client is not None else []

    async def ready_client(self) -> RatingsClient:
        """The client with the current tokens, once they are known.

        Raises ``ConfigurationError`` when a token is missing or the base URL is unusable, so
        nothing is sent that Apple would only refuse.
        """
        await self._tokens_known.wait()
        missing = missing_token(self.tokens)
        if missing is not None:
            # The key that opens token setup, as the keymap binds it (app.tokens).
            key = str((self.config.keymap or {}).get("app.tokens") or "f2").split(",")[0]
            raise ConfigurationError(
                f"no {missing} is set, so nothing was sent",
                hint=f"Press {key.strip()} to enter the tokens, or set "
                     "APPLE_MUSIC_DEVELOPER_TOKEN and APPLE_MUSIC_USER_TOKEN.")
        assert self.tokens is not None
        if self._client is None:
            from tui.backend import make_client

            self._client = make_client(self.config, None, None, transport=self.transport)
        self._client.set_tokens(self.tokens.developer.value, self.tokens.user.value)
        return self._client

    async def close(self) -> None:
        """Close the client's connection pool, if there is one."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()
