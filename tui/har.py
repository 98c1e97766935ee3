"""HAR 1.2 export of the requests a session sent ("send me what you saw").

One entry per attempt, retries included, built from the exchange records the service layer
keeps (:class:`tui.api.client.Exchange`). Those records hold the tokens already masked
(``<redacted 27 chars sha256:1a2b3c4d>``); in the file a masked header value becomes the bare
fingerprint (``Bearer sha256:1a2b3c4d``) and the entry carries ``"_redacted": true``. The real
tokens go in only when the caller passes them in ``reveal`` (the user asked for them: the
``--har-include-tokens`` flag, or a confirmed y/n in the TUI); a token the session used earlier
and no longer knows stays redacted.

The format follows the HAR 1.2 specification (log, creator, entries with request, response,
cache and timings). Times the client does not measure are 0 (``send``), never -1, which the
specification forbids for ``send``, ``wait`` and ``receive``. No Textual and no httpx here.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from tui import __version__

if TYPE_CHECKING:
    from tui.api.client import Exchange

HAR_VERSION = "1.2"
#: A token as the exchange records hold it (see ``tui.tokens.redact.mask``).
_MASKED = re.compile(r"<redacted \d+ chars (sha256:[0-9a-f]{8})>")


class HarRecorder:
    """Collects every exchange of a run (the client's own history keeps only the latest)."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        #: The tokens the recorded requests were sent with, for ``--har-include-tokens``.
        self.tokens: set[str] = set()

    def record(self, exchange: Exchange, tokens: Iterable[str | None] = ()) -> None:
        """Keep ``exchange`` and the tokens it was sent with."""
        self.exchanges.append(exchange)
        self.tokens.update(token for token in tokens if token)


#: The recorder of this process, when ``--har`` asked for one (see :func:`start_recording`).
_recorder: HarRecorder | None = None


def start_recording() -> HarRecorder:
    """Record every exchange of every client built from now on (``tui.backend.make_client``
    hands them here), for ``--har``. Returns the recorder."""
    global _recorder
    _recorder = HarRecorder()
    return _recorder


def recording() -> HarRecorder | None:
    """The active recorder, if any."""
    return _recorder


def stop_recording() -> None:
    """Stop recording (tests run many sessions in one process)."""
    global _recorder
    _recorder = None


def build_har(exchanges: Iterable[Exchange], *,
              reveal: Iterable[str | None] = ()) -> dict[str, Any]:
    """The HAR 1.2 document of ``exchanges``, in the order they started.

    ``reveal``: tokens to put back in clear where the records masked them. Empty (the
    default): every token stays redacted.
    """
    from tui.tokens.redact import mask

    unmask = {mask(token): token for token in reveal if token}
    ordered = sorted(exchanges, key=lambda e: e.started_at or 0.0)
    return {"log": {
        "version": HAR_VERSION,
        "creator": {"name": "amratings", "version": __version__},
        "entries": [_entry(exchange, unmask) for exchange in ordered],
        "comment": ("Token header values are replaced by their sha256 fingerprint in entries "
                    "marked _redacted." if not unmask else
                    "Contains the real tokens where they were known: keep this file private."),
    }}


def har_text(exchanges: Iterable[Exchange], *, reveal: Iterable[str | None] = ()) -> str:
    """:func:`build_har` as indented JSON text."""
    return json.dumps(build_har(exchanges, reveal=reveal), indent=2, ensure_ascii=False) + "\n"


def write_har(path: str | os.PathLike[str], exchanges: Iterable[Exchange], *,
              reveal: Iterable[str | None] = ()) -> int:
    """Write the HAR file; return the number of entries. A file with tokens in it is created
    readable by its owner only (0600). Raises ``OSError`` when it cannot be written."""
    secrets = [token for token in reveal if token]
    items = list(exchanges)
    text = har_text(items, reveal=secrets)
    mode = 0o600 if secrets else 0o644
    fd = os.open(Path(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    if secrets:
        os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    return len(items)


def default_filename(now: datetime | None = None) -> str:
    """``amratings-20261203-081500.har``: a name for a new export."""
    return f"amratings-{(now or datetime.now()).strftime('%Y%m%d-%H%M%S')}.har"


def _entry(exchange: Exchange, unmask: dict[str, str]) -> dict[str, Any]:
    redacted = False

    def clear(text: str) -> str:
        for masked, token in unmask.items():
            text = text.replace(masked, token)
        return text

    def header_list(headers: dict[str, str]) -> list[dict[str, str]]:
        nonlocal redacted
        out = []
        for name, value in headers.items():
            value = clear(value)
            if _MASKED.search(value):
                redacted = True
                value = _MASKED.sub(r"\1", value)
            out.append({"name": name, "value": value})
        return out

    url = clear(exchange.url)
    request_body = clear(exchange.request_body) if exchange.request_body else None
    response_text = clear(exchange.response_body)
    redacted = any(_MASKED.search(text) for text in (url, request_body or "", response_text))
    request_headers = header_list(exchange.request_headers)
    response_headers = header_list(exchange.response_headers)
    version = exchange.http_version or "HTTP/1.1"

    request: dict[str, Any] = {
        "method": exchange.method,
        "url": url,
        "httpVersion": version,
        "cookies": [],
        "headers": request_headers,
        "queryString": [{"name": name, "value": value}
                        for name, value in parse_qsl(urlsplit(url).query,
                                                     keep_blank_values=True)],
        "headersSize": -1,
        "bodySize": len(request_body.encode("utf-8")) if request_body else 0,
    }
    if request_body is not None:
        request["postData"] = {"mimeType": _header(exchange.request_headers, "content-type")
                               or "application/json", "text": request_body}

    total_ms = max(exchange.elapsed, 0.0) * 1000
    if exchange.status is None:
        # No answer (timeout, refused, reset): status 0, as browsers record a failed request.
        response: dict[str, Any] = {
            "status": 0, "statusText": "", "httpVersion": "", "cookies": [], "headers": [],
            "content": {"size": 0, "mimeType": "x-unknown"}, "redirectURL": "",
            "headersSize": -1, "bodySize": -1,
            "_error": exchange.error or "no response",
        }
        wait_ms = total_ms
    else:
        size = exchange.response_size
        if size is None:
            size = len(exchange.response_body.encode("utf-8"))
        content: dict[str, Any] = {
            "size": size,
            "mimeType": _header(exchange.response_headers, "content-type") or "x-unknown",
            "text": response_text,
        }
        if len(exchange.response_body.encode("utf-8")) < size:
            content["comment"] = "text holds only the start of the body"
        encoded = _header(exchange.response_headers, "content-encoding")
        response = {
            "status": exchange.status,
            "statusText": _reason(exchange.status),
            "httpVersion": version,
            "cookies": [],
            "headers": response_headers,
            "content": content,
            "redirectURL": _header(exchange.response_headers, "location") or "",
            "headersSize": -1,
            # Bytes on the wire are unknown when the body came compressed (-1 is allowed here).
            "bodySize": -1 if encoded and encoded.lower() != "identity" else size,
        }
        if exchange.error:
            response["_error"] = exchange.error
        waited = exchange.waited if exchange.waited is not None else exchange.elapsed
        wait_ms = min(max(waited, 0.0) * 1000, total_ms)
    timings = {"send": 0.0, "wait": round(wait_ms, 3), "receive": round(total_ms - wait_ms, 3)}
    entry: dict[str, Any] = {
        "startedDateTime": _iso(exchange.started_at),
        "time": round(timings["send"] + timings["wait"] + timings["receive"], 3),
        "request": request,
        "response": response,
        "cache": {},
        "timings": timings,
        "_attempt": exchange.attempt,
    }
    if redacted:
        entry["_redacted"] = True
    return entry


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _iso(timestamp: float | None) -> str:
    """ISO 8601 with milliseconds and a zone, as HAR asks (``2026-12-03T08:15:00.123Z``)."""
    when = datetime.fromtimestamp(timestamp, UTC) if timestamp else datetime.now(UTC)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
