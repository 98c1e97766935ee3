"""What "Sign in with Apple Music" is doing: the page's URL while it waits (with the SSH tunnel
line over SSH), refusals as they happen, then how it ended.

Built from :class:`Content` only, never markup, with every text through the sanitizer: the SSH
line carries the user name and address from the environment, a refusal quotes the request.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tui.sanitize import clean, clean_line


class LoginView(Static):
    """Hidden until a sign-in starts; then waiting, done, or a problem."""

    DEFAULT_CSS = """
    LoginView {
        height: auto;
        margin: 0 0 1 0;
        padding: 0 1;
        border-left: outer $primary;
        &.-empty { display: none; }
        &.-failed { border-left: outer $error; }
        &.-done { border-left: outer $success; }
    }
    """

    def on_mount(self) -> None:
        self.add_class("-empty")
        self._waiting: list[Content] = []
        self._notices: list[Content] = []

    def show_waiting(self, url: str, *, ssh_line: str | None, opened: bool,
                     timeout_text: str) -> None:
        """The server is up: say where the page is and how to stop waiting."""
        lines = [Content.styled("Waiting for you to sign in with Apple Music…", "bold")]
        if ssh_line is not None:
            lines += [Content("This runs over SSH. On your laptop, first run:"),
                      Content.styled(f"  {clean_line(ssh_line)}", "bold"),
                      Content("then open this page in the laptop's browser:")]
        elif opened:
            lines.append(Content("The page is open in your browser (or open it yourself):"))
        else:
            lines.append(Content("Open this page in a browser on this machine:"))
        # Unindented, so a whole URL fits on one line at 80 columns (copying a wrapped one fails).
        lines.append(Content.styled(clean_line(url), "bold"))
        lines.append(Content.styled(f"Escape cancels · stops by itself after {timeout_text}",
                                    "$text-muted"))
        self._waiting = lines
        self._notices = []
        self.set_classes("")
        self._draw()

    def add_notice(self, text: str) -> None:
        """A request the server refused (shown under the waiting lines)."""
        self._notices.append(Content.assemble(("✗ ", "bold $text-error"), clean(text)))
        self._draw()

    def show_done(self, text: str) -> None:
        """The token arrived and was stored."""
        self.set_classes("-done")
        self.update(Content.assemble(("✓ ", "bold $text-success"), clean(text)))

    def show_problem(self, text: str) -> None:
        """The sign-in could not start, failed, was cancelled or timed out."""
        self.set_classes("-failed")
        self.update(Content.styled(clean(text), "$text-error"))

    def _draw(self) -> None:
        self.update(Content("\n").join([*self._waiting, *self._notices]))
