"""A masked token input with a caption that describes the token without showing it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Input, Label, Static

from tui.tokens.redact import fingerprint
from tui.widgets.wording import plural

#: How a token's source reads in the caption ("from the keyring").
SOURCE_WORDS = {
    "env": "from the environment",
    "keyring": "from the keyring",
    "file": "from the token file",
    "session": "set for this session",
    "demo": "demo token",
    "none": "",
}


def describe_token(value: str, source: str | None = None) -> Content:
    """The caption under a token input: fingerprint, length and source, never the token."""
    if not value:
        return Content.styled("no token", "dim")
    parts: list[str | tuple[str, str]] = [(fingerprint(value), "bold"),
                                          f" · {plural(len(value), 'char')}"]
    words = SOURCE_WORDS.get(source or "", "")
    if words:
        parts.append(f" · {words}")
    return Content.assemble(*parts)


class TokenInput(Vertical):
    """One token: a title, a password-style :class:`Input` and a fingerprint caption.

    The token is shown whole only inside the input and only while :attr:`reveal` is on; the
    caption identifies it by fingerprint so two tokens can be compared without showing either.
    """

    DEFAULT_CSS = """
    TokenInput {
        height: auto;
        & > Horizontal { height: auto; }
        & .token-input--title { width: 18; padding: 0 1 0 0; text-style: bold; }
        & Input { width: 1fr; }
        & .token-input--caption { height: auto; padding: 0 0 0 18; color: $text-muted; }
    }
    """

    #: Show the token in the input (the caption never shows it).
    reveal: reactive[bool] = reactive(False)

    def __init__(
        self,
        title: str,
        *,
        value: str = "",
        source: str | None = None,
        placeholder: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._title = title
        self._initial_value = value
        self._initial_source = source
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self._title, classes="token-input--title")
            yield Input(
                self._initial_value,
                placeholder=self._placeholder,
                password=True,
                compact=True,
                id=f"{self.id}-value" if self.id else None,
            )
        yield Static(self._caption(self._initial_value), classes="token-input--caption")

    @property
    def input(self) -> Input:
        """The text input itself."""
        return self.query_one(Input)

    @property
    def value(self) -> str:
        """The token as typed, trimmed (pasted tokens often carry a newline or spaces)."""
        return self.input.value.strip()

    @property
    def initial_value(self) -> str:
        """The token the screen started with (to tell an edit from a reload)."""
        return self._initial_value

    @property
    def initial_source(self) -> str | None:
        """Where the starting token came from."""
        return self._initial_source

    def set_value(self, value: str) -> None:
        """Replace the token (for example with a freshly generated one)."""
        self.input.value = value
        self.input.cursor_position = len(value)

    def replace(self, value: str, source: str) -> None:
        """Take a token that is already kept at ``source`` ("keyring", "file", "session"), as
        if the screen had started with it (so saving does not store it again)."""
        self._initial_value, self._initial_source = value, source
        self.set_value(value)
        self.query_one(".token-input--caption", Static).update(self._caption(value))

    def watch_reveal(self, reveal: bool) -> None:
        if self.is_mounted:
            self.input.password = not reveal

    def on_mount(self) -> None:
        self.input.password = not self.reveal

    def on_input_changed(self, event: Input.Changed) -> None:
        # Let the event carry on to the screen: it decodes the token as the user types.
        self.query_one(".token-input--caption", Static).update(self._caption(event.value))

    def _caption(self, raw: str) -> Content:
        value = raw.strip()
        source = self._initial_source if value == self._initial_value else None
        return describe_token(value, source)
