"""The library service: walk a whole library with its ratings, names for ids, search, bulk
set/clear and applying an export.

Apple has no endpoint that lists ratings; the only way to export them is to walk the library
and ask for the ratings of each page. :class:`LibraryService` does that on top of a
:class:`~tui.api.client.RatingsClient` (its retries, redaction and request records apply to
every request here), with at most ``client.concurrency`` requests in flight:

- :meth:`LibraryService.walk`: pages of ``/v1/me/library/{kind}`` are fetched by offset in
  parallel once the first page gives ``meta.total``, and each page's ratings (one multi-get)
  overlap the fetches of later pages. ``next`` is followed past ``meta.total`` and never a
  short page ends the walk. A page that fails after every retry is recorded, not fatal.
- :meth:`LibraryService.lookup_items`: names by ids, from the library for library types and
  from the catalog in the user's storefront for catalog types.
- :meth:`LibraryService.search`: catalog or library search, with the ratings of the matches.
- :meth:`LibraryService.set_many` / :meth:`LibraryService.clear_many`: one PUT / DELETE per id,
  results in input order as they complete.
- :meth:`LibraryService.plan_apply` / :meth:`LibraryService.apply`: the PUTs and DELETEs that
  make Apple match a list of wanted ratings, and nothing else.
"""

from __future__ import annotations

import asyncio
import bisect
import re
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, ValidationError

from tui.api.client import RatingsClient
from tui.api.errors import (
    AmRatingsError,
    BadInputError,
    ConfigurationError,
    MalformedResponseError,
)
from tui.api.library_models import (
    LibraryItem,
    LibraryRow,
    Resource,
    ResourcePage,
    SearchResponse,
    StorefrontResponse,
)
from tui.api.models import RatingResult
from tui.api.types import RatingType, id_problem, parse_rating_type, validate_id

#: Apple answers 400 above these.
MAX_PAGE_LIMIT = 100
MAX_SEARCH_LIMIT = 25
DEFAULT_SEARCH_LIMIT = 5
#: Ids per lookup by ids (Apple's catalog answered 504 at 300; 150 is the safe ceiling).
LOOKUP_BATCH = 100
#: Pages fetched ahead of the first page not yet handed out, per request in flight: bounds the
#: memory of a walk whose consumer is slower than the network.
WINDOW_PER_SLOT = 3
#: A walk never fetches more pages than this (a server whose ``next`` never ends).
MAX_PAGES = 10_000

LIBRARY_TYPES: tuple[RatingType, ...] = (
    RatingType.LIBRARY_SONGS, RatingType.LIBRARY_ALBUMS, RatingType.LIBRARY_MUSIC_VIDEOS,
    RatingType.LIBRARY_PLAYLISTS)
#: What search looks for without ``types``.
DEFAULT_CATALOG_SEARCH: tuple[RatingType, ...] = (
    RatingType.SONGS, RatingType.ALBUMS, RatingType.MUSIC_VIDEOS)
DEFAULT_LIBRARY_SEARCH = LIBRARY_TYPES

_STOREFRONT_ID = re.compile(r"[a-z]{2}")
#: Names that ``include`` and ``extend`` may carry (sent as given).
PARAMETER_NAME = re.compile(r"[A-Za-z0-9_.-]+")

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class RatedFilter(StrEnum):
    """Which rows of a walk to keep, by rating."""

    ALL = "all"
    LIKED = "liked"
    DISLIKED = "disliked"
    RATED = "rated"
    UNRATED = "unrated"

    def accepts(self, row: LibraryRow) -> bool:
        """True when ``row`` passes this filter (a failed rating passes only ``all``)."""
        if self is RatedFilter.ALL:
            return True
        if row.rating.error is not None:
            return False
        value = row.rating.value
        return {RatedFilter.LIKED: value == 1, RatedFilter.DISLIKED: value == -1,
                RatedFilter.RATED: value is not None,
                RatedFilter.UNRATED: value is None}[self]


