"""The embedded simulated Apple Music API: an httpx transport that behaves as Apple does.

Used by ``amratings --demo``, the snapshot tests and the unit tests. It is deliberately strict
in the ways Apple is, as its reference pages and working clients show:

- both tokens are checked: 401 when the developer token is missing, not an ES256 JWT with a
  10-character ``kid`` and ``iss``, expired, not yet valid or valid for too long (``exp`` at or
  past ``MAX_TOKEN_LIFETIME`` after now); 403 with Apple's observed body when the music user
  token is missing or not one it issued;
- single GET of an unrated item is 404 with an errors body; multi GET leaves unrated ids out
  (and answers ``200 {"data": []}`` or 404 when none is rated, as configured);
- PUT stores ``1``/``-1`` and answers a RatingsResponse; DELETE answers 204, or 404 when there
  was no rating; the catalog and library sides of an item (``LINKED_PAIRS``) keep the same
  rating, as at Apple; singular or unknown types are 400/40008; a library id sent to a catalog
  type is 400 ("Ratings not allowed for resource type"); more ids than ``max_ids`` is 400 on
  ``ids``.

The library and the catalog (listings, lookups by ids, both searches, an invented library with
names: :mod:`tui.api.simulated_library`) are built on the first request that needs them.

State lives in the instance, so PUT/DELETE persist for a run. Latency and faults (5xx, 429,
malformed bodies, broken connections, timeouts) can be injected for tests and demos.
:meth:`SimulatedAppleMusic.handle` is plain and synchronous, so a loopback HTTP server can serve
the same simulation over a real socket.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from tui.api.limits import MAX_TOKEN_LIFETIME
from tui.api.simulated_library import DEFAULT_LIBRARY_SIZE, SimulatedLibrary
from tui.api.types import ID_RULES, RatingType, id_problem

#: The music user token the simulation accepts by default. Obviously fake.
DEMO_USER_TOKEN = "demo-music-user-token-NOT-A-REAL-TOKEN-0000"
DEMO_TEAM_ID = "DEMOTEAM01"
DEMO_KEY_ID = "DEMOKEY001"
DEFAULT_MAX_IDS = 200

#: The seeded library: (type, id) -> 1 / -1 for rated items; ids listed in ``UNRATED`` exist but
#: carry no rating. Ids follow Apple's documented formats; several are Apple's own examples.
SEED_RATINGS: dict[tuple[str, str], int] = {
    ("library-music-videos", "i.NJv00rkTEaLK51"): 1,
    ("library-music-videos", "i.B0VNN8Bf9dYXOV"): -1,
    ("library-music-videos", "i.4wKvA9ZQo1RZb3"): 1,
    ("library-songs", "i.7PJNN4mfXlD68R"): 1,
    ("library-songs", "i.xrXvO5vFv0VrNA"): -1,
    ("library-songs", "i.e5Ql2JbAmxVp0W"): 1,
    ("library-albums", "l.qrRWYhq"): 1,
    ("library-albums", "l.Xk2Mv8d"): -1,
    ("library-playlists", "p.MoGJYM3CYXW09B"): 1,
    ("library-playlists", "p.YJXV7ZNc4bAk2e"): -1,
    ("songs", "907242702"): 1,
    ("songs", "1440857781"): -1,
    ("albums", "1138988512"): 1,
    ("albums", "1440857761"): -1,
    ("music-videos", "639032181"): 1,
    ("music-videos", "1445923441"): -1,
    ("playlists", "pl.5b0194eaa170401e8986335d7e77aa4e"): 1,
    ("playlists", "pl.u-8aAVZAJsLgq3o"): -1,
    ("stations", "ra.840950253"): 1,
    ("stations", "ra.853851860"): -1,
}
#: Library items added from the catalog, and their catalog items: Apple keeps the ratings of the
#: two in sync (rate one and the other has the same rating). Seeded with equal ratings.
LINKED_PAIRS: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = (
    (("library-songs", "i.7PJNN4mfXlD68R"), ("songs", "907242702")),
    (("library-songs", "i.xrXvO5vFv0VrNA"), ("songs", "1440857781")),
    (("library-songs", "i.gY6p0Rm2LkQa8Z"), ("songs", "1151618586")),
    (("library-albums", "l.qrRWYhq"), ("albums", "1138988512")),
    (("library-albums", "l.Xk2Mv8d"), ("albums", "1440857761")),
    (("library-albums", "l.hRrflgc"), ("albums", "1440881047")),
    (("library-music-videos", "i.NJv00rkTEaLK51"), ("music-videos", "639032181")),
    (("library-music-videos", "i.B0VNN8Bf9dYXOV"), ("music-videos", "1445923441")),
    (("library-music-videos", "i.Pz7Lk0aW3qYd1M"), ("music-videos", "1442986390")),
    (("library-playlists", "p.MoGJYM3CYXW09B"),
     ("playlists", "pl.5b0194eaa170401e8986335d7e77aa4e")),
    (("library-playlists", "p.YJXV7ZNc4bAk2e"), ("playlists", "pl.u-8aAVZAJsLgq3o")),
)
#: Each side of a linked pair -> the other side.
LINKED: dict[tuple[str, str], tuple[str, str]] = {
    **{library: catalog for library, catalog in LINKED_PAIRS},
    **{catalog: library for library, catalog in LINKED_PAIRS},
}
UNRATED: dict[str, tuple[str, ...]] = {
    "library-music-videos": ("i.Pz7Lk0aW3qYd1M", "i.Vv9KqR2mT5sXcE"),
    "library-songs": ("i.gY6p0Rm2LkQa8Z",),
    "library-albums": ("l.hRrflgc",),
    "library-playlists": ("p.8Wx6vK6IQeP0N2",),
    "songs": ("1151618586",),
    "albums": ("1440881047",),
    "music-videos": ("1442986390",),
    "playlists": ("pl.f4d106fed2bd41149aaacabb233eb5eb",),
    "stations": ("ra.978194965",),
}

_STOREFRONT = {
    "id": "us", "type": "storefronts", "href": "/v1/storefronts/us",
    "attributes": {"name": "United States", "defaultLanguageTag": "en-US",
                   "supportedLanguageTags": ["en-US", "es-MX"]},
}
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_demo_developer_token(now: float | None = None, days: float = 90,
                              team_id: str = DEMO_TEAM_ID, key_id: str = DEMO_KEY_ID,
                              alg: str = "ES256", extra: dict[str, Any] | None = None) -> str:
    """A JWT-shaped developer token for the simulation. Its signature is a fixed fake string:
    it is never valid at Apple, and the simulation (like us) cannot verify signatures anyway."""
    issued = int(time.time() if now is None else now)
    header = {"alg": alg, "kid": key_id, "typ": "JWT"}
    claims: dict[str, Any] = {"iss": team_id, "iat": issued, "exp": issued + int(days * 86400)}
    claims.update(extra or {})
    return ".".join([
        _b64url(json.dumps(header, separators=(",", ":")).encode()),
        _b64url(json.dumps(claims, separators=(",", ":")).encode()),
        _b64url(b"demo-signature-not-valid-at-apple"),
    ])


def developer_token_problem(token: str, now: float) -> str | None:
    """Why Apple would answer 401 for this developer token, or None if it would pass."""
    parts = token.split(".")
    if len(parts) != 3:
        return "not a JWT"
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, TypeError):
        return "not a JWT"
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return "not a JWT"
    if header.get("alg") != "ES256":
        return "alg is not ES256"
    if not isinstance(header.get("kid"), str) or len(header["kid"]) != 10:
        return "kid is not a 10-character key id"
    if not isinstance(claims.get("iss"), str) or len(claims["iss"]) != 10:
        return "iss is not a 10-character team id"
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        return "exp or iat missing"
    if exp <= now:
        return "expired"
    if iat > now + 60:
        return "not yet valid"
    if exp - now >= MAX_TOKEN_LIFETIME:
        return "exp too far ahead"
    return None


@dataclass
class Fault:
    """One injected misbehaviour, used for the next ``times`` matching requests.

    ``status``/``body``/``headers`` replace the answer; ``kind`` may instead be ``"reset"``
    (the connection breaks), ``"connect"`` (connection refused) or ``"timeout"`` (no answer).
    ``path_contains``, ``query_contains`` and ``method`` narrow which requests it hits.
    """

    status: int = 500
    body: bytes | str | dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    kind: str = "response"
    path_contains: str | None = None
    method: str | None = None
    query_contains: str | None = None

    def matches(self, method: str, path: str, query: str = "") -> bool:
        """True if this fault applies to the request."""
        return (self.times > 0 and (self.method is None or self.method == method)
                and (self.path_contains is None or self.path_contains in path)
                and (self.query_contains is None or self.query_contains in query))


def apple_error(status: int, code: str, title: str, detail: str | None = None,
                parameter: str | None = None) -> dict[str, Any]:
    """An errors body in Apple's shape."""
    entry: dict[str, Any] = {"id": str(uuid.uuid4()).upper().replace("-", "")[:26],
                             "title": title, "status": str(status), "code": code}
    if detail is not None:
        entry["detail"] = detail
    if parameter is not None:
        entry["source"] = {"parameter": parameter}
    return {"errors": [entry]}


