"""The request inspector: one HTTP exchange in full, and "Copy as curl".

The copied command is redacted by default (the token headers refer to
``$APPLE_MUSIC_DEVELOPER_TOKEN`` and ``$APPLE_MUSIC_USER_TOKEN``); the real tokens are put in
only after an explicit confirmation. Copying goes through ``App.copy_to_clipboard`` (OSC 52),
which reaches the local clipboard over SSH too, but many terminals ignore it and none answers:
so the command is also shown on screen, to select, and nothing claims it was "copied".
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.widgets.footer import AppFooter
from tui.widgets.request_view import RequestView

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from tui.api.exchange import Exchange
    from tui.tokens.store import TokenPair


def exchange_for(history: Iterable[Exchange], rating_type: str,
                 item_id: str) -> Exchange | None:
    """The newest exchange in ``history`` that asked about ``item_id`` of ``rating_type``:
    a single-item request for it, or a batch whose ``ids`` include it."""
    for exchange in reversed(list(history)):
        parts = urlsplit(exchange.url)
        segments = [unquote(s) for s in parts.path.split("/")]
        if "ratings" not in segments:
            continue
        at = segments.index("ratings")
        tail = segments[at + 1:]
        if not tail or tail[0] != rating_type:
            continue
        if len(tail) == 2 and tail[1] == item_id:
            return exchange
        ids = ",".join(parse_qs(parts.query).get("ids", [])).split(",")
        if len(tail) == 1 and item_id in ids:
            return exchange
    return None


class ConfirmRevealScreen(ModalScreen[bool]):
    """Asks before a curl command with the real tokens goes to the clipboard."""

    DEFAULT_CSS = """
    ConfirmRevealScreen {
        align: center middle;
    }
    ConfirmRevealScreen > Vertical {
        width: 64;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    ConfirmRevealScreen Horizontal {
        height: auto;
        align-horizontal: right;
    }
    ConfirmRevealScreen Button {
        margin-left: 1;
    }
    """

    BINDINGS = [
        Binding("escape,n", "cancel", "Cancel", id="confirm.cancel"),
        Binding("y", "confirm", "Copy with tokens", id="confirm.yes"),
    ]

    COPY_WARNING = (
        "The command will contain your developer token and music user token in clear. "
        "Anyone who sees your clipboard, or the terminal's scrollback (the copy travels "
        "through the terminal as OSC 52), can use them.")

    def __init__(self, title: str = "Copy with the real tokens?", warning: str = COPY_WARNING,
                 confirm: str = "Copy with tokens") -> None:
        super().__init__()
        self.title_text, self.warning, self.confirm = title, warning, confirm

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            yield Static(self.warning)
            with Horizontal():
                yield Button(self.confirm, id="yes", variant="warning", compact=True)
                yield Button("Cancel", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Answer with the button."""
        self.dismiss(event.button.id == "yes")

    def action_cancel(self) -> None:
        """Keep the tokens out of the clipboard."""
        self.dismiss(False)

    def action_confirm(self) -> None:
        """Go ahead."""
        self.dismiss(True)


#: What the curl dialog says about the clipboard: OSC 52 is sent, and nothing confirms it.
SENT_TO_CLIPBOARD = ("Sent to the terminal's clipboard (OSC 52). Many terminals ignore that, "
                     "and none confirms it: if it did not arrive, select the command below.")


class CurlCommandScreen(ModalScreen[None]):
    """The curl command just sent to the clipboard, shown to be selected by hand.

    ``command`` is shown (redacted: the tokens as ``$APPLE_MUSIC_...`` variables). When the
    clipboard got the real tokens, ``revealed`` is that command, shown only on an explicit
    ctrl+r: a token is never on screen unless the user asks for it.
    """

    DEFAULT_CSS = """
    CurlCommandScreen {
        align: center middle;
    }
    CurlCommandScreen > Vertical {
        width: 1fr;
        max-width: 110;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    CurlCommandScreen.-with-tokens > Vertical {
        border: thick $warning;
    }
    CurlCommandScreen TextArea {
        height: auto;
        max-height: 16;
        margin: 1 0;
    }
    CurlCommandScreen Horizontal {
        height: auto;
        align-horizontal: right;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="curl.close"),
        Binding("ctrl+r", "toggle_reveal", "Reveal", id="curl.reveal"),
    ]

    def __init__(self, command: str, *, revealed: str | None = None) -> None:
        super().__init__(classes="-with-tokens" if revealed else "")
        self.command = command
        self.revealed = revealed
        self.showing_tokens = False

    @property
    def with_tokens(self) -> bool:
        """The clipboard got the command with the real tokens."""
        return self.revealed is not None

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea

        with Vertical() as box:
            box.border_title = ("Curl command WITH your real tokens" if self.with_tokens
                                else "Curl command")
            yield Static(SENT_TO_CLIPBOARD, id="curl-note")
            area = TextArea(self.command, read_only=True, soft_wrap=True, id="curl-command",
                            show_cursor=False, compact=True)
            yield area
            yield Static("The clipboard got your real tokens (clear it when done); shown here "
                         "as variables, ctrl+r shows them." if self.with_tokens else
                         "Tokens redacted: set APPLE_MUSIC_DEVELOPER_TOKEN and "
                         "APPLE_MUSIC_USER_TOKEN to run it.", id="curl-tokens")
            with Horizontal():
                yield Button("Close", id="curl-close", compact=True)
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one("#curl-command").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Reveal only when there is something to reveal."""
        return self.with_tokens if action == "toggle_reveal" else True

    def action_toggle_reveal(self) -> None:
        """Show the command with the real tokens, or hide them again."""
        from textual.widgets import TextArea

        if self.revealed is None:
            return
        self.showing_tokens = not self.showing_tokens
        area = self.query_one("#curl-command", TextArea)
        area.load_text(self.revealed if self.showing_tokens else self.command)

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        """The one button closes."""
        self.dismiss(None)

    def action_close(self) -> None:
        """Back to the inspector."""
        self.dismiss(None)


class InspectorScreen(ModalScreen[None]):
    """Shows one exchange; copies it as curl (redacted, or with tokens after confirming)."""

    DEFAULT_CSS = """
    InspectorScreen {
        align: center middle;
    }
    InspectorScreen > #inspector {
        width: 1fr;
        height: 1fr;
        border: round $primary;
        background: $surface;
    }
    InspectorScreen #inspector-scroll {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    InspectorScreen #inspector-buttons {
        height: auto;
        padding: 0 1;
    }
    InspectorScreen #inspector-buttons Button {
        margin-right: 1;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="inspector.close"),
        Binding("c", "copy_curl", "Copy as curl", id="inspector.copy_curl"),
        Binding("u", "copy_curl_with_tokens", "Copy with tokens…",
                id="inspector.copy_curl_tokens"),
        Binding("h", "save_har", "Save HAR", id="inspector.save_har"),
        Binding("H", "save_har_with_tokens", "HAR with tokens…",
                id="inspector.save_har_tokens", show=False),
    ]

    def __init__(self, exchange: Exchange | None, *, tokens: TokenPair | None = None,
                 subject: str | None = None, history: Sequence[Exchange] = ()) -> None:
        super().__init__()
        self.exchange = exchange
        self.tokens = tokens
        self.subject = subject
        #: The session's requests, oldest first, for the HAR export.
        self.history = list(history)

    def compose(self) -> ComposeResult:
        with Vertical(id="inspector") as box:
            box.border_title = "Request inspector" + (f": {self.subject}" if self.subject else "")
            with VerticalScroll(id="inspector-scroll"):
                yield RequestView(id="request-view")
            with Horizontal(id="inspector-buttons"):
                yield Button("Copy as curl", id="copy", compact=True,
                             disabled=self.exchange is None)
                yield Button("Copy with tokens…", id="copy-tokens", compact=True,
                             disabled=self.exchange is None or not self._have_tokens())
                yield Button("Close", id="close", compact=True)
        yield AppFooter()

    def on_mount(self) -> None:
        self.query_one(RequestView).show_exchange(self.exchange)
        self.query_one("#inspector-scroll").focus()

    def _have_tokens(self) -> bool:
        return bool(self.tokens and (self.tokens.developer.value or self.tokens.user.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Copy actions only when there is a request (and tokens, for the unredacted copy)."""
        if action == "copy_curl" and self.exchange is None:
            return None
        if action == "copy_curl_with_tokens" and (self.exchange is None
                                                  or not self._have_tokens()):
            return None
        if action in ("save_har", "save_har_with_tokens") and not self.history:
            return None
        if action == "save_har_with_tokens" and not self._have_tokens():
            return None
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Buttons mirror the key bindings."""
        if event.button.id == "copy":
            self.action_copy_curl()
        elif event.button.id == "copy-tokens":
            self.action_copy_curl_with_tokens()
        else:
            self.action_close()

    def action_close(self) -> None:
        """Back to the browser."""
        self.dismiss(None)

    def action_copy_curl(self) -> None:
        """Copy the request as a curl command with the tokens replaced by variables."""
        if self.exchange is None:
            return
        if self._deliver_in_browser(self.exchange.to_curl()):
            return
        self.app.copy_to_clipboard(self.exchange.to_curl())
        self.app.push_screen(CurlCommandScreen(self.exchange.to_curl(multiline=True)))

    def action_copy_curl_with_tokens(self) -> None:
        """Ask first, then copy the request with the real tokens in it."""
        exchange = self.exchange
        if exchange is None or not self._have_tokens():
            return

        def answered(yes: bool | None) -> None:
            if not yes or self.tokens is None:
                self.notify("Nothing copied.")
                return
            tokens = (self.tokens.developer.value, self.tokens.user.value)
            command = exchange.to_curl(*tokens)
            if self._deliver_in_browser(command):
                return
            self.app.copy_to_clipboard(command)
            self.app.push_screen(CurlCommandScreen(
                exchange.to_curl(multiline=True),
                revealed=exchange.to_curl(*tokens, multiline=True)))

        if self.app.is_web:
            self.app.push_screen(ConfirmRevealScreen(warning=self.WEB_WARNING,
                                                     confirm="Open with tokens"), answered)
            return
        self.app.push_screen(ConfirmRevealScreen(), answered)

    WEB_WARNING = ("The command will contain your developer token and music user token in "
                   "clear, in a new browser tab. Anyone who sees that tab can use them.")

    def _deliver_in_browser(self, command: str) -> bool:
        """In a web page (``amratings serve``) the terminal clipboard (OSC 52) is not the
        user's: open the command in a new browser tab instead. False in a terminal."""
        if not self.app.is_web:
            return False
        self.app.deliver_text(io.StringIO(command + "\n"), save_filename="amratings-curl.txt",
                              open_method="browser", mime_type="text/plain", name="curl")
        self.notify("Opened the curl command in a new browser tab.", title="Copy as curl")
        return True

    def action_save_har(self) -> None:
        """Save the session's requests as a HAR file, tokens redacted."""
        self._save_har([])

    def action_save_har_with_tokens(self) -> None:
        """Ask first, then save the HAR file with the real tokens in it."""
        if not self.history or not self._have_tokens() or self.tokens is None:
            return
        reveal = [t for t in (self.tokens.developer.value, self.tokens.user.value) if t]

        def answered(yes: bool | None) -> None:
            if yes:
                self._save_har(reveal)
            else:
                self.notify("Nothing saved.")

        self.app.push_screen(ConfirmRevealScreen(
            "Save the HAR file with the real tokens?",
            "The file will contain your developer token and music user token in clear. "
            "Anyone who gets the file can use them: send it only where you would send the "
            "tokens.", "Save with tokens"), answered)

    def _save_har(self, reveal: list[str]) -> None:
        from tui.screens.har_export import SaveHarScreen, deliver_har

        if not self.history:
            return
        severity: SeverityLevel = "warning" if reveal else "information"
        if self.app.is_web:
            self.notify(deliver_har(self.app, self.history, reveal), title="HAR",
                        severity=severity)
            return

        def saved(said: str | None) -> None:
            if said:
                self.notify(said, title="HAR", severity=severity)

        self.app.push_screen(SaveHarScreen(self.history, reveal), saved)
