"""One exception hierarchy for everything the service layer can fail with.

::

    AmRatingsError
    ├── BadInputError            bad id, type or option; found before any request (exit 2)
    ├── ConfigurationError       missing token, bad base URL; found before any request (exit 2)
    ├── ApiError                 Apple answered with an error status
    │   ├── DeveloperTokenError  401: developer token missing, malformed, expired, ...
    │   ├── UserTokenError       403: music user token missing, expired, revoked, ...
    │   ├── NotFoundError        404 (callers turn it into "not rated" / "already cleared")
    │   ├── RateLimitedError     429 after every retry
    │   ├── ServerError          5xx after every retry
    │   └── RequestRejectedError any other 4xx (400 bad parameter, 413, 414, ...)
    ├── NetworkError             no HTTP answer at all
    │   └── RequestTimeoutError  no answer within the timeout
    └── MalformedResponseError   an answer that is not what Apple documents
        └── ResponseTooLargeError

Every error carries the HTTP status, Apple's ``code``/``title``/``detail`` when present, and a
plain-language ``hint`` saying what to do next. The hints live here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AppleErrorInfo:
    """The first entry of Apple's ``{"errors": [...]}`` body, reduced to what a person reads."""

    code: str | None = None
    title: str | None = None
    detail: str | None = None
    parameter: str | None = None


class AmRatingsError(Exception):
    """Base of every error the service and token layers raise on purpose."""

    #: Exit status for the command line: 1 the API or network failed, 2 bad input/configuration.
    exit_code: int = 1
    #: Short label used as a panel title: "Developer token rejected".
    kind: str = "Error"
    default_hint: str | None = None

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        apple: AppleErrorInfo | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint
        self.status = status
        self.apple = apple or AppleErrorInfo()
        self.attempts = attempts
        #: What is locally wrong with a token, added by callers that know the token.
        self.notes: list[str] = []
        #: The request this error belongs to (a ``tui.api.client.Exchange``), when there was one.
        self.exchange: Any = None

    @property
    def code(self) -> str | None:
        """Apple's error code (``"40300"``), when the body carried one."""
        return self.apple.code

    @property
    def title(self) -> str | None:
        """Apple's error title, when the body carried one."""
        return self.apple.title

    @property
    def detail(self) -> str | None:
        """Apple's error detail, when the body carried one."""
        return self.apple.detail

    def one_line(self) -> str:
        """The error as one line: status, Apple's code and title, and the message."""
        parts: list[str] = []
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.apple.code:
            parts.append(f"code {self.apple.code}")
        head = " ".join(parts)
        text = self.message
        if self.apple.detail and self.apple.detail not in text:
            text = f"{text}: {self.apple.detail}"
        return f"{head}: {text}" if head else text

    def to_json(self) -> dict[str, Any]:
        """The ``error`` object of ``get --json``: status, code, title, detail (and kind/hint)."""
        return {
            "status": self.status,
            "code": self.apple.code,
            "title": self.apple.title or self.kind,
            "detail": self.apple.detail or self.message,
            "kind": type(self).__name__,
            "hint": self.hint,
        }

    def __str__(self) -> str:
        return self.one_line()


class BadInputError(AmRatingsError):
    """An id, type or option that cannot be sent; found before any request."""

    exit_code = 2
    kind = "Bad input"


class ConfigurationError(AmRatingsError):
    """Missing token, bad base URL or similar; found before any request."""

    exit_code = 2
    kind = "Configuration missing"


class ApiError(AmRatingsError):
    """Apple answered with an error status."""

    kind = "Apple Music API error"


class DeveloperTokenError(ApiError):
    """401: Apple rejected the developer token (or the user is not signed in/subscribed)."""

    kind = "Developer token rejected"
    default_hint = (
        "The developer token (JWT) was rejected: check it is ES256-signed with your MusicKit "
        "key, that kid is the 10-character key ID and iss your Team ID, that it has not "
        "expired and that exp is at most 180 days after iat. Run `amratings token status`."
    )


class UserTokenError(ApiError):
    """403: Apple rejected the music user token."""

    kind = "Music user token rejected"
    default_hint = (
        "The music user token was rejected: it may have expired, been revoked (password "
        "change), been issued for another developer token, or the account has not accepted "
        "the media privacy prompt. Get a new one through MusicKit, then run "
        "`amratings token set user`."
    )


class NotFoundError(ApiError):
    """404. For ratings it means "not rated" (GET) or "already cleared" (DELETE)."""

    kind = "Not found"
    default_hint = "Apple has no such resource; for ratings this means the item is not rated."


class RateLimitedError(ApiError):
    """429 on every attempt: too many requests for this developer token."""

    kind = "Rate limited"
    default_hint = ("Apple is limiting requests for this developer token. It clears by itself "
                    "shortly: wait a minute and try again, or send fewer ids at once.")


class ServerError(ApiError):
    """5xx on every attempt."""

    kind = "Apple server error"
    default_hint = "Apple's servers failed; this is usually transient. Try again shortly."


class RequestRejectedError(ApiError):
    """Any other 4xx: a bad parameter, an unknown type, a request too large."""

    kind = "Request rejected"
    default_hint = "Apple refused the request as sent; Apple's detail says which part."


class NetworkError(AmRatingsError):
    """No HTTP answer: DNS, refused or reset connection, TLS failure."""

    kind = "Network failure"
    default_hint = ("Could not reach the API. Check the network, the base URL and any proxy; "
                    "http:// is only allowed for loopback addresses.")


class RequestTimeoutError(NetworkError):
    """No answer within the per-request timeout."""

    kind = "Timed out"
    default_hint = "The API did not answer in time. Try again, or raise --timeout."


class MalformedResponseError(AmRatingsError):
    """An answer whose body is not what Apple documents (not JSON, wrong shape, bad value)."""

    kind = "Malformed response"
    default_hint = ("The answer did not match Apple's documented format. If you use a proxy or "
                    "a custom --base-url, check it; otherwise try again.")


class ResponseTooLargeError(MalformedResponseError):
    """A body above the size cap; refused before it is loaded whole."""

    kind = "Response too large"
