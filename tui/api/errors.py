"""One exception hierarchy for everything the service layer can fail with, and how each failure
is worded.

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

Every error carries the HTTP status, Apple's ``code``/``title``/``detail`` when present, and the
request it belongs to. Each class words itself: its ``headline`` (the error panel's title),
:meth:`~AmRatingsError.at_fault` (which token, if any, is to blame), its ``hint`` (what to do
next) and :meth:`~AmRatingsError.check_diagnosis` (what ``token check`` says about it). Those
words are written here and nowhere else; the error panel, the CLI and the token check only
read them. :func:`error_from_response` maps an HTTP status and Apple's error body to the class.

Light on purpose (standard library only; Apple's error body is validated by
:mod:`tui.api.models`, imported when a body is parsed): the UI imports these classes before the
first frame.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from tui.api.limits import TOKEN_LIFETIME_LIMIT

if TYPE_CHECKING:
    from tui.api.exchange import Exchange

NEITHER_TOKEN = "Neither token: this is not a token problem."
NOTHING_SENT = "Nothing was sent."


@dataclass(frozen=True)
class AppleErrorInfo:
    """The first entry of Apple's ``{"errors": [...]}`` body, reduced to what a person reads."""

    code: str | None = None
    title: str | None = None
    detail: str | None = None
    parameter: str | None = None

    def describe(self) -> str | None:
        """``40300 Forbidden: Invalid authentication (parameter l)``, or None when empty."""
        if not (self.code or self.title or self.detail):
            return None
        text = " ".join(b for b in (self.code, self.title) if b)
        if self.detail:
            text = f"{text}: {self.detail}" if text else self.detail
        if self.parameter:
            text += f" (parameter {self.parameter})"
        return text


def squash(text: str, limit: int = 200) -> str:
    """``text`` on one line of printable characters, cut at ``limit``."""
    one = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return one if len(one) <= limit else one[: limit - 3] + "..."


def _times(count: int) -> str:
    return f"{count} time" if count == 1 else f"{count} times"


class AmRatingsError(Exception):
    """Base of every error the service and token layers raise on purpose."""

    #: Exit status for the command line: 1 the API or network failed, 2 bad input/configuration.
    exit_code: int = 1
    #: Short label used in a row's note and ``--json``: "Developer token rejected".
    kind: str = "Error"
    default_hint: str | None = None
    #: What ``token check`` says when a step fails with this error (empty: nothing specific,
    #: and the check words the failure from the step's point of view).
    diagnosis: ClassVar[tuple[str, ...]] = ()

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
        #: The request this error belongs to, when there was one.
        self.exchange: Exchange | None = None

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

    @property
    def headline(self) -> str:
        """What failed, in a few words: the error panel's title."""
        return self.kind

    @property
    def retried(self) -> str:
        """``, retried 3 times`` (empty when the request was sent once)."""
        retries = max(self.attempts - 1, 0)
        return f", retried {_times(retries)}" if retries else ""

    def at_fault(self, developer: str, user: str) -> str:
        """Which token is to blame, as a sentence. ``developer`` and ``user`` name the two
        tokens as the caller knows them (``the developer token sha256:1a2b3c4d (from env)``)."""
        return NEITHER_TOKEN

    def check_diagnosis(self) -> list[str]:
        """What ``token check`` says about a step that failed this way (empty when the check
        words it from the step's point of view)."""
        return list(self.diagnosis)

    def details(self) -> list[str]:
        """What the panel adds below the headline: the message (what happened: which host,
        what the body was) and the notes. "gave up after N attempts" is in the headline."""
        return [self.message] + [n for n in self.notes if not n.startswith("gave up after")]

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

    @property
    def headline(self) -> str:
        """``Cannot send: bad input``."""
        return "Cannot send: bad input"

    def at_fault(self, developer: str, user: str) -> str:
        """Nothing was sent, so no token is to blame."""
        return NOTHING_SENT


class ConfigurationError(AmRatingsError):
    """Missing token, bad base URL or similar; found before any request."""

    exit_code = 2
    kind = "Configuration missing"

    @property
    def headline(self) -> str:
        """``Cannot send: configuration missing``."""
        return "Cannot send: configuration missing"

    def at_fault(self, developer: str, user: str) -> str:
        """Nothing was sent, so no token is to blame."""
        return NOTHING_SENT


class ApiError(AmRatingsError):
    """Apple answered with an error status."""

    kind = "Apple Music API error"
    #: The message for this status, before Apple's own words (``{status}`` is filled in).
    status_message: ClassVar[str] = "Apple answered HTTP {status}"

    def details(self) -> list[str]:
        """The notes: an API error's message only repeats the headline."""
        return [n for n in self.notes if not n.startswith("gave up after")]