def parse_parameter_names(text: str, option: str) -> list[str]:
    """Split ``include`` / ``extend`` values on commas; each must be letters, digits, ``-``,
    ``_`` or ``.``, else :class:`BadInputError` naming the option."""
    names = [piece.strip() for piece in text.split(",") if piece.strip()]
    if not names:
        raise BadInputError(f"{option} needs at least one name")
    for name in names:
        if not PARAMETER_NAME.fullmatch(name):
            raise BadInputError(f"{option}: {name[:40]!r} is not a valid name",
                                hint="names are letters, digits, '-', '_' and '.', "
                                     "separated by commas")
    return names


def library_path(rating_type: RatingType) -> str:
    """``/v1/me/library/songs`` for ``library-songs``."""
    if not rating_type.is_library:
        raise BadInputError(f"{rating_type.value} is not a library type",
                            hint="choose one of: " + ", ".join(t.value for t in LIBRARY_TYPES))
    return "/v1/me/library/" + rating_type.value.removeprefix("library-")


@dataclass(frozen=True)
class WalkProgress:
    """How far a walk is: items and pages done, and the totals once known."""

    items_done: int
    pages_done: int
    pages_total: int | None
    items_total: int | None


@dataclass(frozen=True)
class PageFailure:
    """A page of a walk that could not be read after every retry."""

    offset: int
    limit: int
    error: AmRatingsError
    #: The listing's total when known; without it nothing after this page could be found.
    total: int | None = None

    def describe(self) -> str:
        """``items 3601-3700 of 10000 (page 37)``."""
        last = self.offset + self.limit
        if self.total is not None:
            last = min(last, self.total)
            of = f" of {self.total}"
        else:
            of = " and any after them"
        return (f"items {self.offset + 1}-{last}{of} (page {self.offset // self.limit + 1}) "
                "were not read")


@dataclass
class _Page:
    offset: int
    resources: list[Resource] = field(default_factory=list)


