"""One HTTP attempt as a record: what ``-v`` prints, the request inspector and the error panel
show, and "Copy as curl" renders.

Light on purpose (standard library only): the UI types its boundary with :class:`Exchange`
before httpx is loaded. The service layer fills it in with the tokens already redacted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Exchange"]

#: Headers curl sets by itself, or that would be wrong when the command is run again.
_CURL_SKIPS = frozenset({"host", "content-length", "accept-encoding", "connection",
                         "user-agent"})


@dataclass
class Exchange:
    """One HTTP attempt as the request inspector and ``-v`` show it. Tokens are already redacted."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None = None
    status: int | None = None
    elapsed: float = 0.0
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""
    attempt: int = 1
    error: str | None = None
    #: When the attempt started (seconds since the epoch), for HAR's ``startedDateTime``.
    started_at: float | None = None
    #: The protocol the answer came in ("HTTP/1.1", "HTTP/2"); None without an answer.
    http_version: str | None = None
    #: Seconds from sending until the response headers arrived (HAR's ``wait``).
    waited: float | None = None
    #: The whole response body's size in bytes (``response_body`` keeps only its start).
    response_size: int | None = None
    #: The proxy the attempt went through (from the environment, credentials masked).
    proxy: str | None = None

    def request_line(self) -> str:
        """``> GET https://.../v1/me/ratings/songs/1`` for ``-v``."""
        return f"> {self.method} {self.url}"

    def outcome(self) -> str:
        """``403 in 12 ms (attempt 4)``, or ``timed out ... after 10000 ms``."""
        took = f"{self.elapsed * 1000:.0f} ms"
        attempt = f" (attempt {self.attempt})" if self.attempt > 1 else ""
        if self.status is None:
            return f"{self.error or 'no response'} after {took}{attempt}"
        return f"{self.status} in {took}{attempt}"

    def response_line(self) -> str:
        """``< 200 in 12 ms`` (or the failure) for ``-v``."""
        return f"< {self.outcome()}"

    def summary(self) -> str:
        """The attempt on one line: ``GET https://... → 403 in 12 ms (attempt 4)``."""
        return f"{self.method} {self.url} → {self.outcome()}"

    def to_curl(self, developer_token: str | None = None, user_token: str | None = None, *,
                multiline: bool = False) -> str:
        """This request as a curl command.

        Without tokens the token headers refer to the environment variables
        (``$APPLE_MUSIC_DEVELOPER_TOKEN``), so the command is redacted yet still runs where
        they are set. Pass the real tokens only after the user explicitly asked to reveal them.
        ``multiline``: the same command with one option a line (`` \\`` continuations), to
        show on screen.
        """
        parts = [f"curl -sS -X {self.method}", _shell_quote(self.url)]
        for name, value in self.request_headers.items():
            lname = name.lower()
            if lname == "authorization":
                parts.append("-H " + _header_arg(f"{name}: Bearer ", developer_token,
                                                 "APPLE_MUSIC_DEVELOPER_TOKEN"))
            elif lname == "music-user-token":
                parts.append("-H " + _header_arg(f"{name}: ", user_token,
                                                 "APPLE_MUSIC_USER_TOKEN"))
            elif lname not in _CURL_SKIPS:
                parts.append("-H " + _shell_quote(f"{name}: {value}"))
        if self.request_body:
            parts.append("--data " + _shell_quote(self.request_body))
        # No indentation after the continuations: a screen too narrow for the URL wraps it at
        # its start, and an indented line would wrap into a blank one first.
        return (" \\\n" if multiline else " ").join(parts)


def _shell_quote(text: str) -> str:
    """``text`` as one single-quoted shell word: nothing in it is expanded."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _header_arg(prefix: str, token: str | None, variable: str) -> str:
    """A token header as one shell word: the real token single-quoted when given, else a
    reference to ``$variable`` (the only part the shell may expand)."""
    if token:
        return _shell_quote(prefix + token)
    return _shell_quote(prefix) + f'"${variable}"'