class DeveloperTokenError(ApiError):
    """401: Apple rejected the developer token (or the user is not signed in/subscribed)."""

    kind = "Developer token rejected"
    status_message = "Apple rejected the developer token"
    default_hint = (
        "The developer token (JWT) was rejected: check it is ES256-signed with your MusicKit "
        "key, that kid is the 10-character key ID and iss your Team ID, that it has not "
        f"expired and that exp is less than {TOKEN_LIFETIME_LIMIT} ahead. Run "
        "`amratings token status`."
    )
    diagnosis = (
        "Apple rejected the developer token (401 on /v1/test, a request that sends no music "
        "user token).",
        f"Likely causes: it has expired, or its exp is {TOKEN_LIFETIME_LIMIT} or more ahead; "
        "it was signed with another key than the MusicKit key its kid names, or iss is not the "
        "Team ID that owns that key; the key was revoked or MusicKit is not enabled for it; it "
        "is not ES256.",
    )

    @property
    def headline(self) -> str:
        """``401 Unauthorized: Apple rejected the developer token``."""
        return "401 Unauthorized: Apple rejected the developer token"

    def at_fault(self, developer: str, user: str) -> str:
        """The developer token (or the account behind the music user token)."""
        return (f"{developer.capitalize()}. Apple also answers 401 when the "
                "account is not signed in or has no subscription.")


class UserTokenError(ApiError):
    """403: Apple rejected the music user token."""

    kind = "Music user token rejected"
    status_message = "Apple rejected the music user token"
    default_hint = (
        "The music user token was rejected: it may have expired, been revoked (password "
        "change), been issued for another developer token, or the account has not accepted "
        "the media privacy prompt. Get a new one through MusicKit, then run "
        "`amratings token set user`."
    )
    diagnosis = (
        "Apple rejected the music user token (403 on /v1/me/storefront; the developer token "
        "passed /v1/test).",
        "Likely causes: it expired or was revoked (a password change revokes it); it was issued "
        "for another developer token (a music user token works only with the developer token it "
        "was obtained with, so a token from another key or team fails); the account has not "
        "accepted the media and Apple Music privacy prompt.",
        "Get a new one through MusicKit with this developer token, then run "
        "`amratings token set user`.",
    )

    @property
    def headline(self) -> str:
        """``403 Forbidden: Apple rejected the music user token``."""
        return "403 Forbidden: Apple rejected the music user token"

    def at_fault(self, developer: str, user: str) -> str:
        """The music user token."""
        return f"{user.capitalize()}."


class NotFoundError(ApiError):
    """404. For ratings it means "not rated" (GET) or "already cleared" (DELETE)."""

    kind = "Not found"
    status_message = "not found"
    default_hint = "Apple has no such resource; for ratings this means the item is not rated."

    @property
    def headline(self) -> str:
        """``404 Not found``."""
        return "404 Not found"


class RateLimitedError(ApiError):
    """429 on every attempt: too many requests for this developer token."""

    kind = "Rate limited"
    status_message = "rate limited by Apple"
    default_hint = ("Apple is limiting requests for this developer token. It clears by itself "
                    "shortly: wait a minute and try again, or send fewer ids at once.")
    diagnosis = (
        "Apple is rate-limiting requests for this developer token (429): the token itself was "
        "accepted. This clears by itself shortly; try again in a minute.",
    )

    @property
    def headline(self) -> str:
        """``429 Too Many Requests: rate limited, retried 3 times``."""
        return f"429 Too Many Requests: rate limited{self.retried}"

    def at_fault(self, developer: str, user: str) -> str:
        """Neither token, but the limit counts the developer token's requests."""
        return f"Neither token is invalid; the limit counts requests made with {developer}."


class ServerError(ApiError):
    """5xx on every attempt."""

    kind = "Apple server error"
    status_message = "Apple's server failed (HTTP {status})"
    default_hint = "Apple's servers failed; this is usually transient. Try again shortly."
    diagnosis = (
        "Apple's servers failed (5xx), so the tokens were not judged; this is usually "
        "transient. Try again shortly.",
    )

    @property
    def headline(self) -> str:
        """``503 Server error: Apple's server failed, retried 3 times``."""
        return f"{self.status} Server error: Apple's server failed{self.retried}"


class RequestRejectedError(ApiError):
    """Any other 4xx: a bad parameter, an unknown type, a request too large."""

    kind = "Request rejected"
    status_message = "Apple refused the request (HTTP {status})"
    default_hint = "Apple refused the request as sent; Apple's detail says which part."

    @property
    def headline(self) -> str:
        """``400 Request rejected: Apple refused the request as sent``."""
        return f"{self.status} Request rejected: Apple refused the request as sent"