class LibraryWalk:
    """One walk of one library type: iterate with ``async for rows in walk`` to get the rows
    of each page, in library order. After the iteration ``total`` (Apple's ``meta.total``),
    ``failures`` (pages not read) and ``progress`` say how it went."""

    def __init__(self, service: LibraryService, rating_type: RatingType, *,
                 include: Sequence[str] | None, extend: Sequence[str] | None,
                 on_progress: Callable[[WalkProgress], None] | None,
                 on_page: Callable[[int, list[LibraryItem]], None] | None = None) -> None:
        self._service = service
        self.rating_type = rating_type
        self._include = include
        self._extend = extend
        self._on_progress = on_progress
        self._on_page = on_page
        self.limit = service.page_limit
        self.total: int | None = None
        self.failures: list[PageFailure] = []
        self.progress = WalkProgress(0, 0, None, None)
        # Scheduling state, guarded by _changed.
        self._changed = asyncio.Condition()
        self._order: list[int] = []          # every planned offset, ascending
        self._planned: set[int] = set()
        self._to_fetch: deque[int] = deque()  # planned, not started (ascending)
        self._to_rate: deque[_Page] = deque()
        self._done: dict[int, list[LibraryRow]] = {}
        self._emitted = 0
        self._busy = 0
        self._workers_left = 0
        self._crash: BaseException | None = None

    def __aiter__(self) -> AsyncGenerator[list[LibraryRow], None]:
        return self._rows()

    async def _rows(self) -> AsyncGenerator[list[LibraryRow], None]:
        client = self._service.client
        first = await self._fetch(0)
        if first is None:  # 404: an empty library
            self._report()
            return
        self._order.append(0)
        self._planned.add(0)
        self._plan_from(first[1], first[2], 0)
        self._fetched(first[0])
        self._to_rate.append(first[0])
        window = max(2, client.concurrency * WINDOW_PER_SLOT)
        self._workers_left = client.concurrency
        workers = [asyncio.create_task(self._work(window)) for _ in range(client.concurrency)]
        try:
            while True:
                async with self._changed:
                    while True:
                        if self._crash is not None:
                            raise self._crash
                        if (self._emitted < len(self._order)
                                and self._order[self._emitted] in self._done):
                            rows = self._done.pop(self._order[self._emitted])
                            self._emitted += 1
                            self._changed.notify_all()
                            break
                        if self._workers_left == 0:
                            return
                        await self._changed.wait()
                if rows:
                    yield rows
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def _work(self, window: int) -> None:
        try:
            while True:
                job = await self._next_job(window)
                if job is None:
                    return
                if isinstance(job, _Page):
                    rows = await self._service._rate(self.rating_type, job.resources)
                    async with self._changed:
                        self._done[job.offset] = rows
                        self._busy -= 1
                        self._advance(len(rows))
                        self._changed.notify_all()
                    continue
                offset = job
                try:
                    fetched = await self._fetch(offset)
                except AmRatingsError as exc:
                    if isinstance(exc, BadInputError | ConfigurationError):
                        raise
                    async with self._changed:
                        self.failures.append(PageFailure(offset, self.limit, exc, self.total))
                        self._done[offset] = []
                        self._busy -= 1
                        self._advance(0)
                        self._changed.notify_all()
                    continue
                async with self._changed:
                    page = _Page(offset) if fetched is None else fetched[0]
                    self._fetched(page)
                    if fetched is not None:
                        self._plan_from(fetched[1], fetched[2], offset)
                    if page.resources:
                        self._to_rate.append(page)
                    else:
                        self._done[offset] = []
                        self._advance(0)
                    self._busy -= 1
                    self._changed.notify_all()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # a bug or a configuration error: the walk must end
            async with self._changed:
                self._crash = exc
                self._changed.notify_all()
        finally:
            async with self._changed:
                self._workers_left -= 1
                self._changed.notify_all()

    async def _next_job(self, window: int) -> _Page | int | None:
        async with self._changed:
            while True:
                if self._crash is not None:
                    return None
                if self._to_rate:
                    self._busy += 1
                    return self._to_rate.popleft()
                if self._to_fetch:
                    offset = self._to_fetch[0]
                    if bisect.bisect_left(self._order, offset) < self._emitted + window:
                        self._busy += 1
                        return self._to_fetch.popleft()
                elif self._busy == 0:
                    self._changed.notify_all()
                    return None
                await self._changed.wait()

    def _fetched(self, page: _Page) -> None:
        """Tell ``on_page`` of a page's items, before their ratings are asked for."""
        if self._on_page is not None:
            rtype = self.rating_type.value
            self._on_page(page.offset, [LibraryItem.from_resource(r, rtype)
                                        for r in page.resources])

    def _plan_from(self, total: int | None, next_offset: int | None, offset: int) -> None:
        """Plan the offsets a page tells of: all pages up to ``total`` (once), and ``next``."""
        if total is not None and self.total is None:
            self.total = total
            for later in range(offset + self.limit, total, self.limit):
                self._add_offset(later)
        if next_offset is not None and next_offset > offset:
            self._add_offset(next_offset)

    def _add_offset(self, offset: int) -> None:
        if offset in self._planned or len(self._planned) >= MAX_PAGES:
            return
        self._planned.add(offset)
        bisect.insort(self._order, offset)
        index = bisect.bisect_left(self._to_fetch, offset)
        self._to_fetch.insert(index, offset)

    def _advance(self, items: int) -> None:
        pages_total = len(self._order) if self.total is not None else None
        self.progress = WalkProgress(self.progress.items_done + items,
                                     self.progress.pages_done + 1, pages_total, self.total)
        self._report()

    def _report(self) -> None:
        if self._on_progress is not None:
            self._on_progress(self.progress)

    async def _fetch(self, offset: int) -> tuple[_Page, int | None, int | None] | None:
        params = {"limit": str(self.limit), "offset": str(offset)}
        params.update(self._service._extras(self._include, self._extend))
        async with self._service.gate:
            got = await self._service.client.get_json(library_path(self.rating_type), params)
        if got is None:
            return None
        data, exchange = got
        page = _parse(ResourcePage, data, exchange, "library page")
        total = page.meta.total if page.meta else None
        return _Page(offset, list(page.data)), total, _next_offset(page.next)


