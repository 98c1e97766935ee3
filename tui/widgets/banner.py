"""One line above the ids: the DEMO marker or a custom-base-URL warning, and where the tokens
came from (as fingerprints: a token is never shown whole)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from tui.sanitize import clean_line

if TYPE_CHECKING:
    from tui.tokens.store import StoredToken, TokenPair


def token_summary(tokens: TokenPair | None) -> str:
    """``developer sha256:1a2b3c4d (env) · user sha256:5e6f7a8b (keyring)``."""
    if tokens is None:
        return "tokens: loading…"

    # Imported here: hashlib is not needed for the first frame (tokens load after it).
    from tui.tokens.redact import fingerprint

    def one(name: str, token: StoredToken) -> str:
        if not token.value:
            return f"{name} token missing"
        return f"{name} {fingerprint(token.value)} ({token.source.value})"

    if all(t.value and t.source.value == "demo" for t in (tokens.developer, tokens.user)):
        return "demo tokens"
    return f"{one('developer', tokens.developer)} · {one('user', tokens.user)}"


class BackendBanner(Static):
    """Says what the app is talking to: DEMO, a custom base URL (a warning), or Apple."""

    DEFAULT_CSS = """
    BackendBanner {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    BackendBanner.-demo, BackendBanner.-custom {
        color: $text;
    }
    """

    def __init__(self, *, demo: bool, base_url: str, custom_base_url: bool,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.demo = demo
        self.base_url = base_url
        self.custom_base_url = custom_base_url
        self.set_class(demo, "-demo")
        self.set_class(custom_base_url, "-custom")
        self.tokens: TokenPair | None = None
        self.token_note: str | None = None

    def on_mount(self) -> None:
        self._redraw()

    def on_resize(self) -> None:
        # Whether the long form fits changes with the width (and the screen's size classes).
        self._redraw()

    def show_tokens(self, tokens: TokenPair | None) -> None:
        """Show where the tokens came from."""
        self.tokens = tokens
        self.token_note = None
        self._redraw()

    def show_note(self, note: str) -> None:
        """Say ``note`` instead of the tokens (e.g. "still reading the keyring…")."""
        self.token_note = note
        self._redraw()

    @property
    def compact(self) -> bool:
        """One line only: the screen is narrow or short (50x14 over SSH), where a wrapped
        banner would take the rows the table and the error panel need."""
        try:
            screen = self.screen
        except Exception:  # not mounted yet
            return False
        return screen.has_class("-narrow") or screen.has_class("-short")

    def _marker(self) -> Text:
        if self.demo:
            return Text.assemble((" DEMO ", "bold reverse"), " ")
        if self.custom_base_url:
            return Text.assemble((" ⚠ CUSTOM API ", "bold reverse"), " ")
        return Text()

    def _redraw(self) -> None:
        tokens = Text(self.token_note or token_summary(self.tokens), style="dim")
        base_url = clean_line(self.base_url)  # from the config file or the environment
        host = base_url.split("://")[-1].rstrip("/")
        if self.demo:
            where = Text("simulated Apple Music API · ")
        elif self.custom_base_url:
            where = Text(f"requests go to {base_url}, not Apple · ")
        else:
            where = Text(f"{host} · ", style="dim")
        full = Text.assemble(self._marker(), where, tokens)
        if not self.compact:
            self.update(full)
            return
        # The most telling line that fits: the marker and where requests go always come first.
        short_where = Text(f"{host} · ", style="" if self.custom_base_url else "dim")
        candidates = [full, Text.assemble(self._marker(), short_where, tokens)]
        if self.demo:
            candidates.append(Text.assemble(self._marker(), tokens))
        elif self.custom_base_url:
            candidates.append(Text.assemble(self._marker(), host))
        width = self.content_size.width
        line = next((c for c in candidates if width and c.cell_len <= width), candidates[-1])
        line.no_wrap = True
        line.overflow = "ellipsis"
        self.update(line)
