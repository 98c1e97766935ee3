"""The error panel: what failed, which token is at fault, and what to do next.

Every failure gets a visible panel (not only a toast) with the HTTP status, Apple's code, title
and detail, the token at fault, the next step, and the request it belongs to. The words are the
error's own: each class of :mod:`tui.api.errors` has its headline, the token at fault and the
hint; this module lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.api.errors import AmRatingsError
from tui.sanitize import safe_text
from tui.widgets.wording import app_keys, in_app

if TYPE_CHECKING:
    from tui.tokens.store import StoredToken, TokenPair


@dataclass
class ErrorReport:
    """An ``AmRatingsError`` as the panel words it."""

    headline: str
    status: str
    apple: str | None
    at_fault: str
    next_step: str | None
    notes: list[str] = field(default_factory=list)
    request: str | None = None


def _token_label(token: StoredToken | None, name: str) -> str:
    if token is None or not token.value:
        return f"the {name} (none is set)"
    from tui.tokens.redact import fingerprint  # hashlib: not for the first frame

    return f"the {name} {fingerprint(token.value)} (from {token.source.value})"


def describe_error(error: AmRatingsError, tokens: TokenPair | None = None) -> ErrorReport:
    """Lay ``error`` out for a person. The words are the error's own (:mod:`tui.api.errors`);
    this adds which tokens were in use, as fingerprints."""
    developer = _token_label(tokens.developer if tokens else None, "developer token")
    user = _token_label(tokens.user if tokens else None, "music user token")
    return ErrorReport(
        headline=error.headline,
        status=f"HTTP {error.status}" if error.status else "no HTTP status",
        apple=error.apple.describe(),
        at_fault=error.at_fault(developer, user),
        next_step=error.hint,
        notes=error.details(),
        request=error.exchange.summary() if error.exchange is not None else None,
    )


class ErrorPanel(VerticalScroll):
    """A dismissable panel showing one failure. Hidden until :meth:`show_error`; scrolls (and
    takes focus for it) when the explanation is taller than the room it has."""

    DEFAULT_CSS = """
    ErrorPanel {
        display: none;
        height: auto;
        max-height: 50%;
        border: round $error;
        border-title-color: $text-error;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    ErrorPanel.-shown {
        display: block;
    }
    ErrorPanel:focus {
        border: thick $error;
    }
    ErrorPanel > Static {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.error: AmRatingsError | None = None
        self.report: ErrorReport | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="error-body")

    def show_error(self, error: AmRatingsError, tokens: TokenPair | None = None) -> None:
        """Describe ``error`` and make the panel visible."""
        self.error = error
        report = describe_error(error, tokens)
        # The hints are shared with the CLI, which names its commands; here, name the keys.
        keys = app_keys(self.app)
        if report.next_step:
            report.next_step = in_app(report.next_step, keys)
        report.notes = [in_app(note, keys) for note in report.notes]
        self.report = report
        self._draw()
        self.add_class("-shown")
        self.scroll_home(animate=False)
        self.screen.refresh_bindings()  # "esc Dismiss error" appears in the footer

    @property
    def compact(self) -> bool:
        """On a short or narrow screen (50x14) the panel has four rows or so: the headline
        moves from the border (where it would be cut) into the body, followed at once by the
        token at fault; the rest is a scroll away."""
        return self.screen.has_class("-short") or self.screen.has_class("-narrow")

    def on_resize(self) -> None:
        if self.report is not None:
            self._draw()

    def _draw(self) -> None:
        report = self.report
        if report is None:
            return
        if self.compact:
            http = report.status.startswith("HTTP")
            self.border_title = f"✕ {report.status if http else 'Error'}"
            self.border_subtitle = "esc dismiss"
        else:
            self.border_title = f"✕ {report.headline}"
            self.border_subtitle = "esc dismiss · f3 request"
        headline_style = f"bold {self.app.theme_variables.get('text-error', 'red')}"
        self.query_one("#error-body", Static).update(
            self._render_report(report, compact=self.compact, headline_style=headline_style))

    def dismiss(self) -> None:
        """Hide the panel."""
        self.error = None
        self.report = None
        self.remove_class("-shown")
        self.screen.refresh_bindings()

    @property
    def shown(self) -> bool:
        """True while an error is on display."""
        return self.has_class("-shown")

    @staticmethod
    def _render_report(report: ErrorReport, *, compact: bool = False,
                       headline_style: str = "bold") -> RenderableType:
        # Every value may quote the server (Apple's fields, a transport error, the URL): it
        # reaches Rich as sanitized Text, never as markup.
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        if compact:
            grid.add_row("At fault", safe_text(report.at_fault))
            grid.add_row("Status", safe_text(report.status))
        else:
            grid.add_row("Status", safe_text(report.status))
        if report.apple:
            grid.add_row("Apple", safe_text(report.apple))
        if not compact:
            grid.add_row("At fault", safe_text(report.at_fault))
        if report.next_step:
            grid.add_row("Next", safe_text(report.next_step))
        for note in report.notes:
            grid.add_row("Note", safe_text(note))
        if report.request:
            grid.add_row("Request", safe_text(report.request, "dim"))
        if compact:
            return Group(safe_text(report.headline, headline_style), grid)
        return grid