class LibraryService:
    """Library, names, search and bulk operations over one :class:`RatingsClient`.

    Every request goes through the client (retries, redaction, ``-v`` records) and through one
    gate of ``client.concurrency`` requests in flight.
    """

    def __init__(self, client: RatingsClient, *, page_limit: int = MAX_PAGE_LIMIT) -> None:
        if not 1 <= page_limit <= MAX_PAGE_LIMIT:
            raise BadInputError(f"page limit must be 1-{MAX_PAGE_LIMIT}, got {page_limit}")
        self.client = client
        self.page_limit = page_limit
        self.gate = asyncio.Semaphore(client.concurrency)
        self._storefront: str | None = None

    # ------------------------------------------------------------------ storefront

    async def storefront(self) -> str:
        """The user's storefront id (``us``): ``data[0].id`` of ``GET /v1/me/storefront``,
        asked once per service."""
        if self._storefront is None:
            async with self.gate:
                got = await self.client.get_json("/v1/me/storefront")
            if got is None:
                raise MalformedResponseError("the storefront request answered 404")
            data, exchange = got
            answer = _parse(StorefrontResponse, data, exchange, "storefront")
            if not answer.data or not _STOREFRONT_ID.fullmatch(answer.data[0].id):
                error = MalformedResponseError(
                    "the storefront answer holds no two-letter storefront id")
                error.exchange = exchange
                raise error
            self._storefront = answer.data[0].id
        return self._storefront

    # ------------------------------------------------------------------ library walk

    def walk(self, rating_type: RatingType | str = RatingType.LIBRARY_SONGS, *,
             include: Sequence[str] | None = None, extend: Sequence[str] | None = None,
             on_progress: Callable[[WalkProgress], None] | None = None,
             on_page: Callable[[int, list[LibraryItem]], None] | None = None) -> LibraryWalk:
        """Walk the whole library of one library type with the rating of every item.

        Iterate the result (``async for rows in walk``): each step gives the rows of one page,
        in library order. Stopping early cancels the requests still in flight. ``on_page``
        hears of each page's items (its offset, its items) as soon as the page arrives, before
        their ratings are asked for, in the order pages arrive (a screen shows names at once).
        """
        rtype = _as_type(rating_type)
        library_path(rtype)
        return LibraryWalk(self, rtype, include=include, extend=extend,
                           on_progress=on_progress, on_page=on_page)

    # ------------------------------------------------------------------ names

    async def lookup_items(self, rating_type: RatingType | str, ids: Iterable[str]
                           ) -> tuple[dict[str, LibraryItem], list[tuple[list[str],
                                                                          AmRatingsError]]]:
        """Names of ids: library lookups for library types, catalog lookups in the user's
        storefront for catalog types, ``LOOKUP_BATCH`` ids per request.

        Returns the items found by id (unknown ids are left out, as Apple does) and the
        batches that failed, with their error.
        """
        rtype = _as_type(rating_type)
        unique = list(dict.fromkeys(ids))
        for item_id in unique:
            validate_id(item_id, rtype)
        found: dict[str, LibraryItem] = {}
        failed: list[tuple[list[str], AmRatingsError]] = []
        if not unique:
            return found, failed
        if rtype.is_library:
            path = library_path(rtype)
        else:
            try:
                path = f"/v1/catalog/{await self.storefront()}/{rtype.value}"
            except AmRatingsError as exc:
                if isinstance(exc, BadInputError | ConfigurationError):
                    raise
                return found, [(unique, exc)]

        async def one(batch: list[str]) -> None:
            try:
                async with self.gate:
                    got = await self.client.get_json(path, {"ids": ",".join(batch)},
                                                     user_token=rtype.is_library)
                if got is None:
                    return
                data, exchange = got
                page = _parse(ResourcePage, data, exchange, "lookup")
            except AmRatingsError as exc:
                if isinstance(exc, BadInputError | ConfigurationError):
                    raise
                failed.append((batch, exc))
                return
            wanted = set(batch)
            for resource in page.data:
                if resource.id in wanted:
                    found[resource.id] = LibraryItem.from_resource(resource, rtype.value)

        batches = [unique[i:i + LOOKUP_BATCH] for i in range(0, len(unique), LOOKUP_BATCH)]
        await _all(one(batch) for batch in batches)
        return found, failed

    async def get_with_names(
        self, rating_type: RatingType | str, ids: Sequence[str], *,
        include: Sequence[str] | None = None, extend: Sequence[str] | None = None,
    ) -> tuple[list[LibraryRow], list[tuple[list[str], AmRatingsError]]]:
        """The ratings of ``ids`` (in input order) with their names; the names lookups run
        alongside the ratings, sharing the gate. Returns the rows and the failed name lookups
        (an id without a match, or whose lookup failed, has no name)."""
        rtype = _as_type(rating_type)
        ratings_task = asyncio.ensure_future(self.client.get_ratings(
            rtype, ids, include=include, extend=extend, gate=self.gate))
        try:
            names, failed = await self.lookup_items(rtype, ids)
        except BaseException:
            ratings_task.cancel()
            raise
        ratings = await ratings_task
        rows = [LibraryRow(names.get(r.id) or LibraryItem(id=r.id, type=rtype.value), r)
                for r in ratings]
        return rows, failed

    # ------------------------------------------------------------------ search

    async def search(self, term: str, *, types: Sequence[RatingType | str] | None = None,
                     library: bool = False, limit: int = DEFAULT_SEARCH_LIMIT
                     ) -> list[LibraryRow]:
        """Search the catalog (in the user's storefront) or the library, and read the ratings
        of the matches (one multi-get per type). Rows come grouped by type in the order of
        ``types``, each group in Apple's order."""
        if not term.strip():
            raise BadInputError("the search term is empty")
        if not 1 <= limit <= MAX_SEARCH_LIMIT:
            raise BadInputError(f"search limit must be 1-{MAX_SEARCH_LIMIT}, got {limit}",
                                hint="Apple answers 400 above 25")
        default = DEFAULT_LIBRARY_SEARCH if library else DEFAULT_CATALOG_SEARCH
        wanted = [_as_type(t) for t in types] if types else list(default)
        for rtype in wanted:
            if rtype.is_library != library:
                where = "library search" if library else "catalog search (add --library)"
                raise BadInputError(f"{rtype.value} cannot be searched with {where}")
        wanted = list(dict.fromkeys(wanted))
        if library:
            path = "/v1/me/library/search"
        else:
            path = f"/v1/catalog/{await self.storefront()}/search"
        params = {"term": term.strip(), "types": ",".join(t.value for t in wanted),
                  "limit": str(limit)}
        async with self.gate:
            got = await self.client.get_json(path, params, user_token=library)
        if got is None:
            return []
        data, exchange = got
        answer = _parse(SearchResponse, data, exchange, "search")
        groups = [(rtype, answer.results[rtype.value].data) for rtype in wanted
                  if rtype.value in answer.results]
        rated = await asyncio.gather(*(self._rate(rtype, list(found))
                                       for rtype, found in groups))
        return [row for rows in rated for row in rows]

    # ------------------------------------------------------------------ bulk set / clear

    def set_many(self, rating_type: RatingType | str, ids: Sequence[str],
                 value: int) -> AsyncGenerator[RatingResult, None]:
        """PUT ``value`` (1 or -1) for every id, ``client.concurrency`` in flight; results in
        input order, each as soon as it and those before it are done. A failed id carries its
        error; an id given twice is sent once."""
        rtype = _as_type(rating_type)
        for item_id in ids:
            validate_id(item_id, rtype)
        if type(value) is not int or value not in (1, -1):
            raise BadInputError(f"rating value must be 1 (like) or -1 (dislike), got {value!r}")
        return self._each(rtype, ids, lambda i: self.client.set_rating(rtype, i, value))

    def clear_many(self, rating_type: RatingType | str,
                   ids: Sequence[str]) -> AsyncGenerator[RatingResult, None]:
        """DELETE the rating of every id, as :meth:`set_many` does for PUT."""
        rtype = _as_type(rating_type)
        for item_id in ids:
            validate_id(item_id, rtype)
        return self._each(rtype, ids, lambda i: self.client.clear_rating(rtype, i))

    async def _each(self, rtype: RatingType, ids: Sequence[str],
                    send: Callable[[str], Awaitable[RatingResult]]
                    ) -> AsyncGenerator[RatingResult, None]:
        first: dict[str, asyncio.Task[Any]] = {}

        def job(item_id: str) -> Callable[[], Awaitable[RatingResult]]:
            async def run() -> RatingResult:
                if item_id in first:  # a repeated id: the first request's answer
                    earlier: RatingResult = await asyncio.shield(first[item_id])
                    return _copy(earlier)
                task = asyncio.current_task()
                if task is not None:
                    first[item_id] = task
                try:
                    async with self.gate:
                        return await send(item_id)
                except AmRatingsError as exc:
                    if isinstance(exc, BadInputError | ConfigurationError):
                        raise
                    return RatingResult(item_id, rtype.value, None, error=exc)
            return run

        async for result in in_order((job(i) for i in ids), self.client.concurrency):
            yield result

    # ------------------------------------------------------------------ apply

    async def plan_apply(self, wanted: Sequence[WantedRating]) -> ApplyPlan:
        """Read the current ratings of ``wanted`` (one multi-get per type and batch) and decide,
        per item, like / dislike / clear / keep (already right) / failed (not readable)."""
        by_type: dict[RatingType, list[str]] = {}
        for want in wanted:
            validate_id(want.id, want.type)
            by_type.setdefault(want.type, []).append(want.id)
        current: dict[tuple[RatingType, str], RatingResult] = {}

        async def read(rtype: RatingType, ids: list[str]) -> None:
            for result in await self.client.get_ratings(rtype, ids, gate=self.gate):
                current[(rtype, result.id)] = result

        await _all(read(rtype, ids) for rtype, ids in by_type.items())
        steps = []
        for want in wanted:
            now = current[(want.type, want.id)]
            action: Action
            if now.error is not None:
                action = "failed"
            elif now.value == want.value:
                action = "keep"
            elif want.value is None:
                action = "clear"
            else:
                action = "like" if want.value == 1 else "dislike"
            steps.append(PlannedChange(want, now, action))
        return ApplyPlan(steps)

    def apply(self, plan: ApplyPlan) -> AsyncGenerator[ApplyOutcome, None]:
        """Carry out ``plan``: one PUT / DELETE per change, ``client.concurrency`` in flight;
        outcomes in plan order as they complete. Items to keep send nothing."""

        def job(step: PlannedChange) -> Callable[[], Awaitable[ApplyOutcome]]:
            async def run() -> ApplyOutcome:
                if step.action in ("keep", "failed"):
                    return ApplyOutcome(step, step.current)
                want = step.wanted
                try:
                    async with self.gate:
                        if step.action == "clear":
                            result = await self.client.clear_rating(want.type, want.id)
                        else:
                            assert want.value is not None
                            result = await self.client.set_rating(want.type, want.id,
                                                                  want.value)
                except AmRatingsError as exc:
                    if isinstance(exc, BadInputError | ConfigurationError):
                        raise
                    result = RatingResult(want.id, want.type.value, None, error=exc)
                return ApplyOutcome(step, result)
            return run

        return in_order((job(step) for step in plan.steps), self.client.concurrency)

    # ------------------------------------------------------------------ internals

    def _extras(self, include: Sequence[str] | None,
                extend: Sequence[str] | None) -> dict[str, str]:
        params: dict[str, str] = {}
        if include:
            params["include"] = ",".join(include)
        if extend:
            params["extend"] = ",".join(extend)
        return params

    async def _rate(self, rtype: RatingType, resources: Sequence[Resource]) -> list[LibraryRow]:
        """Rows for ``resources`` with their ratings from one multi-get (per batch). An id the
        server should never have sent (not of this type's shape) is not asked about."""
        items = [LibraryItem.from_resource(r, rtype.value) for r in resources]
        sendable = list(dict.fromkeys(i.id for i in items if id_problem(i.id, rtype) is None))
        ratings: dict[str, RatingResult] = {}
        if len(sendable) == 1:
            # One id takes the single-item endpoint, which does not use a gate of its own.
            async with self.gate:
                got = await self.client.get_ratings(rtype, sendable)
        else:
            got = await self.client.get_ratings(rtype, sendable, gate=self.gate)
        for result in got:
            ratings[result.id] = result
        rows = []
        for item in items:
            rating = ratings.get(item.id)
            if rating is None:
                problem = MalformedResponseError(
                    f"the server listed an id that is not a {rtype.value} id")
                rating = RatingResult(item.id, rtype.value, None, error=problem)
            rows.append(LibraryRow(item, _copy(rating)))
        return rows