@dataclass
class SimResponse:
    """A plain answer: what :meth:`SimulatedAppleMusic.handle` returns."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = "response"


class SimulatedAppleMusic(httpx.AsyncBaseTransport):
    """A faithful, stateful simulation of Apple's ratings API, as an httpx transport.

    ``developer_tokens``: the tokens whose "signature" passes; None accepts any well-formed,
    unexpired ES256 JWT (the demo). ``user_tokens``: the music user tokens it issued.
    """

    def __init__(
        self,
        *,
        developer_tokens: Iterable[str] | None = None,
        user_tokens: Iterable[str] = (DEMO_USER_TOKEN,),
        seed: bool = True,
        latency: float = 0.0,
        max_ids: int = DEFAULT_MAX_IDS,
        none_rated_status: int = 200,
        clock: Callable[[], float] = time.time,
        library_size: int = DEFAULT_LIBRARY_SIZE,
    ) -> None:
        self.developer_tokens = set(developer_tokens) if developer_tokens is not None else None
        self.user_tokens = set(user_tokens)
        self.ratings: dict[tuple[str, str], int] = dict(SEED_RATINGS) if seed else {}
        self._seed = seed
        self.latency = latency
        self.max_ids = max_ids
        self.none_rated_status = none_rated_status
        self.clock = clock
        self.faults: list[Fault] = []
        #: Every request seen: (method, path with query), for assertions.
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        #: Each side of a library/catalog pair -> the other side (generated pairs join later).
        self.links: dict[tuple[str, str], tuple[str, str]] = dict(LINKED)
        self.library_size = library_size
        self._library: SimulatedLibrary | None = None

    @property
    def library(self) -> SimulatedLibrary:
        """The invented library and catalog, built (with their ratings) on first use."""
        with self._lock:
            if self._library is None:
                seeded = [(key, LINKED.get(key)) for key in
                          [*SEED_RATINGS, *((t, i) for t, ids in UNRATED.items() for i in ids)]
                          if key[0].startswith("library-") or key not in LINKED]
                self._library = SimulatedLibrary(
                    self.library_size, ratings=self.ratings, links=self.links, seeded=seeded,
                    rated=self._seed)
            return self._library

    # -- test and demo controls ------------------------------------------------------------

    def inject(self, *faults: Fault) -> None:
        """Queue faults; each is used for its next ``times`` matching requests."""
        with self._lock:
            self.faults.extend(faults)

    def rating_of(self, rating_type: str, item_id: str) -> int | None:
        """The stored rating, for assertions."""
        return self.ratings.get((rating_type, item_id))

    @staticmethod
    def sample_ids(rating_type: str) -> list[str]:
        """The seeded ids of one type, rated first then unrated (for demos)."""
        rated = [i for (t, i) in SEED_RATINGS if t == rating_type]
        return rated + list(UNRATED.get(rating_type, ()))

    # -- httpx transport ----------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        if self.latency:
            await asyncio.sleep(self.latency)
        answer = self.handle(request.method, str(request.url), dict(request.headers), body)
        if answer.kind == "reset":
            raise httpx.ReadError("connection reset by peer", request=request)
        if answer.kind == "connect":
            raise httpx.ConnectError("connection refused", request=request)
        if answer.kind == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body,
                              request=request)

    # -- the simulation itself ----------------------------------------------------------

    def handle(self, method: str, url: str, headers: dict[str, str], body: bytes) -> SimResponse:
        """Answer one request as Apple would. ``headers`` keys are matched case-insensitively."""
        parts = urlsplit(url)
        raw_path = parts.path
        with self._lock:
            self.requests.append((method, raw_path + (f"?{parts.query}" if parts.query else "")))
            fault = next((f for f in self.faults if f.matches(method, raw_path, parts.query)),
                         None)
            if fault is not None:
                fault.times -= 1
        if fault is not None:
            return _fault_response(fault)
        lower = {k.lower(): v for k, v in headers.items()}
        query = parse_qs(parts.query, keep_blank_values=True)
        segments = [unquote(s) for s in raw_path.split("/")[1:]]
        # Accept a path prefix (a local proxy): find where /v1 starts.
        if "v1" in segments:
            segments = segments[segments.index("v1"):]
        else:
            return _json(404, apple_error(404, "40400", "Resource Not Found"))

        auth = self._check_developer_token(lower.get("authorization"))
        if auth is not None:
            return auth
        if segments == ["v1", "test"]:
            return _json(200, {"meta": {"status": "ok"}}) if method == "GET" else _not_allowed()
        if segments[:2] == ["v1", "catalog"] and len(segments) >= 4:
            return self._catalog(method, segments, query)
        if segments[:2] == ["v1", "storefronts"] and len(segments) == 3:
            if segments[2] != "us":
                return _json(404, apple_error(404, "40400", "Resource Not Found"))
            return _json(200, {"data": [_STOREFRONT]})
        if len(segments) < 3 or segments[1] != "me":
            return _json(404, apple_error(404, "40400", "Resource Not Found"))
        user = self._check_user_token(lower.get("music-user-token"))
        if user is not None:
            return user
        if segments[2:] == ["storefront"]:
            return _json(200, {"data": [_STOREFRONT]})
        if segments[2] == "library" and len(segments) == 4:
            return self._library_request(method, segments[3], query)
        if segments[2] != "ratings" or len(segments) not in (4, 5):
            return _json(404, apple_error(404, "40400", "Resource Not Found"))
        if self._library is None and not self._only_seeded(segments, query):
            self.library  # noqa: B018 - builds the library, whose items carry ratings too
        bad_language = self._check_language(query)
        if bad_language is not None:
            return bad_language
        rating_type = segments[3]
        if rating_type not in ID_RULES:
            return _json(400, apple_error(400, "40008", "Invalid Path Value",
                                          f"Invalid resource type '{rating_type}'"))
        if len(segments) == 4:
            if method != "GET":
                return _not_allowed()
            return self._get_many(rating_type, query)
        item_id = segments[4]
        problem = id_problem(item_id, RatingType(rating_type))
        if problem is not None:
            detail = ("Ratings not allowed for resource type"
                      if item_id.startswith(("l.", "i.", "p.")) != rating_type.startswith("library")
                      else f"Invalid id '{item_id[:80]}'")
            return _json(400, apple_error(400, "40005", "Invalid Parameter Value", detail, "id"))
        key = (rating_type, item_id)
        if method == "GET":
            value = self.ratings.get(key)
            if value is None:
                return _not_found(item_id)
            return _json(200, {"data": [self._resource(rating_type, item_id, value)]})
        if method == "PUT":
            value_or_error = _parse_rating_request(body, lower.get("content-type", ""))
            if isinstance(value_or_error, SimResponse):
                return value_or_error
            with self._lock:
                self.ratings[key] = value_or_error
                if key in self.links:
                    self.ratings[self.links[key]] = value_or_error
            return _json(200, {"data": [self._resource(rating_type, item_id, value_or_error)]})
        if method == "DELETE":
            with self._lock:
                existed = self.ratings.pop(key, None)
                if existed is not None and key in self.links:
                    self.ratings.pop(self.links[key], None)
            if existed is None:
                return _not_found(item_id)
            return SimResponse(204)
        return _not_allowed()

    @staticmethod
    def _only_seeded(segments: list[str], query: dict[str, list[str]]) -> bool:
        """True when a ratings request names only seeded ids: answering it needs no library
        (which keeps the demo's first lookup as quick as before the library existed)."""
        rating_type = segments[3]
        ids = [segments[4]] if len(segments) == 5 else \
            [i for i in ",".join(query.get("ids", [])).split(",") if i]
        return all((rating_type, i) in SEED_RATINGS or i in UNRATED.get(rating_type, ())
                   for i in ids)

    def _library_request(self, method: str, kind: str,
                         query: dict[str, list[str]]) -> SimResponse:
        if method != "GET":
            return _not_allowed()
        bad_language = self._check_language(query)
        if bad_language is not None:
            return bad_language
        if kind == "search":
            return _json(*self.library.search(query, library=True))
        return _json(*self.library.listing(kind, query))

    def _catalog(self, method: str, segments: list[str],
                 query: dict[str, list[str]]) -> SimResponse:
        # The catalog needs the developer token only (already checked).
        if method != "GET":
            return _not_allowed()
        if len(segments) == 5 and segments[3] != "search":
            # One item by id: the same answer as ?ids= with one id.
            query = {**query, "ids": [segments[4]]}
        elif len(segments) != 4:
            return _json(404, apple_error(404, "40400", "Resource Not Found"))
        bad_language = self._check_language(query)
        if bad_language is not None:
            return bad_language
        storefront, kind = segments[2], segments[3]
        if kind == "search":
            return _json(*self.library.search(query, library=False, storefront=storefront))
        return _json(*self.library.catalog_lookup(storefront, kind, query))

    def _get_many(self, rating_type: str, query: dict[str, list[str]]) -> SimResponse:
        raw = ",".join(query.get("ids", []))
        ids = [i for i in raw.split(",") if i]
        if not ids:
            return _json(400, apple_error(400, "40005", "Invalid Parameter Value",
                                          "Missing required parameter 'ids'", "ids"))
        if len(ids) > self.max_ids:
            return _json(400, apple_error(
                400, "40005", "Invalid Parameter Value",
                f"Too many ids: {len(ids)} given, at most {self.max_ids} allowed", "ids"))
        for item_id in ids:
            if id_problem(item_id, RatingType(rating_type)) is not None:
                return _json(400, apple_error(400, "40005", "Invalid Parameter Value",
                                              f"Invalid id '{item_id[:80]}' in 'ids'", "ids"))
        data = [self._resource(rating_type, i, self.ratings[(rating_type, i)])
                for i in dict.fromkeys(ids) if (rating_type, i) in self.ratings]
        if not data and self.none_rated_status == 404:
            return _json(404, apple_error(404, "40400", "Resource Not Found"))
        return _json(200, {"data": data})

    def _resource(self, rating_type: str, item_id: str, value: int) -> dict[str, Any]:
        return {"id": item_id, "type": "ratings",
                "href": f"/v1/me/ratings/{rating_type}/{item_id}",
                "attributes": {"value": value}}

    def _check_developer_token(self, authorization: str | None) -> SimResponse | None:
        # Apple's 401s for the developer token come with an empty body.
        if not authorization or not authorization.startswith("Bearer "):
            return SimResponse(401)
        token = authorization[len("Bearer "):].strip()
        if developer_token_problem(token, self.clock()) is not None:
            return SimResponse(401)
        if self.developer_tokens is not None and token not in self.developer_tokens:
            return SimResponse(401)  # a signature Apple cannot verify with the team's key
        return None

    def _check_user_token(self, user_token: str | None) -> SimResponse | None:
        if not user_token or user_token not in self.user_tokens:
            return _json(403, apple_error(403, "40300", "Forbidden", "Invalid authentication"))
        return None

    def _check_language(self, query: dict[str, list[str]]) -> SimResponse | None:
        for value in query.get("l", []):
            if not _LANGUAGE_TAG.fullmatch(value):
                return _json(400, apple_error(400, "40005", "Invalid Parameter Value",
                                              f"Invalid language tag '{value[:40]}'", "l"))
        return None


def _parse_rating_request(body: bytes, content_type: str) -> int | SimResponse:
    def bad(detail: str) -> SimResponse:
        error = apple_error(400, "40005", "Invalid Parameter Value", detail)
        error["errors"][0]["source"] = {"pointer": "/data/attributes/value"}
        return _json(400, error)

    if "json" not in content_type.lower():
        return _json(415, apple_error(415, "41500", "Unsupported Media Type"))
    try:
        data = json.loads(body)
    except ValueError:
        return bad("Request body is not valid JSON")
    if not isinstance(data, dict) or data.get("type") not in ("ratings", "rating"):
        return bad("Request body type must be 'ratings'")
    attributes = data.get("attributes")
    value = attributes.get("value") if isinstance(attributes, dict) else None
    if type(value) is not int or value not in (1, -1):
        return bad("Rating value must be 1 or -1")
    return value


def _json(status: int, payload: Any) -> SimResponse:
    return SimResponse(status, json.dumps(payload, separators=(",", ":")).encode(),
                       {"content-type": "application/json;charset=utf-8"})


def _not_found(item_id: str) -> SimResponse:
    return _json(404, apple_error(404, "40400", "Resource Not Found",
                                  f"Resource with requested id was not found: {item_id[:80]}"))


def _not_allowed() -> SimResponse:
    return _json(405, apple_error(405, "40500", "Method Not Allowed"))


def _fault_response(fault: Fault) -> SimResponse:
    if fault.kind != "response":
        return SimResponse(0, kind=fault.kind)
    headers = dict(fault.headers)
    if isinstance(fault.body, dict):
        body = json.dumps(fault.body).encode()
        headers.setdefault("content-type", "application/json;charset=utf-8")
    elif isinstance(fault.body, str):
        body = fault.body.encode()
    else:
        body = fault.body or b""
    return SimResponse(fault.status, body, headers)
