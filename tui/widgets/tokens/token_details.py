"""What a token says about itself: decoded claims and every finding, each with its reason.

The describe functions are pure (report in, :class:`Content` out) so they are easy to test; the
widget only shows what they build. Claims are user-controlled text, so nothing here goes
through markup: a ``kid`` of ``[bold]`` must show as typed, and an escape in it as ``\\x1b``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from tui.sanitize import clean, clean_line
from tui.widgets.wording import AppKeys, in_app

if TYPE_CHECKING:
    from tui.tokens.inspect import DeveloperTokenReport, Finding, UserTokenReport

#: Symbol and word for each severity: the word keeps the meaning when colour is off (NO_COLOR).
SEVERITY_MARKS: dict[str, tuple[str, str, str]] = {
    "error": ("✗", "error", "$text-error"),
    "warning": ("▲", "warning", "$text-warning"),
    "info": ("•", "note", "$text-muted"),
}


def format_moment(moment: datetime | None) -> str | None:
    """A time as a UTC date and minute (``2025-03-06 12:00 UTC``), or None when absent."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def describe_findings(findings: Iterable[Finding], keys: AppKeys | None = None) -> list[Content]:
    """One block per finding: the severity as symbol and word, the message, then why (naming
    this screen's keys, ``keys``, where it names a command)."""
    blocks: list[Content] = []
    for finding in findings:
        symbol, word, style = SEVERITY_MARKS.get(finding.severity, ("•", finding.severity, ""))
        line = Content.assemble((f"{symbol} {word}: ", f"bold {style}"), clean(finding.message))
        if finding.why:
            why = clean(in_app(finding.why, keys, in_token_setup=True))
            line = Content.assemble(line, ("  " + why, "$text-muted"))
        blocks.append(line)
    return blocks


def describe_developer_report(report: DeveloperTokenReport,
                              keys: AppKeys | None = None) -> Content:
    """The decoded developer token: key id, team id, algorithm, expiry, then findings."""
    lines: list[Content] = []
    if report.is_jwt:
        fields: list[str | tuple[str, str]] = []
        for label, value in (("kid", report.kid), ("iss", report.iss), ("alg", report.alg)):
            fields.extend([(f"{label} ", "$text-muted"), (clean_line(value or "—"), "bold"),
                           "  "])
        lines.append(Content.assemble(*fields).rstrip())
        if report.expiry_text:
            expires = format_moment(report.exp)
            lines.append(Content.assemble((report.expiry_text, "bold"),
                                          f" ({expires})" if expires else ""))
        else:
            lines.append(Content.styled("no expiry (exp) claim", "bold"))
    lines.extend(describe_findings(report.findings, keys))
    if not report.findings and report.is_jwt:
        lines.append(Content.styled("✓ no problems found in the token itself", "$text-success"))
    return Content("\n").join(lines)


def describe_user_report(report: UserTokenReport, keys: AppKeys | None = None) -> Content:
    """The music user token is opaque: only findings (length and fingerprint are in the caption)."""
    return Content("\n").join(describe_findings(report.findings, keys))


class TokenDetails(Static):
    """Shows what :func:`describe_developer_report` or :func:`describe_user_report` built."""

    DEFAULT_CSS = """
    TokenDetails {
        height: auto;
        padding: 0 0 0 18;
        &.-empty { display: none; }
    }
    """

    def show(self, content: Content | None) -> None:
        """Show ``content``; nothing (and no blank space) when there is nothing to say."""
        empty = content is None or not content.plain.strip()
        self.set_class(empty, "-empty")
        self.update(content if content is not None and not empty else "")