# ---------------------------------------------------------------------- apply plan

Action = Literal["like", "dislike", "clear", "keep", "failed"]


@dataclass(frozen=True)
class WantedRating:
    """One line of an export to apply: the item and the rating it should have (None: none)."""

    type: RatingType
    id: str
    value: int | None


@dataclass(frozen=True)
class PlannedChange:
    """What applying one wanted rating takes, given the current one."""

    wanted: WantedRating
    current: RatingResult
    action: Action


@dataclass
class ApplyPlan:
    """The changes that make Apple match a file, in file order."""

    steps: list[PlannedChange]

    def count(self, action: Action) -> int:
        """How many steps take ``action``."""
        return sum(1 for step in self.steps if step.action == action)

    @property
    def requests(self) -> int:
        """How many PUTs and DELETEs carrying out the plan sends."""
        return sum(1 for step in self.steps if step.action in ("like", "dislike", "clear"))


@dataclass(frozen=True)
class ApplyOutcome:
    """One step carried out: the rating after it, or why it failed."""

    step: PlannedChange
    result: RatingResult

    @property
    def ok(self) -> bool:
        """True unless reading or changing the rating failed."""
        return self.step.action != "failed" and self.result.error is None


# ---------------------------------------------------------------------- helpers


async def in_order(jobs: Iterable[Callable[[], Awaitable[T]]], limit: int,
                   window: int | None = None) -> AsyncGenerator[T, None]:
    """Run ``jobs`` with ``window`` (default 4 x ``limit``) started ahead and yield their
    results in input order. The jobs bound their own requests in flight (the gate); the window
    bounds the tasks and results held. Stopping early cancels the jobs still running."""
    ahead = window or max(4, limit * 4)
    pending: deque[asyncio.Task[T]] = deque()
    try:
        for make in jobs:
            pending.append(asyncio.ensure_future(make()))
            while len(pending) >= ahead:
                yield await pending.popleft()
        while pending:
            yield await pending.popleft()
    finally:
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


