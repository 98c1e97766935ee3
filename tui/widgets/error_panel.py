"""The error panel: what failed, which token is at fault, and what to do next.

Every failure gets a visible panel (not only a toast) with the HTTP status, Apple's code, title
and detail, the token at fault, the next step, and the request it belongs to. The headlines for
each kind of failure are written here; the longer "what to do" hints live with the exceptions in
:mod:`tui.api.errors`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.api import errors as api_errors
from tui.widgets.wording import plural

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


def _retried(error: api_errors.AmRatingsError) -> str:
    """``, retried 3 times`` (empty when the request was sent once)."""
    retries = max(error.attempts - 1, 0)
    if retries == 0:
        return ""
    return f", retried {plural(retries, 'time')}"


def describe_error(error: Any, tokens: TokenPair | None = None) -> ErrorReport:
    """Word ``error`` for a person: a distinct headline for 401, 403, 429, 5xx, timeout,
    network and malformed answers, and which token (if any) is at fault."""
    developer = tokens.developer if tokens else None
    user = tokens.user if tokens else None
    status = getattr(error, "status", None)
    status_text = f"HTTP {status}" if status else "no HTTP status"
    at_fault = "Neither token: this is not a token problem."
    if isinstance(error, api_errors.DeveloperTokenError):
        headline = "401 Unauthorized: Apple rejected the developer token"
        at_fault = (f"{_token_label(developer, 'developer token').capitalize()}. Apple also "
                    "answers 401 when the account is not signed in or has no subscription.")
    elif isinstance(error, api_errors.UserTokenError):
        headline = "403 Forbidden: Apple rejected the music user token"
        at_fault = f"{_token_label(user, 'music user token').capitalize()}."
    elif isinstance(error, api_errors.RateLimitedError):
        headline = f"429 Too Many Requests: rate limited{_retried(error)}"
        at_fault = ("Neither token is invalid; the limit counts requests made with "
                    f"{_token_label(developer, 'developer token')}.")
    elif isinstance(error, api_errors.ServerError):
        headline = f"{status} Server error: Apple's server failed{_retried(error)}"
    elif isinstance(error, api_errors.NotFoundError):
        headline = "404 Not found"
    elif isinstance(error, api_errors.RequestRejectedError):
        headline = f"{status} Request rejected: Apple refused the request as sent"
    elif isinstance(error, api_errors.RequestTimeoutError):
        headline = f"Timed out: no answer in time{_retried(error)}"
    elif isinstance(error, api_errors.NetworkError):
        headline = f"Network failure: could not reach the API{_retried(error)}"
    elif isinstance(error, api_errors.ResponseTooLargeError):
        headline = "Response too large: refused before loading it"
    elif isinstance(error, api_errors.MalformedResponseError):
        headline = "Malformed response: the answer is not what Apple documents"
    elif isinstance(error, api_errors.ConfigurationError):
        headline = "Cannot send: configuration missing"
        at_fault = "Nothing was sent."
    elif isinstance(error, api_errors.BadInputError):
        headline = "Cannot send: bad input"
        at_fault = "Nothing was sent."
    else:
        headline = f"{getattr(error, 'kind', None) or type(error).__name__}"
    apple = getattr(error, "apple", None)
    apple_text = None
    if apple is not None and (apple.code or apple.title or apple.detail):
        bits = [b for b in (apple.code, apple.title) if b]
        apple_text = " ".join(bits)
        if apple.detail:
            apple_text = f"{apple_text}: {apple.detail}" if apple_text else apple.detail
        if apple.parameter:
            apple_text += f" (parameter {apple.parameter})"
    # An API error's message only repeats the headline; other errors' messages say what
    # happened (which host, what the body was), so they are kept.
    message = getattr(error, "message", None) or str(error)
    notes = [] if isinstance(error, api_errors.ApiError) else [message]
    # "gave up after N attempts" is in the headline already.
    notes += [n for n in getattr(error, "notes", []) or [] if not n.startswith("gave up after")]
    return ErrorReport(
        headline=headline,
        status=status_text,
        apple=apple_text,
        at_fault=at_fault,
        next_step=getattr(error, "hint", None),
        notes=notes,
        request=describe_exchange(getattr(error, "exchange", None)),
    )


def describe_exchange(exchange: Any) -> str | None:
    """``GET https://... -> 403 in 12 ms (attempt 4)`` for a ``tui.api.client.Exchange``."""
    if exchange is None:
        return None
    took = f"{exchange.elapsed * 1000:.0f} ms"
    if exchange.status is None:
        outcome = f"{exchange.error or 'no response'} after {took}"
    else:
        outcome = f"{exchange.status} in {took}"
    if exchange.attempt > 1:
        outcome += f" (attempt {exchange.attempt})"
    return f"{exchange.method} {exchange.url} → {outcome}"


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
        self.error: Any = None
        self.report: ErrorReport | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="error-body")

    def show_error(self, error: Any, tokens: TokenPair | None = None) -> None:
        """Describe ``error`` and make the panel visible."""
        self.error = error
        self.report = describe_error(error, tokens)
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
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        if compact:
            grid.add_row("At fault", report.at_fault)
            grid.add_row("Status", report.status)
        else:
            grid.add_row("Status", report.status)
        if report.apple:
            grid.add_row("Apple", report.apple)
        if not compact:
            grid.add_row("At fault", report.at_fault)
        if report.next_step:
            grid.add_row("Next", report.next_step)
        for note in report.notes:
            grid.add_row("Note", note)
        if report.request:
            grid.add_row("Request", Text(report.request, style="dim"))
        if compact:
            return Group(Text(report.headline, style=headline_style), grid)
        return grid
