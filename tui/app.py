"""The amratings Textual app: stylesheet, app-wide bindings, screens, command palette.

The first frame needs only Textual and the widgets: httpx, pydantic and keyring are imported
after it is drawn (stored tokens are read in a thread worker, the service layer is imported a
module at a time on the event loop), so ``amratings`` appears at once, over SSH too.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.reactive import var
from textual.screen import Screen

from tui.api.errors import ConfigurationError
from tui.api.types import DEFAULT_TYPE, RatingType
from tui.commands import RatingsCommands
from tui.config import AppConfig
from tui.messages import TokensChanged
from tui.screens.browser import BrowserScreen

if TYPE_CHECKING:
    from tui.api.client import RatingsClient
    from tui.tokens.store import TokenPair

#: After this long without tokens from the keyring, the banner says why it waits.
SLOW_KEYRING_SECONDS = 3.0
#: What the first lookup needs, in import order (each after the modules it imports), so the
#: warm-up can import them one at a time.
WARM_UP_MODULES = ("httpx", "pydantic_core", "pydantic.main", "tui.api.models",
                   "tui.api.client", "tui.api.simulated", "tui.backend")


def stylesheet_path() -> Path:
    """``styles.tcss``: inside the package when installed from a wheel, else the repo root."""
    here = Path(__file__).resolve().parent
    packaged = here / "styles.tcss"
    return packaged if packaged.exists() else here.parent / "styles.tcss"


#: One text run of a Rich SVG export: its x, its width, and the text (spaces as ``&#160;``).
_SVG_TEXT_RUN = re.compile(
    r'(<text class="[^"]*" x=")([0-9.]+)(" y="[0-9.]+" textLength=")([0-9.]+)("[^>]*>)'
    r"((?:&#160;)*)([^<]*?)((?:&#160;)*)(</text>)")
_NBSP = "&#160;"


def place_edge_spaces(svg: str) -> str:
    """``svg`` with the spaces at either end of each text run moved into its x and width.

    Rich draws a run such as ``"    {"`` as one ``<text>`` of non-breaking spaces and glyphs.
    librsvg (and so many viewers and converters) drops leading and trailing NBSPs and draws the
    glyphs at the run's x, so indentation vanishes: pretty-printed JSON, a column after a
    padded name. The picture is the same in a browser; the x now says where the glyphs are.
    """

    import html  # here, not at the top: html.entities is half a MiB the first frame never needs

    def place(match: re.Match[str]) -> str:
        lead, middle, trail = match.group(6), match.group(7), match.group(8)
        if not (lead or trail) or not middle:
            return match.group(0)
        x, length = float(match.group(2)), float(match.group(4))
        cells = len(html.unescape(lead + middle + trail))
        cell = length / cells
        n_lead, n_trail = lead.count(_NBSP), trail.count(_NBSP)
        x += n_lead * cell
        length -= (n_lead + n_trail) * cell
        return (f"{match.group(1)}{format(x, 'g')}{match.group(3)}{format(length, 'g')}"
                f"{match.group(5)}{middle}{match.group(9)}")

    return _SVG_TEXT_RUN.sub(place, svg)


def initial_type(name: str) -> RatingType:
    """The configured rating type, or the default when the name is not one of the nine."""
    try:
        return RatingType(name.strip().lower())
    except ValueError:
        return DEFAULT_TYPE


def missing_token(tokens: TokenPair | None) -> str | None:
    """Which token is missing ("developer token" / "music user token"), or None."""
    if tokens is None or not tokens.developer.value:
        return "developer token"
    if not tokens.user.value:
        return "music user token"
    return None


class AmRatingsApp(App[int]):
    """Look up, like, dislike and clear Apple Music ratings; debug the tokens behind them.

    ``transport`` replaces the network (tests, snapshots); ``tokens`` skips loading them;
    ``load_tokens=False`` never touches the environment or keyring; ``clock`` pins "now" for the
    token setup screen's expiry arithmetic (snapshots, screenshots).
    """

    TITLE = "amratings"
    CSS_PATH = stylesheet_path()
    COMMANDS = App.COMMANDS | {RatingsCommands}
    #: Screen classes for small terminals (styles.tcss): 50x14 over SSH must stay readable.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (70, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (20, "-tall")]
    BINDINGS = [
        Binding("f2", "tokens", "Tokens", id="app.tokens"),
        Binding("f6", "library", "Library", id="app.library"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    #: The two tokens and where they came from; None until loaded.
    tokens: var[TokenPair | None] = var(None, init=False)

    def __init__(self, config: AppConfig, *, transport: Any = None,
                 tokens: TokenPair | None = None, load_tokens: bool = True,
                 clock: Callable[[], float] | None = None) -> None:
        super().__init__()
        self.config = config
        self.clock = clock
        self._transport = transport
        self._load_tokens = load_tokens
        self._client: RatingsClient | None = None
        self._tokens_known = asyncio.Event()
        self.set_reactive(AmRatingsApp.tokens, tokens)
        # No animations unless asked for (TEXTUAL_ANIMATIONS): over SSH they cost frames and
        # read as lag.
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            self.animation_level = "none"
        if config.keymap:
            self.set_keymap(config.keymap)

    def get_default_screen(self) -> Screen[Any]:
        """The browser is the base screen."""
        return BrowserScreen(self.config, initial_type(self.config.rating_type))

    def on_unmount(self) -> None:
        gc.unfreeze()  # the app's objects may go now (tests run many apps in one process)

    def on_mount(self) -> None:
        if self.config.demo:
            self.sub_title = "demo"
        # Everything below pulls in heavy modules: start it once the first frame is out.
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        self._warm_up(demo_tokens=self.tokens is None and self.config.demo)
        if self.tokens is not None:
            self._tokens_known.set()
        elif self.config.demo:
            pass  # the warm-up brings the demo tokens
        elif self._load_tokens:
            self._read_tokens()
            self.set_timer(SLOW_KEYRING_SECONDS, self._keyring_is_slow)
        else:
            self._tokens_known.set()
            self.action_tokens()

    @work(exclusive=True, group="warm-up")
    async def _warm_up(self, demo_tokens: bool) -> None:
        """Import the service layer (which the first lookup needs) after the first frame, one
        module at a time, giving the event loop a turn between modules: a key pressed
        meanwhile waits for one module's import (at most about 40 ms), not the whole stack.
        Done on the event loop rather than in a thread, which would cost a malloc arena and a
        stack of its own for good (about 0.3 MiB of peak memory)."""
        for name in WARM_UP_MODULES:
            importlib.import_module(name)
            await asyncio.sleep(0)
        # What exists now (modules, classes, the screens) lives as long as the app: take it
        # out of the garbage collector's full collections, which otherwise walk all of it
        # (60 ms and more with a thousand rows loaded, on a key press's frame).
        gc.collect()  # once, so no garbage is frozen along
        gc.freeze()
        if demo_tokens:
            from tui.backend import demo_token_pair

            self._tokens_read(demo_token_pair())

    @work(thread=True, exclusive=True, group="tokens")
    def _read_tokens(self) -> None:
        """Read the stored tokens off the event loop: the keyring may hang (over SSH it can
        wait for an unlock prompt)."""
        from tui.tokens.store import keyring_timeout, load_tokens

        pair = load_tokens(keyring_timeout=keyring_timeout())
        self.call_from_thread(self._tokens_read, pair)

    def _tokens_read(self, pair: TokenPair) -> None:
        self.tokens = pair
        self._tokens_known.set()
        if missing_token(pair) and not self.config.demo:
            self.action_tokens()

    def _keyring_is_slow(self) -> None:
        if not self._tokens_known.is_set():
            browser = self.get_screen_stack_browser()
            if browser is not None:
                from tui.widgets.banner import BackendBanner

                browser.query_one(BackendBanner).show_tokens(
                    None, "still reading the keyring (it may be waiting to be unlocked); "
                          "F2 enters tokens by hand")

    def get_screen_stack_browser(self) -> BrowserScreen | None:
        """The browser screen, wherever it is in the stack."""
        return next((s for s in self.screen_stack if isinstance(s, BrowserScreen)), None)

    def on_tokens_changed(self, message: TokensChanged) -> None:
        """The token setup screen has new tokens: use them for the next request."""
        self.tokens = message.tokens
        self._tokens_known.set()

    def action_tokens(self) -> None:
        """Open the token setup screen."""
        from tui.screens.token_setup import TokenSetupScreen

        if any(isinstance(s, TokenSetupScreen) for s in self.screen_stack):
            return
        self.push_screen(TokenSetupScreen(self.config, self.tokens, transport=self.transport,
                                          clock=self.clock))

    def action_library(self) -> None:
        """Open the library screen over the browser (or go back from it). It is installed,
        so what it loaded stays when the user goes back and comes again."""
        from tui.screens.library import LibraryScreen

        if isinstance(self.screen, LibraryScreen):
            self.pop_screen()
            return
        if any(isinstance(s, LibraryScreen) for s in self.screen_stack):
            return  # under a modal of its own: that modal closes first
        if not self.is_screen_installed("library"):
            self.install_screen(LibraryScreen(self.config), "library")
        self.push_screen("library")

    # -- the service layer ---------------------------------------------------------------

    @property
    def transport(self) -> Any:
        """The transport requests go through: the one given, the demo's simulation (one per
        run, shared by the browser and the token check so both see the same state), or None
        for the network. Touch it only off the first frame: the simulation imports httpx."""
        if self._transport is None and self.config.demo:
            from tui.api.simulated import SimulatedAppleMusic

            self._transport = SimulatedAppleMusic()
        return self._transport

    @property
    def client_if_built(self) -> RatingsClient | None:
        """The client, if a request was made already (for the inspector's history)."""
        return self._client

    async def ready_client(self) -> RatingsClient:
        """The client with the current tokens, once they are known.

        Raises ``ConfigurationError`` when a token is missing or the base URL is unusable, so
        nothing is sent that Apple would only refuse.
        """
        await self._tokens_known.wait()
        missing = missing_token(self.tokens)
        if missing is not None:
            raise ConfigurationError(
                f"no {missing} is set, so nothing was sent",
                hint="Press F2 to enter the tokens, or set APPLE_MUSIC_DEVELOPER_TOKEN and "
                     "APPLE_MUSIC_USER_TOKEN (or run `amratings token set`).")
        assert self.tokens is not None
        if self._client is None:
            from tui.backend import make_client

            self._client = make_client(self.config, None, None, transport=self.transport)
        self._client.set_tokens(self.tokens.developer.value, self.tokens.user.value)
        return self._client

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        """The screen as SVG (snapshots, screenshots, the palette's "Save screenshot"), with
        spaces placed so every SVG renderer shows the indentation the terminal shows."""
        return place_edge_spaces(super().export_screenshot(title=title, simplify=simplify))

    async def action_quit(self) -> None:
        """Close the connection pool, then leave."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        self.exit(self.return_code or 0)


def run_app(config: AppConfig) -> int:
    """Run the TUI until the user quits; return the exit status."""
    app = AmRatingsApp(config)
    app.run()
    return app.return_code or 0
