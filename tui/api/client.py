"""RatingsClient: the async service layer over Apple's ratings endpoints.

Built on one ``httpx.AsyncClient`` whose transport is injectable, so the same code runs against
Apple, the embedded simulated API (:mod:`tui.api.simulated`) and test stubs. Nothing above this
layer knows httpx exists: callers get :class:`~tui.api.models.RatingResult` objects and the
exceptions of :mod:`tui.api.errors`.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import email.utils
import json
import math
import random
import re
import socket
import ssl
import time
import zlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from tui import __version__
from tui.api.errors import (
    AmRatingsError,
    BadInputError,
    ConfigurationError,
    MalformedResponseError,
    NetworkError,
    RequestTimeoutError,
    ResponseTooLargeError,
)
from tui.api.errors import error_from_response as error_from_response  # re-exported
from tui.api.errors import squash as _squash
from tui.api.exchange import Exchange as Exchange  # re-exported: the UI imports it from here
from tui.api.models import RatingRequest, RatingsResponse, ValidationError
from tui.api.results import CheckStep as CheckStep  # re-exported
from tui.api.results import RatingResult
from tui.api.types import RatingType, parse_rating_type, validate_id
from tui.api.urls import (
    DEFAULT_BASE_URL,
    environment_proxy,
    normalize_base_url,
    proxy_for_display,
)
from tui.tokens.redact import SecretHeaders, redact, redact_and_cut

DEFAULT_TIMEOUT = 10.0
DEFAULT_BATCH_SIZE = 100
DEFAULT_CONCURRENCY = 4
DEFAULT_MAX_ATTEMPTS = 4
DEFAULT_MAX_RETRY_WAIT = 30.0
#: Bodies above this are refused before they are loaded whole.
MAX_BODY_BYTES = 4 * 1024 * 1024
#: How much of a body an :class:`Exchange` keeps for the request inspector.
EXCHANGE_BODY_CHARS = 64 * 1024
#: An error body is read (and redacted) up to this many characters; its fields are cut far
#: shorter.
MAX_ERROR_BODY_CHARS = 256 * 1024

#: The one layer of Content-Encoding the client decodes (and the only ones it asks for):
#: decoded in steps with a cap on the output, so no body expands past ``max_body_bytes``.
DECODED_ENCODINGS = ("gzip", "x-gzip", "deflate")
#: One lookup sends at most this many requests per batch it needs (splits after a complaint
#: about the batch size included), and never fewer than MIN_REQUEST_CAP in all.
REQUESTS_PER_BATCH = 3
MIN_REQUEST_CAP = 16

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Tokens are sent as header values: visible ASCII only, no spaces, no line breaks.
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")
_BATCH_COMPLAINT_WORDS = ("ids", "too many", "batch", "limit", "too long", "too large")

Sleep = Callable[[float], Awaitable[None]]


#: Connection failures worth another attempt (the request may not have reached the server).
_RETRIED_TRANSPORT_ERRORS = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError,
                             httpx.WriteError)


@dataclass
class _LookupBudget:
    """What one multi-get may still send, and what it learned about the batch size.

    A complaint about the batch (400 on ``ids``, 413, 414) halves ``limit`` and splits the
    batch to it; when a single id is refused the same way the size is not the problem
    (``not_the_size``) and nothing is split any more. ``cap`` bounds the requests of the
    lookup at ``REQUESTS_PER_BATCH`` per batch of the size in force.
    """

    ids: int
    batch_size: int
    sent: int = 0
    limit: int | None = None
    not_the_size: bool = False
    last_refusal: AmRatingsError | None = None

    @property
    def cap(self) -> int:
        """The most requests this lookup may send."""
        size = self.batch_size if self.not_the_size or not self.limit else self.limit
        return max(REQUESTS_PER_BATCH * math.ceil(self.ids / size), MIN_REQUEST_CAP)


class _CappedDecoder:
    """Decodes a response body (identity, or one layer of gzip or deflate) as it arrives, never
    producing more than ``cap`` bytes: each step asks zlib for at most what the cap leaves, so
    a small compressed bomb stops at the cap instead of expanding a whole chunk in memory.
    Stacked (``gzip, gzip``) and unknown codings are refused before a byte is decoded."""

    def __init__(self, content_encoding: str | None, cap: int, status: int) -> None:
        self.cap = cap
        self.status = status
        self.size = 0
        self.parts: list[bytes] = []
        codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        shown = _squash(", ".join(codings), 80)
        if len(codings) > 1:
            raise MalformedResponseError(
                f"the response body is encoded {len(codings)} times over ({shown}); amratings "
                "decodes one layer of gzip or deflate", status=status)
        self.coding = codings[0] if codings else None
        if self.coding is not None and self.coding not in DECODED_ENCODINGS:
            raise MalformedResponseError(
                f"the response body has an encoding amratings did not ask for ({shown}); it "
                "asks for gzip or deflate only", status=status)
        self._zlib: Any = None
        self._raw_deflate_tried = False
        self._seen: list[bytes] = []  # deflate only, until its first output: for the fallback
        if self.coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.coding == "deflate":
            self._zlib = zlib.decompressobj()

    def feed(self, chunk: bytes) -> None:
        """Decode one chunk of the raw body; raises once the decoded size passes the cap."""
        if self._zlib is None:
            self._keep(chunk)
            return
        if self.coding == "deflate" and not self.size and not self._raw_deflate_tried:
            self._seen.append(chunk)
        try:
            data = self._zlib.decompress(chunk, self.cap - self.size + 1)
            self._keep(data)
            while self._zlib.unconsumed_tail:
                data = self._zlib.decompress(self._zlib.unconsumed_tail,
                                             self.cap - self.size + 1)
                self._keep(data)
        except zlib.error as exc:
            if self.coding == "deflate" and not self.size and not self._raw_deflate_tried:
                # "deflate" is zlib-wrapped by the standard, raw by some servers.
                self._raw_deflate_tried = True
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                seen, self._seen = b"".join(self._seen), []
                self.feed(seen)
                return
            raise MalformedResponseError(
                f"the response body could not be decoded ({self.coding}: {exc})",
                status=self.status) from None
        if self.size:
            self._seen = []

    def finish(self) -> bytes:
        """The whole decoded body; raises when a compressed body ends before its end."""
        if self._zlib is not None:
            try:
                self._keep(self._zlib.flush())
            except zlib.error as exc:
                raise MalformedResponseError(
                    f"the response body could not be decoded ({self.coding}: {exc})",
                    status=self.status) from None
            if not self._zlib.eof and (self.size or self._seen):
                raise MalformedResponseError(
                    f"the response body could not be decoded (the {self.coding} stream ends "
                    "early)", status=self.status)
        return b"".join(self.parts)

    def _keep(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self.size > self.cap:
            what = "decoded " if self._zlib is not None else ""
            raise ResponseTooLargeError(
                f"the {what}response is larger than the {self.cap:,}-byte cap",
                status=self.status)
        self.parts.append(data)


@dataclass
class _Retry:
    """An attempt worth repeating: the error to raise if no attempt is left, why, and how long
    Apple asked us to wait (``Retry-After``), if it did."""

    error: AmRatingsError
    reason: str
    after: float | None = None


class RatingsClient:
    """Async client for ``/v1/me/ratings/{type}``: get one, get many, set, clear, token checks.

    One instance owns one ``httpx.AsyncClient`` (connections are reused); use it as an async
    context manager or call :meth:`aclose`. Redirects are never followed, so tokens go only to
    the configured base URL. 429, 5xx and connection errors are retried with exponential
    backoff and jitter, honouring ``Retry-After``, bounded by ``max_attempts`` and
    ``max_retry_wait`` seconds of total waiting.
    """

    def __init__(
        self,
        developer_token: str | None,
        user_token: str | None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        batch_size: int = DEFAULT_BATCH_SIZE,
        concurrency: int = DEFAULT_CONCURRENCY,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        language: str | None = None,
        http2: bool = False,
        max_body_bytes: int = MAX_BODY_BYTES,
        backoff_base: float = 0.5,
        on_exchange: Callable[[Exchange], None] | None = None,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if batch_size < 1:
            raise BadInputError(f"batch size must be at least 1, got {batch_size}")
        if concurrency < 1:
            raise BadInputError(f"concurrency must be at least 1, got {concurrency}")
        if max_attempts < 1:
            raise BadInputError(f"attempts must be at least 1, got {max_attempts}")
        if timeout <= 0:
            raise BadInputError(f"timeout must be positive, got {timeout}")
        self._developer_token = developer_token or None
        self._user_token = user_token or None
        self.base_url = normalize_base_url(base_url)
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.max_retry_wait = max_retry_wait
        self.language = language
        self.max_body_bytes = max_body_bytes
        #: Bounds each attempt whole (connect, send, headers and body), in seconds.
        self.timeout = timeout
        self.backoff_base = backoff_base
        self.on_exchange = on_exchange
        self._sleep: Sleep = sleep or asyncio.sleep
        self._rng = rng or random.Random()
        #: The most recent attempts, newest last, for the request inspector.
        self.history: deque[Exchange] = deque(maxlen=200)
        self._learned_batch_limit: int | None = None
        #: The proxy from the environment for this base URL (never for a loopback host, where
        #: http would carry the tokens in clear text to it); None with an injected transport.
        self.proxy = environment_proxy(self.base_url) if transport is None else None
        self._http = httpx.AsyncClient(
            proxy=self.proxy,
            # CA settings (SSL_CERT_FILE, SSL_CERT_DIR) still come from the environment.
            verify=httpx.create_ssl_context(trust_env=True) if transport is None else True,
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            http2=http2 and transport is None,
            limits=httpx.Limits(max_connections=max(concurrency * 2, 10),
                                max_keepalive_connections=max(concurrency, 5)),
            headers={"Accept": "application/json", "User-Agent": f"amratings/{__version__}"},
            trust_env=False,  # proxies are chosen above, per host; no .netrc credentials
        )

        # Only the codings _CappedDecoder decodes (httpx would add br and zstd when their
        # packages are installed); set in place, so the headers keep their order.
        self._http.headers["Accept-Encoding"] = "gzip, deflate"

    def __repr__(self) -> str:
        return f"RatingsClient(base_url={self.base_url!r}, tokens=<redacted>)"

    async def __aenter__(self) -> RatingsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    @property
    def secrets(self) -> tuple[str | None, str | None]:
        """The two tokens, for redaction filters. Never print these."""
        return (self._developer_token, self._user_token)

    def set_tokens(self, developer_token: str | None, user_token: str | None) -> None:
        """Use new tokens for the following requests (the pool is kept)."""
        self._developer_token = developer_token or None
        self._user_token = user_token or None

    # ------------------------------------------------------------------ ratings operations

    async def get_rating(
        self,
        rating_type: RatingType | str,
        item_id: str,
        *,
        include: Sequence[str] | None = None,
        extend: Sequence[str] | None = None,
    ) -> RatingResult:
        """``GET /v1/me/ratings/{type}/{id}``: the rating of one item.

        A 404 (Apple's answer for an unrated item) and a resource without a value both give a
        result with ``value`` None. Other failures raise :class:`AmRatingsError`.
        """
        rtype = _as_type(rating_type)
        validate_id(item_id, rtype)
        status, body, exchange = await self._request(
            "GET", self._ratings_path(rtype, item_id), params=self._query(include, extend))
        if status == 404:
            return RatingResult(item_id, rtype.value, None)
        if status != 200:
            raise self._error(status, body, exchange)
        found = self._parse_ratings(body, exchange)
        return RatingResult(item_id, rtype.value, found.get(item_id, _only_value(found)))

    async def get_ratings(
        self,
        rating_type: RatingType | str,
        ids: Iterable[str],
        *,
        include: Sequence[str] | None = None,
        extend: Sequence[str] | None = None,
        on_results: Callable[[list[RatingResult]], None] | None = None,
        gate: asyncio.Semaphore | None = None,
    ) -> list[RatingResult]:
        """The ratings of many items, one result per id in input order.

        One id uses the single-item endpoint; more use ``?ids=`` in batches of
        ``batch_size``, ``concurrency`` batches in flight. A 400/413/414 that complains about
        the batch splits it in two and retries. A batch that fails gives each of its ids a
        result carrying the error, so one bad batch never hides the others. ``on_results`` is
        called with each batch's results as soon as they arrive. ``gate`` bounds the batches
        in flight together with other work that shares it (default: ``concurrency``).
        """
        rtype = _as_type(rating_type)
        wanted = list(ids)
        for item_id in wanted:
            validate_id(item_id, rtype)
        unique = list(dict.fromkeys(wanted))
        if not unique:
            return []
        if len(unique) == 1:
            try:
                one = await self.get_rating(rtype, unique[0], include=include, extend=extend)
            except AmRatingsError as exc:
                if isinstance(exc, BadInputError | ConfigurationError):
                    raise
                one = RatingResult(unique[0], rtype.value, None, error=exc)
            if on_results:
                on_results([one])
            return [_copy(one) for _ in wanted]

        results: dict[str, RatingResult] = {}
        gate = gate or asyncio.Semaphore(self.concurrency)
        size = min(self.batch_size, self._learned_batch_limit or self.batch_size)
        batches = [unique[i:i + size] for i in range(0, len(unique), size)]
        budget = _LookupBudget(len(unique), size)

        async def run(batch: list[str]) -> None:
            async with gate:
                got = await self._fetch_batch(rtype, batch, include, extend, budget)
            results.update(got)
            if on_results:
                on_results([got[i] for i in batch])

        try:
            async with asyncio.TaskGroup() as group:
                for batch in batches:
                    group.create_task(run(batch))
        except ExceptionGroup as group_error:
            # Batches turn API failures into per-id results; what escapes is a configuration
            # problem shared by every batch. Callers expect our own error, not a group.
            raise _first_leaf(group_error) from None
        return [_copy(results[i]) for i in wanted]

    async def set_rating(self, rating_type: RatingType | str, item_id: str,
                         value: int) -> RatingResult:
        """``PUT /v1/me/ratings/{type}/{id}`` with ``{"type": "ratings", "attributes":
        {"value": value}}``; ``value`` is 1 (like) or -1 (dislike). Returns the stored rating."""
        rtype = _as_type(rating_type)
        validate_id(item_id, rtype)
        # bool is an int in Python (True == 1): refuse it so a caller's bug is not a "like".
        if type(value) is not int or value not in (1, -1):
            raise BadInputError(f"rating value must be 1 (like) or -1 (dislike), got {value!r}",
                                hint="to remove a rating use clear, never -1")
        payload = RatingRequest.model_validate({"attributes": {"value": value}}).to_json()
        status, body, exchange = await self._request(
            "PUT", self._ratings_path(rtype, item_id), params=self._query(None, None),
            content=payload)
        if status == 204 or (status == 200 and not body.strip()):
            return RatingResult(item_id, rtype.value, value)
        if status != 200:
            raise self._error(status, body, exchange)
        found = self._parse_ratings(body, exchange)
        stored = found.get(item_id, _only_value(found))
        return RatingResult(item_id, rtype.value, stored if stored is not None else value)

    async def clear_rating(self, rating_type: RatingType | str, item_id: str) -> RatingResult:
        """``DELETE /v1/me/ratings/{type}/{id}``. 204 means cleared (``cleared`` True); 404
        means there was no rating (``cleared`` False, "already cleared"), which is not an error."""
        rtype = _as_type(rating_type)
        validate_id(item_id, rtype)
        status, body, exchange = await self._request(
            "DELETE", self._ratings_path(rtype, item_id), params=self._query(None, None))
        if status in (200, 204):
            return RatingResult(item_id, rtype.value, None, cleared=True)
        if status == 404:
            return RatingResult(item_id, rtype.value, None, cleared=False)
        raise self._error(status, body, exchange)

    async def get_json(self, path: str, params: dict[str, str] | None = None, *,
                       user_token: bool = True) -> tuple[Any, Exchange] | None:
        """``GET path`` (with ``l`` when a language is set): the parsed JSON body of a 200 and
        its exchange, or None for a 404 (Apple's "no items"). Other statuses raise."""
        query = dict(params or {})
        if self.language and "l" not in query:
            query["l"] = self.language
        status, body, exchange = await self._request("GET", path, params=query,
                                                     user_token=user_token)
        if status == 404:
            return None
        if status != 200:
            raise self._error(status, body, exchange)
        try:
            return _load_json(body), exchange
        except MalformedResponseError as exc:
            exc.exchange = exchange
            raise

    # ------------------------------------------------------------------ token checks

    async def check_developer_token(self) -> CheckStep:
        """``GET /v1/test`` with the developer token alone: 200 valid, 401 not."""
        return await self._check("Developer token", "/v1/test", user=False)

    async def check_user_token(self) -> CheckStep:
        """``GET /v1/me/storefront`` with both tokens: a dead music user token gives 403."""
        return await self._check("Music user token", "/v1/me/storefront", user=True)

    async def _check(self, name: str, path: str, *, user: bool) -> CheckStep:
        started = time.monotonic()
        try:
            status, body, exchange = await self._request("GET", path, user_token=user)
        except AmRatingsError as exc:
            return CheckStep(name, "GET", path, None, time.monotonic() - started, error=exc)
        elapsed = time.monotonic() - started
        if status != 200:
            return CheckStep(name, "GET", path, status, elapsed,
                             error=self._error(status, body, exchange))
        storefront = None
        try:
            data = json.loads(body)
            first = data["data"][0]
            storefront = f"{first['attributes']['name']} ({first['id']})"
        except (ValueError, KeyError, IndexError, TypeError, RecursionError):
            storefront = None
        return CheckStep(name, "GET", path, status, elapsed, storefront=storefront)

    # ------------------------------------------------------------------ internals

    def _ratings_path(self, rtype: RatingType, item_id: str | None = None) -> str:
        path = f"/v1/me/ratings/{rtype.value}"
        if item_id is not None:
            path += "/" + quote(item_id, safe="")
        return path

    def _query(self, include: Sequence[str] | None,
               extend: Sequence[str] | None) -> dict[str, str]:
        params: dict[str, str] = {}
        if include:
            params["include"] = ",".join(include)
        if self.language:
            params["l"] = self.language
        if extend:
            params["extend"] = ",".join(extend)
        return params

    async def _fetch_batch(self, rtype: RatingType, batch: list[str],
                           include: Sequence[str] | None, extend: Sequence[str] | None,
                           budget: _LookupBudget) -> dict[str, RatingResult]:
        """One ``?ids=`` request for ``batch`` (split first when the lookup learned that its
        size is refused); every id gets a result, failed ones carry the error."""
        if budget.limit and len(batch) > budget.limit and not budget.not_the_size:
            return await self._split(rtype, batch, include, extend, budget)
        if budget.sent >= budget.cap:
            return self._stopped(rtype, batch, budget)
        budget.sent += 1
        params = self._query(include, extend)
        params = {"ids": ",".join(batch), **params}
        try:
            status, body, exchange = await self._request(
                "GET", self._ratings_path(rtype), params=params)
            if status == 404:
                return {i: RatingResult(i, rtype.value, None) for i in batch}
            if status != 200:
                error = self._error(status, body, exchange)
                if _complains_about_batch(status, error):
                    budget.last_refusal = error
                    if len(batch) == 1:
                        # One id refused the same way: the size is not what the server
                        # minds, so no batch is split any further.
                        budget.not_the_size = True
                    elif not budget.not_the_size:
                        budget.limit = max(1, min(budget.limit or len(batch), len(batch)) // 2)
                        return await self._split(rtype, batch, include, extend, budget)
                raise error
            found = self._parse_ratings(body, exchange)
        except (BadInputError, ConfigurationError):
            raise
        except AmRatingsError as exc:
            return self._failed_batch(rtype, batch, exc)
        if budget.limit and len(batch) <= budget.limit and len(batch) > 1:
            # A size the server takes: later lookups start there (no wasted round trips).
            self._learned_batch_limit = min(self._learned_batch_limit or budget.limit,
                                            budget.limit)
        return {i: RatingResult(i, rtype.value, found.get(i)) for i in batch}

    async def _split(self, rtype: RatingType, batch: list[str], include: Sequence[str] | None,
                     extend: Sequence[str] | None,
                     budget: _LookupBudget) -> dict[str, RatingResult]:
        """Send ``batch`` as parts of the size the lookup has learned, one after another."""
        results: dict[str, RatingResult] = {}
        size = budget.limit or len(batch)
        for start in range(0, len(batch), size):
            results.update(await self._fetch_batch(rtype, batch[start:start + size], include,
                                                   extend, budget))
        return results

    def _failed_batch(self, rtype: RatingType, batch: list[str],
                      error: AmRatingsError) -> dict[str, RatingResult]:
        return {i: RatingResult(i, rtype.value, None, error=error) for i in batch}

    def _stopped(self, rtype: RatingType, batch: list[str],
                 budget: _LookupBudget) -> dict[str, RatingResult]:
        """The ids left when the lookup has sent all it may: they fail with the last refusal
        and a note saying why nothing more was sent."""
        note = (f"amratings stopped this lookup after {budget.sent} requests: the server kept "
                "refusing the ids, whatever the batch size")
        last = budget.last_refusal
        if last is not None:
            error = copy.copy(last)
            error.notes = [*last.notes, note]
        else:
            error = AmRatingsError(note)
        return self._failed_batch(rtype, batch, error)

    def _parse_ratings(self, body: bytes, exchange: Exchange) -> dict[str, int | None]:
        try:
            parsed = RatingsResponse.model_validate(_load_json(body))
        except MalformedResponseError as exc:
            exc.exchange = exchange
            raise
        except ValidationError as exc:
            problem = exc.errors()[0] if exc.errors() else {"msg": "wrong shape"}
            where = ".".join(str(p) for p in problem.get("loc", ()))
            error = MalformedResponseError(
                f"the ratings response has the wrong shape ({where or 'body'}: "
                f"{problem.get('msg', 'invalid')})", status=exchange.status)
            error.exchange = exchange
            raise error from None
        return {item.id: item.value for item in parsed.data}

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        content: str | None = None,
        user_token: bool = True,
    ) -> tuple[int, bytes, Exchange]:
        """Send one request with retries; return the final status, body and exchange.

        Error statuses are returned (the caller decides what 404 means); only failures with no
        usable answer raise.
        """
        url = self.base_url + path
        # No token in a plain local of this frame: a crash prints the frames' locals.
        headers = self._request_headers(user_token=user_token, json_body=content is not None)
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            outcome = await self._attempt(method, url, params, headers, content, attempt)
            if not isinstance(outcome, _Retry):
                return outcome
            # A retryable failure: wait and go again, within the attempt and time budgets.
            if attempt >= self.max_attempts:
                raise self._gave_up(outcome, attempt)
            delay = self._backoff(attempt) if outcome.after is None else outcome.after
            if waited + delay > self.max_retry_wait:
                raise self._gave_up(outcome, attempt)
            waited += delay
            await self._sleep(delay)

    def _request_headers(self, *, user_token: bool, json_body: bool) -> SecretHeaders:
        """The headers of a request, tokens included, in a mapping whose repr masks them."""
        for name, what in (("_developer_token", "developer token"),
                           ("_user_token", "music user token")):
            if getattr(self, name) and not _HEADER_SAFE.fullmatch(getattr(self, name)):
                # httpx would raise UnicodeEncodeError, or send a header-splitting value.
                raise ConfigurationError(
                    f"the {what} contains characters that cannot be sent in an HTTP header",
                    hint=f"paste the {what} again: it should be printable ASCII, without "
                         "spaces or line breaks")
        headers: dict[str, str] = {}
        if self._developer_token:
            headers["Authorization"] = f"Bearer {self._developer_token}"
        if user_token and self._user_token:
            headers["Music-User-Token"] = self._user_token
        if json_body:
            headers["Content-Type"] = "application/json"
        return SecretHeaders(headers)

    async def _attempt(self, method: str, url: str, params: dict[str, str] | None,
                       headers: SecretHeaders, content: str | None,
                       attempt: int) -> tuple[int, bytes, Exchange] | _Retry:
        """Send the request once and record the exchange.

        Returns the answer when there is one that is not worth retrying, a :class:`_Retry`
        when it is (429, 5xx, a refused or broken connection, a connect timeout); raises when
        there is nothing to retry (a body too large or undecodable, a read timeout, a host name
        that does not resolve, a failed TLS handshake).
        """
        request = self._http.build_request(method, url, params=params, headers=headers,
                                           content=content)
        exchange = Exchange(
            method=method,
            url=self._redact(str(request.url)),
            request_headers={k: self._redact(v) for k, v in request.headers.items()},
            request_body=content,
            attempt=attempt,
            proxy=proxy_for_display(self.proxy) if self.proxy else None,
        )
        started = time.monotonic()
        exchange.started_at = time.time()
        try:
            async with asyncio.timeout(self.timeout):
                status, body, resp_headers = await self._send(request, exchange)
        except ResponseTooLargeError as exc:
            raise self._failed(exchange, started, exc.message, exc) from None
        except MalformedResponseError as exc:
            raise self._failed(exchange, started, "undecodable body", exc) from None
        except TimeoutError:
            # The whole attempt (connect, send, headers, body) took longer than --timeout: a
            # server trickling bytes or a body that never ends. Not retried, like a read timeout.
            raise self._failed(exchange, started, "timed out (the whole attempt)",
                               RequestTimeoutError(
                                   f"no complete answer from {self._host()} within the "
                                   f"timeout ({self.timeout:g} s)", attempts=attempt)) from None
        except httpx.DecodingError as exc:
            # A body that does not match its Content-Encoding: an answer, but a broken one.
            raise self._failed(exchange, started, "undecodable body", MalformedResponseError(
                f"the response body could not be decoded ({_squash(str(exc))})")) from None
        except httpx.TimeoutException as exc:
            error = self._failed(exchange, started, f"timed out ({type(exc).__name__})",
                                 RequestTimeoutError(f"no answer from {self._host()} within "
                                                     "the timeout", attempts=attempt))
            if not isinstance(exc, httpx.ConnectTimeout):
                raise error from None
            return _Retry(error, "connect timeout")
        except httpx.TransportError as exc:
            problem = self._redact(_describe_transport_error(exc))
            error = self._failed(exchange, started, problem, NetworkError(
                f"could not reach {self._host()}: {problem}", attempts=attempt,
                hint=NetworkError.hint_for(problem)))
            permanent = problem.startswith(("the host name", "TLS handshake"))
            if permanent or not isinstance(exc, _RETRIED_TRANSPORT_ERRORS):
                raise error from None
            return _Retry(error, "connection error")
        exchange.elapsed = time.monotonic() - started
        exchange.status = status
        exchange.response_headers = {k: self._redact(v) for k, v in resp_headers.items()}
        exchange.response_body = redact_and_cut(
            body[:EXCHANGE_BODY_CHARS * 4].decode("utf-8", "replace"), self.secrets,
            EXCHANGE_BODY_CHARS)
        exchange.response_size = len(body)
        self._record(exchange)
        if status not in RETRY_STATUSES:
            return status, body, exchange
        return _Retry(self._error(status, body, exchange, attempts=attempt), f"HTTP {status}",
                      _retry_after_seconds(resp_headers.get("retry-after")))

    def _failed(self, exchange: Exchange, started: float, problem: str,
                error: AmRatingsError) -> AmRatingsError:
        """Record an attempt that got no usable answer; return ``error`` tied to it."""
        exchange.elapsed = time.monotonic() - started
        exchange.error = problem
        self._record(exchange)
        error.exchange = exchange
        return error

    async def _send(self, request: httpx.Request,
                    exchange: Exchange | None = None) -> tuple[int, bytes, httpx.Headers]:
        clock = asyncio.get_running_loop().time  # not ``time``: elapsed keeps its own readings
        sent = clock()
        response = await self._http.send(request, stream=True)
        if exchange is not None:
            exchange.waited = clock() - sent
            exchange.http_version = response.http_version
        try:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_body_bytes:
                raise ResponseTooLargeError(
                    f"the response declares {int(declared):,} bytes, above the "
                    f"{self.max_body_bytes:,}-byte cap", status=response.status_code)
            if response.is_stream_consumed:
                # An in-memory answer (a stub or simulated transport): already decoded.
                body = response.content
                if len(body) > self.max_body_bytes:
                    raise ResponseTooLargeError(
                        f"the response is larger than the {self.max_body_bytes:,}-byte cap",
                        status=response.status_code)
                return response.status_code, body, response.headers
            # The raw bytes, decoded here under the cap (httpx's decoder would expand a whole
            # chunk in one call: a few hundred bytes of stacked gzip make gigabytes).
            decoder = _CappedDecoder(response.headers.get("content-encoding"),
                                     self.max_body_bytes, response.status_code)
            async for chunk in response.aiter_raw():
                decoder.feed(chunk)
            return response.status_code, decoder.finish(), response.headers
        finally:
            await response.aclose()

    def _backoff(self, attempt: int) -> float:
        # Full jitter: a random wait up to base * 2^(attempt-1), never below a tenth of it.
        ceiling: float = self.backoff_base * (2 ** (attempt - 1))
        return ceiling * (0.1 + 0.9 * self._rng.random())

    def _gave_up(self, retry: _Retry, attempts: int) -> AmRatingsError:
        error = retry.error
        error.attempts = attempts
        if attempts > 1:
            error.notes.append(f"gave up after {attempts} attempts ({retry.reason})")
        if retry.after is not None and retry.after > 0:
            error.notes.append(f"Apple asked to retry after {retry.after:.0f} s")
        return error

    def _record(self, exchange: Exchange) -> None:
        self.history.append(exchange)
        if self.on_exchange is not None:
            self.on_exchange(exchange)

    def _redact(self, text: str) -> str:
        return redact(text, (self._developer_token, self._user_token))

    def _host(self) -> str:
        return urlsplit(self.base_url).netloc

    def _error(self, status: int, body: bytes, exchange: Exchange,
               attempts: int = 1) -> AmRatingsError:
        # A broken or hostile server may echo the tokens back in its error body; nothing that
        # reaches a person (message, Apple's fields, --json) may carry them. The body is
        # redacted before its fields are cut to length, so no cut leaves a piece behind.
        text = body[:MAX_ERROR_BODY_CHARS].decode("utf-8", "replace")
        error = error_from_response(status, self._redact(text).encode())
        info = error.apple
        error.apple = dataclasses.replace(
            info, **{name: self._redact(value) for name in ("code", "title", "detail", "parameter")
                     if isinstance(value := getattr(info, name), str)})
        error.message = self._redact(error.message)
        error.args = (error.message,)
        error.attempts = attempts
        error.exchange = exchange
        return error


# ---------------------------------------------------------------------- helpers


def _load_json(body: bytes) -> Any:
    if not body.strip():
        raise MalformedResponseError("the response body is empty where JSON was expected")
    try:
        return json.loads(body)
    except RecursionError:
        raise MalformedResponseError("the response body is nested too deeply") from None
    except ValueError:
        head = body[:80].decode("utf-8", "replace").lstrip()
        what = "an HTML page" if head.startswith("<") else "not JSON"
        raise MalformedResponseError(f"the response body is {what}") from None


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, min(seconds, 3600.0))


def _complains_about_batch(status: int, error: AmRatingsError) -> bool:
    if status in (413, 414):
        return True
    if status != 400:
        return False
    if (error.apple.parameter or "").lower() == "ids":
        return True
    text = f"{error.apple.title or ''} {error.apple.detail or ''}".lower()
    return any(word in text for word in _BATCH_COMPLAINT_WORDS)


def _describe_transport_error(exc: httpx.TransportError) -> str:
    # httpx's own message is often generic ("All connection attempts failed"); the OS error
    # underneath says what a person can act on.
    cause: BaseException | None = exc
    seen = 0
    while cause is not None and seen < 10:
        if isinstance(cause, socket.gaierror):
            return "the host name does not resolve"
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake failed ({cause.reason or cause})"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ConnectionResetError):
            return "the connection was reset"
        cause = cause.__cause__ or cause.__context__
        seen += 1
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if "name or service not known" in lowered or "nodename nor servname" in lowered or \
            "temporary failure in name resolution" in lowered:
        return "the host name does not resolve"
    if "ssl" in lowered or "tls" in lowered or "certificate" in lowered:
        return f"TLS handshake failed ({text})"
    if "refused" in lowered:
        return "connection refused"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return f"the connection broke ({text})"
    return text


def _first_leaf(group: BaseExceptionGroup[Exception]) -> BaseException:
    first: BaseException = group.exceptions[0]
    while isinstance(first, BaseExceptionGroup):
        first = first.exceptions[0]
    return first


def _as_type(rating_type: RatingType | str) -> RatingType:
    return rating_type if isinstance(rating_type, RatingType) else parse_rating_type(rating_type)


def _only_value(found: dict[str, int | None]) -> int | None:
    # Single-item answers normally echo the requested id; if the id differs (normalised by the
    # server), a one-element answer still belongs to the request.
    return next(iter(found.values())) if len(found) == 1 else None


def _copy(result: RatingResult) -> RatingResult:
    return RatingResult(result.id, result.type, result.value, error=result.error,
                        cleared=result.cleared)
