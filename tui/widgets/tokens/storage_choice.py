"""Where to keep the tokens: the keyring, this session only, or the opt-in 0600 file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, RadioButton, RadioSet, Static

from tui.sanitize import safe_content

if TYPE_CHECKING:
    from tui.tokens.store import KeyringStatus

Where = Literal["keyring", "session", "file"]


class StorageChoice(Horizontal):
    """A radio set of the three places a token can be kept, and why one may be unavailable.

    The keyring option starts disabled ("checking…") because asking the keyring can hang over
    SSH: the screen asks off the event loop and calls :meth:`show_keyring_status`. The file
    option is offered only when no keyring is usable, as issue 3 asks (never chosen silently).
    """

    DEFAULT_CSS = """
    StorageChoice {
        height: auto;
        & > Label { width: 18; padding: 0 1 0 0; text-style: bold; }
        & > .storage-choice--body { width: 1fr; height: auto; }
        & RadioSet { width: 1fr; }
        & RadioButton:disabled { color: $text-disabled; }
        & .storage-choice--note { color: $text-warning; height: auto; }
        & .storage-choice--note.-empty { display: none; }
    }
    """

    def __init__(self, *, file_path: str | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self._file_path = file_path or "the token file"

    def compose(self) -> ComposeResult:
        yield Label("Keep tokens in")
        with Vertical(classes="storage-choice--body"):
            with RadioSet(compact=True):
                yield RadioButton("Keyring (checking…)", id="where-keyring", disabled=True)
                yield RadioButton("This session only", id="where-session", value=True)
                yield RadioButton(safe_content(f"File {self._file_path} (mode 0600)"),
                                  id="where-file",
                                  disabled=True)
            yield Static("", classes="storage-choice--note -empty")

    @property
    def where(self) -> Where:
        """The chosen place: "keyring", "session" or "file"."""
        pressed = self.query_one(RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return "session"
        choice = pressed.id.removeprefix("where-")
        return choice if choice in ("keyring", "file") else "session"  # type: ignore[return-value]

    def show_keyring_status(self, status: KeyringStatus) -> None:
        """Offer (and choose) the keyring when usable; otherwise say why and offer the file."""
        keyring = self.query_one("#where-keyring", RadioButton)
        file = self.query_one("#where-file", RadioButton)
        note = self.query_one(".storage-choice--note", Static)
        backend = _short_backend(status.backend)
        if status.usable:
            keyring.label = safe_content(f"Keyring ({backend})")
            keyring.disabled = False
            keyring.value = True
            file.disabled = True
            note.update("")
            note.add_class("-empty")
            return
        keyring.label = "Keyring unavailable"
        keyring.disabled = True
        file.disabled = False
        note.update(safe_content(
            f"No usable keyring (found {backend}: {status.why or 'unknown reason'}). Keep the "
            "tokens for this session, in the 0600 file, or set APPLE_MUSIC_DEVELOPER_TOKEN and "
            "APPLE_MUSIC_USER_TOKEN in the environment."
        ))
        note.remove_class("-empty")

    def session_only(self, why: str) -> None:
        """Offer only "this session" (the demo must never write to a real keyring or file)."""
        keyring = self.query_one("#where-keyring", RadioButton)
        keyring.label = "Keyring"
        keyring.disabled = True
        self.query_one("#where-file", RadioButton).disabled = True
        self.query_one("#where-session", RadioButton).value = True
        note = self.query_one(".storage-choice--note", Static)
        note.update(safe_content(why))
        note.remove_class("-empty")

    def show_keyring_failure(self, why: str) -> None:
        """The status check itself failed (it never should): treat it as no usable keyring."""
        keyring = self.query_one("#where-keyring", RadioButton)
        keyring.label = "Keyring unavailable"
        keyring.disabled = True
        self.query_one("#where-file", RadioButton).disabled = False
        note = self.query_one(".storage-choice--note", Static)
        note.update(safe_content(f"Could not ask the keyring: {why}"))
        note.remove_class("-empty")


def _short_backend(backend: str) -> str:
    """``keyring.backends.SecretService.Keyring (priority: 5)`` reads as ``SecretService``."""
    name = backend.split(" (", 1)[0].strip() or "no backend"
    parts = name.split(".")
    if len(parts) >= 2 and parts[-1] == "Keyring":
        return parts[-2]
    return parts[-1] if parts[-1] else name
