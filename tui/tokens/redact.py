"""The one redaction function used everywhere a token could surface.

Logs, error messages, the TUI, snapshots and curl exports all go through :func:`redact` or
:func:`mask`, so a token never appears whole unless the user explicitly asks to reveal it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

#: Tokens shorter than this are not scrubbed from free text (too likely to match ordinary words).
MIN_SECRET_LENGTH = 6


def fingerprint(token: str) -> str:
    """Return a short, stable, non-reversible identifier for ``token`` (``sha256:1a2b3c4d``)."""
    digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
    return f"sha256:{digest[:8]}"


def mask(token: str | None) -> str:
    """Describe a token without revealing it: its length and fingerprint, never its characters."""
    if not token:
        return "(none)"
    return f"<redacted {len(token)} chars {fingerprint(token)}>"


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of each secret in ``text`` by :func:`mask` of it.

    Longer secrets are replaced first so a secret that contains another is masked whole.
    """
    for secret in sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len,
                         reverse=True):
        if secret in text:
            text = text.replace(secret, mask(secret))
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs the given secrets from every record it sees.

    httpx, httpcore and hpack log request headers at debug level; attach this filter to the
    handlers so a token never reaches a log file.
    """

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets: set[str] = {s for s in secrets if s}

    def add(self, *secrets: str | None) -> None:
        """Start scrubbing more secrets (for example after the user enters a new token)."""
        self.secrets.update(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            cleaned = redact(message, self.secrets)
            if cleaned != message or record.args:
                record.msg = cleaned
                record.args = None
        return True