class NetworkError(AmRatingsError):
    """No HTTP answer: DNS, refused or reset connection, TLS failure."""

    kind = "Network failure"
    default_hint = ("Could not reach the API. Check the network, the base URL and any proxy; "
                    "http:// is only allowed for loopback addresses.")

    @property
    def headline(self) -> str:
        """``Network failure: could not reach the API, retried 3 times``."""
        return f"Network failure: could not reach the API{self.retried}"

    def check_diagnosis(self) -> list[str]:
        """No answer, so the tokens were not judged; then the hint."""
        return ["No answer from the API, so the tokens were not judged.",
                self.hint or "Check the network, the base URL and any proxy."]

    @staticmethod
    def hint_for(problem: str) -> str | None:
        """A hint more specific than :attr:`default_hint` for ``problem`` (the transport's
        failure as :mod:`tui.api.client` words it), or None when the generic one fits."""
        if problem.startswith("TLS handshake"):
            return ("The server did not complete a TLS handshake. If --base-url points at a "
                    "local plain-HTTP server, use http:// (allowed for loopback only); "
                    "otherwise check the port, any proxy and the system certificates.")
        if problem.startswith("the host name"):
            return ("Check the host name in --base-url (or APPLE_MUSIC_API_BASE_URL) and your "
                    "DNS.")
        return None


class RequestTimeoutError(NetworkError):
    """No answer within the per-request timeout."""

    kind = "Timed out"
    default_hint = "The API did not answer in time. Try again, or raise --timeout."

    @property
    def headline(self) -> str:
        """``Timed out: no answer in time, retried 3 times``."""
        return f"Timed out: no answer in time{self.retried}"


class MalformedResponseError(AmRatingsError):
    """An answer whose body is not what Apple documents (not JSON, wrong shape, bad value)."""

    kind = "Malformed response"
    default_hint = ("The answer did not match Apple's documented format. If you use a proxy or "
                    "a custom --base-url, check it; otherwise try again.")

    @property
    def headline(self) -> str:
        """``Malformed response: the answer is not what Apple documents``."""
        return "Malformed response: the answer is not what Apple documents"


class ResponseTooLargeError(MalformedResponseError):
    """A body above the size cap; refused before it is loaded whole."""

    kind = "Response too large"

    @property
    def headline(self) -> str:
        """``Response too large: refused before loading it``."""
        return "Response too large: refused before loading it"


# ---------------------------------------------------------------------- from an HTTP answer


def error_class_for(status: int) -> type[ApiError] | None:
    """The class for an error status (4xx, 5xx), or None for any other status."""
    if status == 401:
        return DeveloperTokenError
    if status == 403:
        return UserTokenError
    if status == 404:
        return NotFoundError
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return ServerError
    if 400 <= status < 500:
        return RequestRejectedError
    return None


def error_from_response(status: int, body: bytes) -> AmRatingsError:
    """Map an error status and its body (errors JSON, other JSON, text, HTML or empty) to the
    matching exception. Parsing is defensive: a 401 body may be empty, plain text or JSON."""
    info, summary = read_error_body(body)
    cls = error_class_for(status)
    if cls is None:
        if 300 <= status < 400:
            return ApiError(f"unexpected redirect (HTTP {status}); redirects are not followed "
                            "so tokens only go to the configured base URL", status=status,
                            apple=info, hint="check --base-url")
        return MalformedResponseError(f"unexpected HTTP status {status}", status=status,
                                      apple=info)
    if summary and not info.detail:
        info = AppleErrorInfo(code=info.code, title=info.title, detail=summary,
                              parameter=info.parameter)
    return cls(cls.status_message.format(status=status), status=status, apple=info)


def read_error_body(body: bytes) -> tuple[AppleErrorInfo, str | None]:
    """Apple's first error entry, or (when the body is something else) a one-line summary of
    what the body was: plain text, an HTML page, JSON without Apple's errors list."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return AppleErrorInfo(), None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        from tui.api.models import ErrorsResponse, ValidationError  # pydantic: after 1st frame

        try:
            errors = ErrorsResponse.model_validate(data).errors
            if errors:
                # A hostile or broken server must not reach the terminal with escape codes.
                raw = errors[0].info()
                return AppleErrorInfo(
                    code=squash(raw.code, 40) if raw.code else raw.code,
                    title=squash(raw.title) if raw.title else raw.title,
                    detail=squash(raw.detail, 500) if raw.detail else raw.detail,
                    parameter=squash(raw.parameter, 80) if raw.parameter else raw.parameter,
                ), None
        except ValidationError:
            pass
        for key in ("message", "error", "detail", "title"):
            if isinstance(data.get(key), str):
                return AppleErrorInfo(), squash(data[key])
        return AppleErrorInfo(), "a JSON body without Apple's errors list"
    if data is not None:
        return AppleErrorInfo(), "a JSON body without Apple's errors list"
    if text[:1] == "<" or "<html" in text[:200].lower():
        lowered = text.lower()
        start, end = lowered.find("<title>"), lowered.find("</title>")
        title = squash(text[start + 7:end]) if 0 <= start < end else ""
        return AppleErrorInfo(), f"an HTML page{': ' + title if title else ''} (likely a gateway)"
    return AppleErrorInfo(), squash(text)
