"""The one redaction function used everywhere a token could surface.

Logs, error messages, the TUI, snapshots and curl exports all go through :func:`redact` or
:func:`mask`, so a token never appears whole unless the user explicitly asks to reveal it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Mapping

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


#: A run of this many characters or more that is part of a token is scrubbed too: a server
#: echoing a token cut short, or text cut in the middle of one, must not show most of it.
MIN_PIECE_LENGTH = 16
#: Text positions sampled for pieces: any run of MIN_PIECE_LENGTH characters holds a whole
#: _GRAM-character window starting at a multiple of _GRAM (16 >= 8 + 7).
_GRAM = 8


def _piece_spans(text: str, secret: str) -> list[tuple[int, int]]:
    """Spans of ``text`` (start, end) that are runs of MIN_PIECE_LENGTH+ characters of
    ``secret``: sampled 8-character windows, each extended both ways along the secret."""
    if len(secret) < MIN_PIECE_LENGTH or len(text) < MIN_PIECE_LENGTH:
        return []
    offsets: dict[str, list[int]] = {}
    for at in range(len(secret) - _GRAM + 1):
        offsets.setdefault(secret[at:at + _GRAM], []).append(at)
    spans: list[tuple[int, int]] = []
    covered = 0
    for pos in range(0, len(text) - _GRAM + 1, _GRAM):
        if pos < covered:
            continue
        for at in offsets.get(text[pos:pos + _GRAM], ()):
            start, s_start = pos, at
            while start > 0 and s_start > 0 and text[start - 1] == secret[s_start - 1]:
                start, s_start = start - 1, s_start - 1
            end, s_end = pos + _GRAM, at + _GRAM
            while end < len(text) and s_end < len(secret) and text[end] == secret[s_end]:
                end, s_end = end + 1, s_end + 1
            if end - start >= MIN_PIECE_LENGTH:
                spans.append((start, end))
                covered = max(covered, end)
    return spans


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of each secret in ``text`` by :func:`mask` of it, and every
    run of 16 or more characters that is part of a secret by ``<redacted part of a token>``.

    Longer secrets are replaced first so a secret that contains another is masked whole.
    Redact before cutting text to a length: the cut could leave a piece no rule recognises.
    """
    unique = sorted({s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len,
                    reverse=True)
    for secret in unique:
        if secret in text:
            text = text.replace(secret, mask(secret))
    for secret in unique:
        spans = _piece_spans(text, secret)
        if not spans:
            continue
        spans.sort()
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        parts: list[str] = []
        last = 0
        for start, end in merged:
            parts += [text[last:start], f"<redacted {end - start} chars of a token>"]
            last = end
        text = "".join(parts) + text[last:]
    return text


def redact_and_cut(text: str, secrets: Iterable[str | None], limit: int) -> str:
    """``text`` redacted, then cut to ``limit`` characters (redacting first: see
    :func:`redact`). Only the start of a long text is redacted: what the cut keeps, plus room
    for a token that starts before the cut."""
    known = [s for s in secrets if s]
    margin = max((len(s) for s in known), default=0)
    return redact(text[:limit + margin], known)[:limit]


class Secret:
    """A token held where a traceback could show it: Textual prints every frame's local
    variables when the app crashes, so a token kept in a plain local would be printed.
    ``repr`` and ``str`` give :func:`mask`; :meth:`reveal` gives the value to whoever needs it.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str | None) -> None:
        self._value = value or None

    def reveal(self) -> str | None:
        """The token itself (or None): for a request header or a comparison, never output."""
        return self._value

    def __bool__(self) -> bool:
        return self._value is not None

    def __repr__(self) -> str:
        return f"Secret({mask(self._value)})"

    __str__ = __repr__


class SecretHeaders(Mapping[str, str]):
    """Request headers that carry tokens. httpx reads them as a mapping; their ``repr`` (what a
    traceback shows of a frame's locals) masks every value."""

    __slots__ = ("_headers",)

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = dict(headers)

    def __getitem__(self, name: str) -> str:
        return self._headers[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers)

    def __len__(self) -> int:
        return len(self._headers)

    def __repr__(self) -> str:
        names = ", ".join(f"{name!r}: <redacted>" for name in self._headers)
        return f"SecretHeaders({{{names}}})"

    __str__ = __repr__


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
