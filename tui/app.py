"""The amratings Textual app: stylesheet, app-wide bindings, screens, command palette.

The first frame needs only Textual and the widgets: httpx, pydantic and keyring are imported
after it is drawn (stored tokens are read in a thread worker, the service layer is imported a
module at a time on the event loop), so ``amratings`` appears at once, over SSH too.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import var
from textual.screen import Screen

from tui.api.errors import AmRatingsError
from tui.api.types import DEFAULT_TYPE, RatingType
from tui.commands import RatingsCommands
from tui.config import AppConfig
from tui.messages import TokensChanged
from tui.sanitize import clean
from tui.screens.browser import BrowserScreen
from tui.screens.served_warning import ServedWarningScreen, served_host
from tui.session import Session, missing_token
from tui.svg import place_edge_spaces

if TYPE_CHECKING:
    import httpx

    from tui.tokens.store import TokenPair

#: After this long without tokens from the keyring, the banner says why it waits.
SLOW_KEYRING_SECONDS = 3.0
#: Keys typed before anything has focus are held at most this long for the first focused widget.
TYPE_AHEAD_SECONDS = 2.0
#: What the first lookup needs, in import order (each after the modules it imports), so the
#: warm-up can import them one at a time.
WARM_UP_MODULES = ("httpx", "pydantic_core", "pydantic.main", "tui.api.models",
                   "tui.api.client", "tui.api.simulated", "tui.backend")
#: What the names of a lookup need (the library service and its models), imported next, one
#: at a time. The library screen's own modules (tui.screens.library, tui.library_source: about
#: 0.2 MiB) load when it is first opened; the peak-memory target counts every module.
LIBRARY_WARM_UP_MODULES = ("tui.api.library_models", "tui.api.library")


def stylesheet_path() -> Path:
    """``styles.tcss``: inside the package when installed from a wheel, else the repo root."""
    here = Path(__file__).resolve().parent
    packaged = here / "styles.tcss"
    return packaged if packaged.exists() else here.parent / "styles.tcss"


def initial_type(name: str) -> RatingType:
    """The configured rating type, or the default when the name is not one of the nine."""
    try:
        return RatingType(name.strip().lower())
    except ValueError:
        return DEFAULT_TYPE


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

    #: After the warm-up, freeze the objects that live as long as the app out of the garbage
    #: collector's full collections (``gc.freeze()``); a full collection that walked them took
    #: 60 ms and more on a key press's frame with a thousand rows loaded. Unmounting unfreezes
    #: them. Set it to False where the process's garbage collection is someone else's.
    FREEZE_GC: ClassVar[bool] = True

    #: The two tokens and where they came from; None until loaded. Screens watch it; the
    #: session (:attr:`session`) sends requests with them.
    tokens: var[TokenPair | None] = var(None, init=False)
    #: What the banner says while the tokens are not known yet (None: where they came from).
    token_note: var[str | None] = var(None, init=False)

    def __init__(self, config: AppConfig, *, transport: httpx.AsyncBaseTransport | None = None,
                 tokens: TokenPair | None = None, load_tokens: bool = True,
                 clock: Callable[[], float] | None = None) -> None:
        super().__init__()
        self.config = config
        #: The run's services, handed to each screen.
        self.session = Session(config, transport=transport, tokens=tokens, clock=clock)
        self._load_tokens = load_tokens
        #: True while objects this app froze are frozen (see FREEZE_GC).
        self._froze_gc = False
        #: Keys typed before the first screen has focus (see :meth:`on_event`); None once that
        #: first focus is there and they have been delivered.
        self._type_ahead: list[events.Key] | None = []
        self._type_ahead_until = 0.0
        self.set_reactive(AmRatingsApp.tokens, tokens)
        # No animations unless asked for (TEXTUAL_ANIMATIONS): over SSH they cost frames and
        # read as lag.
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            self.animation_level = "none"
        if config.keymap:
            self.set_keymap(config.keymap)

    async def on_event(self, event: events.Event) -> None:
        """Hold keys typed at launch until the first screen has focus.

        The terminal delivers keys as soon as the app starts reading them, while the browser
        may still be composing: with no widget focused, Textual hands them to the screen,
        which drops them. Typing (or pasting) ids right after ``amratings`` must reach the id
        input, so until something has focus keys wait here, and then go to it in order. An
        Enter typed before the terminal left line mode arrives as a line feed (ctrl+j, which
        nothing is bound to): held, it counts as the Enter it was.
        """
        if self._type_ahead is not None and isinstance(event, events.Key) \
                and not event.is_forwarded:
            if self.focused is None and not self.app_focus:
                # What Textual does with a key that reaches a blurred app (a web page that
                # never sent its focus message): focus is back, and the watcher focuses the
                # ids, so this key goes there now rather than waiting out the hold.
                self.app_focus = True
            if self.focused is None or self._type_ahead:
                if not self._type_ahead:
                    self._type_ahead_until = time.monotonic() + TYPE_AHEAD_SECONDS
                    self.set_timer(0.01, self._deliver_type_ahead)
                if event.key == "ctrl+j":
                    event = events.Key("enter", "\r")
                self._type_ahead.append(event)
                return
            self._type_ahead = None  # focus came before any key: nothing to hold from now on
        await super().on_event(event)

    async def _deliver_type_ahead(self) -> None:
        held = self._type_ahead
        if not held:
            return
        if self.focused is None and time.monotonic() < self._type_ahead_until:
            self.set_timer(0.01, self._deliver_type_ahead)
            return
        self._type_ahead = None
        for key in held:  # in the order typed; later keys wait for these (one message loop)
            await super().on_event(key)

    def get_default_screen(self) -> Screen[Any]:
        """The browser is the base screen."""
        return BrowserScreen(self.session, initial_type(self.config.rating_type))

    def on_unmount(self) -> None:
        if self._froze_gc:  # the app's objects may go now (tests run many apps in a process)
            gc.unfreeze()
            self._froze_gc = False

    def _say_config_problems(self) -> None:
        """Unknown config keys, unknown keymap ids and keymap clashes, as notifications."""
        warnings = list(self.config.warnings)
        if self.config.keymap:
            from tui.keymap import keymap_problems

            warnings += keymap_problems(self.config.keymap)
        for warning in warnings:
            self.notify(clean(warning), title="Config file", severity="warning", markup=False,
                        timeout=15)

    def on_mount(self) -> None:
        if self.config.demo:
            self.sub_title = "demo"
        if self.config.warnings or self.config.keymap:
            # After the first frame: the keymap check imports every screen and widget.
            self.call_after_refresh(self._say_config_problems)
        where = served_host()
        if where:  # `amratings serve --host ...`: say first that the page is open to all
            self.push_screen(ServedWarningScreen(where, self.config.demo))
        # Everything below pulls in heavy modules: start it once the first frame is out.
        self.call_after_refresh(self._after_first_frame)

    def watch_app_focus(self, focus: bool) -> None:
        """In a web page (``amratings serve``) the app starts unfocused (textual's web driver
        says so), so no screen took its ``AUTO_FOCUS``; take it when the page gets focus, or
        the first keys typed would reach no widget."""
        screen = self.screen
        selector = screen.AUTO_FOCUS if screen.AUTO_FOCUS is not None else self.AUTO_FOCUS
        if focus and screen.focused is None and selector:
            widget = next((w for w in screen.query(selector) if w.focusable), None)
            if widget is not None:
                screen.set_focus(widget)

    def _after_first_frame(self) -> None:
        self._warm_up(demo_tokens=self.tokens is None and self.config.demo)
        if self.tokens is not None or self.config.demo:
            pass  # known already, or the warm-up brings the demo tokens
        elif self._load_tokens:
            self._read_tokens()
            self.set_timer(SLOW_KEYRING_SECONDS, self._keyring_is_slow)
        else:
            self.session.tokens_unknown()
            self.action_tokens()

    @work(exclusive=True, group="warm-up")
    async def _warm_up(self, demo_tokens: bool) -> None:
        """Import the service layer (which the first lookup needs) after the first frame, one
        module at a time, giving the event loop a turn between modules: a key pressed
        meanwhile waits for one module's import (at most about 40 ms), not the whole stack.
        Done on the event loop rather than in a thread, which would cost a malloc arena and a
        stack of its own for good (about 0.3 MiB of peak memory). Then the client is built,
        when the tokens are known."""
        for name in WARM_UP_MODULES:
            importlib.import_module(name)
            await asyncio.sleep(0)
        if demo_tokens:  # the first lookup can go out now
            from tui.backend import demo_token_pair

            self._tokens_read(demo_token_pair())
        # Then what the names of the first lookup (and the library screen) need.
        for name in LIBRARY_WARM_UP_MODULES:
            importlib.import_module(name)
            await asyncio.sleep(0)
        self._warmed_up()
        # The client and its connection pool now rather than on the first request (the first
        # TLS context alone takes 150 ms): the first lookup or library page goes out at once.
        if missing_token(self.session.tokens) is None:
            with contextlib.suppress(AmRatingsError):
                await self.session.ready_client()

    def _warmed_up(self) -> None:
        """The service layer is loaded: freeze what lives as long as the app."""
        if self.FREEZE_GC:
            self._freeze_startup_objects()

    def _freeze_startup_objects(self) -> None:
        """Take what exists now (modules, classes, the screens) out of the garbage collector's
        full collections, which otherwise walk all of it (60 ms and more with a thousand rows
        loaded, on a key press's frame). Only when nothing is frozen yet: Python unfreezes all
        or nothing, so what someone else froze is left alone, and so is theirs on unmount."""
        if gc.get_freeze_count():
            return
        gc.collect()  # once, so no garbage is frozen along
        gc.freeze()
        self._froze_gc = True

    @work(thread=True, exclusive=True, group="tokens")
    def _read_tokens(self) -> None:
        """Read the stored tokens off the event loop: the keyring may hang (over SSH it can
        wait for an unlock prompt)."""
        from tui.tokens.store import keyring_timeout, load_tokens

        pair = load_tokens(keyring_timeout=keyring_timeout())
        self.call_from_thread(self._tokens_read, pair)

    def _tokens_read(self, pair: TokenPair) -> None:
        self._use_tokens(pair)
        if missing_token(pair) and not self.config.demo:
            self.action_tokens()

    def _use_tokens(self, pair: TokenPair) -> None:
        self.session.use_tokens(pair)
        self.token_note = None
        self.tokens = pair

    def _keyring_is_slow(self) -> None:
        if not self.session.tokens_known:
            self.token_note = ("still reading the keyring (it may be waiting to be unlocked); "
                               "F2 enters tokens by hand")

    def on_tokens_changed(self, message: TokensChanged) -> None:
        """The token setup screen has new tokens: use them for the next request."""
        self._use_tokens(message.tokens)

    def action_tokens(self) -> None:
        """Open the token setup screen."""
        from tui.screens.token_setup import TokenSetupScreen

        if any(isinstance(s, TokenSetupScreen) for s in self.screen_stack):
            return
        self.push_screen(TokenSetupScreen(self.session))

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
            self.install_screen(LibraryScreen(self.session), "library")
        self.push_screen("library")

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        """The screen as SVG (snapshots, screenshots, the palette's "Save screenshot"), with
        spaces placed so every SVG renderer shows the indentation the terminal shows."""
        return place_edge_spaces(super().export_screenshot(title=title, simplify=simplify))

    def _fatal_error(self) -> None:
        """Textual's crash report (a traceback showing every frame's local variables), with
        the HTTP stack's frames shown without their code and locals: httpx, httpcore and h11
        keep the request headers, tokens included, in plain locals. Frames of this package
        hold no token in a plain local (see ``tests/tui/test_secrets.py``).

        Overrides a private method of Textual 8 (pinned): the same steps, more suppressed.
        """
        import sys

        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        hidden = [module for name in ("httpx", "httpcore", "h11")
                  if (module := sys.modules.get(name)) is not None]
        self.bell()
        traceback = Traceback(show_locals=True, width=None, locals_max_length=5,
                              suppress=[rich, *hidden])
        self._exit_renderables.append(
            Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    def tokens_revealed(self) -> bool:
        """True while a token is shown whole on some screen (token setup's "Show tokens")."""
        from tui.widgets.tokens.token_input import TokenInput

        return any(token.reveal for screen in self.screen_stack
                   for token in screen.query(TokenInput))

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """Save a screenshot (the palette's "Screenshot"), except while tokens are revealed:
        the file would hold them in clear."""
        if self.tokens_revealed():
            self.notify("Not saved: the tokens are shown on screen. Hide them (ctrl+r), then "
                        "take the screenshot.", title="Screenshot", severity="warning",
                        markup=False)
            return None
        return super().deliver_screenshot(filename, path, time_format)

    def save_screenshot(self, filename: str | None = None, path: str | None = None,
                        time_format: str | None = None) -> str:
        """As :meth:`deliver_screenshot`: refused (PermissionError) while tokens are revealed."""
        if self.tokens_revealed():
            raise PermissionError("a screenshot is not saved while the tokens are revealed")
        return super().save_screenshot(filename, path, time_format)

    async def action_quit(self) -> None:
        """Close the connection pool, then leave."""
        await self.session.close()
        self.exit(self.return_code or 0)


def run_app(config: AppConfig) -> int:
    """Run the TUI until the user quits; return the exit status."""
    app = AmRatingsApp(config)
    app.run()
    return app.return_code or 0
