"""Generate a developer token from a MusicKit ``.p8`` key: team id, key id, key file, days."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from tui.sanitize import safe_content

#: A little under Apple's limit (``MAX_TOKEN_LIFETIME``): the margin real tokens need.
DEFAULT_DAYS = 180


class GenerateTokenForm(Vertical):
    """Fields for :func:`tui.tokens.generate.generate_developer_token`, errors shown inline.

    Reading the key file and signing run in a thread worker (the file may sit on a slow mount);
    on success the form posts :class:`GenerateTokenForm.Generated` with the new token.
    """

    DEFAULT_CSS = """
    GenerateTokenForm {
        height: auto;
        & Grid { grid-size: 2; grid-columns: 18 1fr; grid-rows: 1; height: auto; }
        & Grid Label { padding: 0 1 0 0; }
        & Horizontal { height: auto; padding: 0 0 0 18; }
        & .generate-form--hint { color: $text-muted; padding: 0 0 0 1; width: 1fr; }
        & .generate-form--error { color: $text-error; height: auto; }
        & .generate-form--error.-empty { display: none; }
    }
    """

    @dataclass
    class Generated(Message):
        """A developer token was generated (the screen puts it in the developer token input)."""

        token: str

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._clock = clock

    def compose(self) -> ComposeResult:
        with Grid():
            yield Label("Team ID")
            yield Input(placeholder="10 characters, e.g. ABCDE12345", id="generate-team-id",
                        compact=True, max_length=20)
            yield Label("Key ID")
            yield Input(placeholder="10 characters, from AuthKey_<KEYID>.p8",
                        id="generate-key-id", compact=True, max_length=20)
            yield Label("Key file (.p8)")
            # A pasted path with control characters is refused: the input would draw them raw.
            yield Input(placeholder="~/keys/AuthKey_ABCDE12345.p8", id="generate-key-file",
                        compact=True, restrict=r"[^\x00-\x1f\x7f-\x9f]*")
            yield Label("Valid for (days)")
            yield Input(str(DEFAULT_DAYS), type="integer", id="generate-days", compact=True,
                        max_length=4)
        with Horizontal():
            yield Button("Generate", id="generate-run", compact=True)
            yield Static("The key never leaves this machine; only the token is kept.",
                         classes="generate-form--hint")
        yield Static("", classes="generate-form--error -empty")

    @on(Input.Changed)
    def _on_key_file_typed(self, event: Input.Changed) -> None:
        # Fill the key id from the file name Apple gives the download (AuthKey_<KEYID>.p8).
        if event.input.id != "generate-key-file":
            return
        from tui.tokens.generate import key_id_from_file_name

        found = key_id_from_file_name(event.value.strip())
        key_id = self.query_one("#generate-key-id", Input)
        if found and not key_id.value:
            key_id.value = found

    @on(Input.Submitted)
    @on(Button.Pressed, "#generate-run")
    def _on_submit(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        self.generate()

    def generate(self) -> None:
        """Check the fields, then generate in a worker; problems appear under the form."""
        team_id = self.query_one("#generate-team-id", Input).value.strip()
        key_id = self.query_one("#generate-key-id", Input).value.strip()
        key_file = self.query_one("#generate-key-file", Input).value.strip()
        days_text = self.query_one("#generate-days", Input).value.strip()
        missing = [name for name, value in (("team ID", team_id), ("key ID", key_id),
                                            ("key file", key_file)) if not value]
        if missing:
            self.show_error("Enter the " + ", ".join(missing) + ".")
            return
        try:
            days = int(days_text) if days_text else DEFAULT_DAYS
        except ValueError:
            self.show_error(f"Days must be a whole number, got {days_text!r}.")
            return
        if days < 1:
            self.show_error("Days must be at least 1.")
            return
        self.show_error(None)
        # The generator expands "~" (off the event loop, and as a clear error when it cannot).
        self._generate(team_id, key_id, Path(key_file), days)

    @work(thread=True, exclusive=True, group="generate-token")
    def _generate(self, team_id: str, key_id: str, key_file: Path, days: int) -> None:
        # Imported here: cryptography and PyJWT are not needed for the first frame.
        from tui.api.errors import AmRatingsError
        from tui.tokens.generate import generate_developer_token

        now = self._clock() if self._clock is not None else time.time()
        try:
            token = generate_developer_token(team_id, key_id, key_file, days=days, now=now)
        except AmRatingsError as exc:
            message = " ".join(_sentence(part) for part in (exc.message, exc.hint) if part)
            self.app.call_from_thread(self.show_error, message)
            return
        except (OSError, ValueError) as exc:
            # The generator should wrap these; never let one become a traceback.
            self.app.call_from_thread(self.show_error, f"Cannot use {key_file}: {exc}")
            return
        self.app.call_from_thread(self.show_error, None)
        self.post_message(self.Generated(token))

    def show_error(self, message: str | None) -> None:
        """Show why generation failed under the form; None clears it."""
        error = self.query_one(".generate-form--error", Static)
        error.update(safe_content(message or ""))  # it may name the typed key-file path
        error.set_class(not message, "-empty")
        if message:
            # The form sits at the bottom of a scrolling screen: bring the reason into view.
            self.call_after_refresh(error.scroll_visible, animate=False)


def _sentence(text: str) -> str:
    """``"key id 'X' is not ..."`` reads as a sentence: capital first letter, final stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