async def _all(awaitables: Iterable[Awaitable[None]]) -> None:
    """Run all; the first failure cancels the rest and is raised (not an ExceptionGroup)."""
    try:
        async with asyncio.TaskGroup() as group:
            for awaitable in awaitables:
                group.create_task(_await(awaitable))
    except ExceptionGroup as grouped:
        first: BaseException = grouped.exceptions[0]
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        raise first from None


async def _await(awaitable: Awaitable[None]) -> None:
    await awaitable


def _parse(model: type[M], data: Any, exchange: Any, what: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0] if exc.errors() else {"msg": "wrong shape", "loc": ()}
        where = ".".join(str(p) for p in problem.get("loc", ()))
        error = MalformedResponseError(
            f"the {what} answer has the wrong shape ({where or 'body'}: "
            f"{problem.get('msg', 'invalid')})", status=getattr(exchange, "status", None))
        error.exchange = exchange
        raise error from None


def _next_offset(next_href: str | None) -> int | None:
    """The ``offset`` of a ``next`` link (``/v1/me/library/songs?offset=100``), or None."""
    if not next_href:
        return None
    values = parse_qs(urlsplit(next_href).query).get("offset")
    if not values or not values[-1].isdigit():
        return None
    return int(values[-1])


def _as_type(rating_type: RatingType | str) -> RatingType:
    return rating_type if isinstance(rating_type, RatingType) else parse_rating_type(rating_type)


def _copy(result: RatingResult) -> RatingResult:
    return RatingResult(result.id, result.type, result.value, error=result.error,
                        cleared=result.cleared)
