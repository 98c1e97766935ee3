"""One HTTP exchange as the request inspector shows it: method, URL, status, time, headers
(tokens already redacted by the service layer) and the body as highlighted JSON."""

from __future__ import annotations

import json

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.highlight import highlight
from textual.widgets import Static

from tui.api.exchange import Exchange
from tui.sanitize import clean, safe_text

#: Bodies are pretty-printed and highlighted up to this size; larger ones are shown as received.
MAX_PRETTY_CHARS = 64 * 1024


def pretty_body(body: str) -> tuple[str, str | None]:
    """(text, language): JSON re-indented when it parses, else the text as it came."""
    if not body.strip():
        return "(empty body)", None
    if len(body) <= MAX_PRETTY_CHARS:
        try:
            return json.dumps(json.loads(body), indent=2, ensure_ascii=False), "json"
        except (ValueError, RecursionError):
            pass
    return body, "html" if body.lstrip().startswith("<") else None


def body_content(body: str) -> Content:
    """The body, highlighted with the theme's colours when it is JSON or HTML; control and
    format characters made visible first (the server chose every byte)."""
    text, language = pretty_body(body)
    text = clean(text)
    if language is None or len(text) > MAX_PRETTY_CHARS:
        return Content(text)
    return highlight(text, language=language)


def _grid() -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    return table


def headers_table(title: str, headers: dict[str, str]) -> RenderableType:
    """A titled name/value list of headers."""
    table = _grid()
    for name, value in headers.items():
        table.add_row(safe_text(f"{name}:"), safe_text(value))
    if not headers:
        table.add_row("", Text("(none)", style="dim"))
    return Group(Text(title, style="bold underline"), table)


def exchange_summary(exchange: Exchange) -> RenderableType:
    """Request line, status (or failure), time and attempt."""
    summary = _grid()
    summary.add_row("Request", safe_text(f"{exchange.method} {exchange.url}"))
    if exchange.status is not None:
        summary.add_row("Status", str(exchange.status))
    else:
        summary.add_row("Failed", safe_text(exchange.error or "no response"))
    summary.add_row("Time", f"{exchange.elapsed * 1000:.0f} ms")
    if exchange.attempt > 1:
        summary.add_row("Attempt", str(exchange.attempt))
    return summary


class RequestView(Vertical):
    """A view of one exchange (or a note when there is none yet). Status and body come first:
    that is what a developer looks for; the headers follow."""

    DEFAULT_CSS = """
    RequestView {
        height: auto;
        padding: 0 1;
    }
    RequestView > Static {
        height: auto;
    }
    RequestView > .section-title {
        text-style: bold underline;
        margin-top: 1;
    }
    RequestView > .-hidden {
        display: none;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="summary")
        yield Static("Response body", classes="section-title", id="response-body-title")
        yield Static(id="response-body")
        yield Static("Request body", classes="section-title", id="request-body-title")
        yield Static(id="request-body")
        yield Static(id="request-headers", classes="section")
        yield Static(id="response-headers", classes="section")

    def show_exchange(self, exchange: Exchange | None) -> None:
        """Show ``exchange``, or say there is none."""
        if exchange is None:
            self.query_one("#summary", Static).update(
                Text("No request has been sent yet.", style="dim"))
            for child in self.children[1:]:
                child.add_class("-hidden")
            return
        for child in self.children:
            child.remove_class("-hidden")
        self.query_one("#summary", Static).update(exchange_summary(exchange))
        self.query_one("#response-body", Static).update(body_content(exchange.response_body))
        if exchange.request_body:
            self.query_one("#request-body", Static).update(body_content(exchange.request_body))
        else:
            self.query_one("#request-body-title").add_class("-hidden")
            self.query_one("#request-body").add_class("-hidden")
        self.query_one("#request-headers", Static).update(
            Group(Text(""), headers_table("Request headers", exchange.request_headers)))
        self.query_one("#response-headers", Static).update(
            Group(Text(""), headers_table("Response headers", exchange.response_headers)))
