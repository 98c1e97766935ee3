"""The library and catalog of the embedded simulated API: names, listings, lookups, search.

A deterministic invented library (by default about 1,200 library songs, 150 albums, 60 music
videos and 25 playlists; ``size`` songs with the other kinds in proportion, up to
:data:`MAX_LIBRARY_SIZE`), most items linked to a catalog twin whose rating stays in sync, and
catalog-only items besides. It answers as the shared API notes say Apple does:

- ``GET /v1/me/library/{songs|albums|music-videos|playlists}``: ``limit`` 1-100 (default 25;
  above 100 is 400), ``offset``; ``{"data", "next", "meta": {"total"}}`` with ``next`` absent
  on the last page; some items are hidden from listings, so a page may be short while ``next``
  is present; an empty listing is 404;
- ``?ids=a,b`` on the same paths and on ``/v1/catalog/{storefront}/{type}``: unknown ids are
  left out (404 when none is known);
- ``/v1/catalog/{storefront}/search`` and ``/v1/me/library/search``: ``term``, ``types``
  (required), ``limit`` 1-25 (default 5; above 25 is 400), ``offset``;
  ``{"results": {type: {"href", "next"?, "data"}}}``, a type with no match left out.

The seeded ids of :mod:`tui.api.simulated` are part of it, with their ratings. Answers are
``(status, payload)`` pairs; :mod:`tui.api.simulated` turns them into HTTP responses.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

#: Library songs by default; the other kinds follow in proportion (1/8, 1/20, 1/48).
DEFAULT_LIBRARY_SIZE = 1200
MAX_LIBRARY_SIZE = 20_000
MAX_PAGE_LIMIT = 100
DEFAULT_PAGE_LIMIT = 25
MAX_SEARCH_LIMIT = 25
DEFAULT_SEARCH_LIMIT = 5
MAX_LOOKUP_IDS = 300
#: One listed item in this many is hidden from listings (Apple hides some), giving short pages.
HIDDEN_EVERY = 41

LIBRARY_KINDS = ("songs", "albums", "music-videos", "playlists")
CATALOG_KINDS = ("songs", "albums", "music-videos", "playlists", "stations")
STOREFRONT = "us"

Answer = tuple[int, dict[str, Any] | None]

_PLAY_KIND = {"songs": "song", "albums": "album", "music-videos": "musicVideo",
              "playlists": "playlist", "stations": "radioStation"}

_ADJECTIVES = (
    "Amber", "Blue", "Broken", "Burning", "Crimson", "Distant", "Electric", "Empty", "Endless",
    "Fading", "Frozen", "Golden", "Hollow", "Hidden", "Last", "Little", "Lonely", "Lost",
    "Midnight", "Neon", "Northern", "Paper", "Quiet", "Restless", "Secret", "Silver", "Slow",
    "Summer", "Velvet", "Wild", "Winter", "Young",
)
_NOUNS = (
    "Avenue", "Bridges", "Canyon", "City", "Dreams", "Echoes", "Fire", "Garden", "Harbor",
    "Heart", "Highway", "Horizon", "Island", "Lights", "Machine", "Ocean", "Parade", "Radio",
    "Rain", "River", "Satellite", "Shadows", "Signal", "Skyline", "Static", "Stars", "Streets",
    "Thunder", "Tides", "Waves", "Window", "Wolves",
)
_VERBS = ("Call", "Carry", "Chase", "Dance", "Drive", "Fall", "Follow", "Hold", "Keep", "Leave",
          "Meet", "Run", "Save", "Sing", "Take", "Wait")
_FIRST = ("Ada", "Bea", "Cal", "Dora", "Eli", "Fay", "Gus", "Hana", "Ivo", "Juno", "Kit", "Lena",
          "Milo", "Nora", "Otis", "Pia", "Quinn", "Rosa", "Sami", "Tove", "Uma", "Vic", "Wren",
          "Yara", "Zeke")
_LAST = ("Alder", "Brook", "Castell", "Dunmore", "Ellery", "Fontaine", "Greer", "Hollis",
         "Ingram", "Jessop", "Kestrel", "Lowell", "Marlow", "Northcote", "Oakes", "Pryce",
         "Quill", "Rivers", "Sterling", "Thorne", "Underhill", "Vance", "Whitlock")
_GENRES = ("Alternative", "Electronic", "Folk", "Hip-Hop/Rap", "Jazz", "Pop", "R&B/Soul", "Rock",
           "Singer/Songwriter", "Soundtrack")
_PLAYLIST_WORDS = ("Mix", "Favourites", "Drive", "Focus", "Workout", "Chill", "Party", "Mornings",
                   "Late Nights", "Roadtrip", "Rainy Days", "Sunday")
_ALNUM = string.ascii_letters + string.digits


@dataclass(slots=True)
class SimItem:
    """One library or catalog item: its resource type, id and what Apple shows of it."""

    kind: str
    id: str
    name: str
    artist: str | None = None
    album: str | None = None
    catalog_id: str | None = None
    library: bool = True
    hidden: bool = False
    #: Further attributes, as key names (a tuple shared by every item of a kind) and values:
    #: a dict per item held a third of the demo library's memory.
    extra_keys: tuple[str, ...] = ()
    extra_values: tuple[Any, ...] = ()

    @property
    def attributes(self) -> dict[str, Any]:
        """The further attributes (genre, duration, dates ...) as a new dict."""
        return dict(zip(self.extra_keys, self.extra_values, strict=True))

    @property
    def rating_type(self) -> str:
        """The ratings type of this item (``library-songs``, ``songs`` ...)."""
        return f"library-{self.kind}" if self.library else self.kind

    def resource(self) -> dict[str, Any]:
        """The resource as Apple returns it from a listing, a lookup or a search."""
        if self.library:
            href = f"/v1/me/library/{self.kind}/{self.id}"
        else:
            href = f"/v1/catalog/{STOREFRONT}/{self.kind}/{self.id}"
        attributes: dict[str, Any] = {"name": self.name}
        if self.artist is not None:
            attributes["artistName"] = self.artist
        if self.album is not None:
            attributes["albumName"] = self.album
        attributes.update(zip(self.extra_keys, self.extra_values, strict=True))
        play: dict[str, Any] = {"id": self.id, "kind": _PLAY_KIND[self.kind]}
        if self.library:
            play["isLibrary"] = True
            if self.catalog_id is not None:
                play["catalogId"] = self.catalog_id
        attributes["playParams"] = play
        return {"id": self.id, "type": self.rating_type, "href": href, "attributes": attributes}

    def matches(self, term: str) -> bool:
        """True when every word of ``term`` appears in the name, artist or album."""
        text = " ".join(p for p in (self.name, self.artist, self.album) if p).lower()
        return all(word in text for word in term.lower().split())


#: Names of the seeded ids (tui.api.simulated), so the demo's sample ids show names too.
SEEDED_NAMES: dict[tuple[str, str], tuple[str, str | None, str | None]] = {
    ("library-songs", "i.7PJNN4mfXlD68R"): ("Neon Harbor", "Juno Marlow", "Paper Lights"),
    ("library-songs", "i.xrXvO5vFv0VrNA"): ("Static Rain", "The Hollow Tides", "Static Rain"),
    ("library-songs", "i.e5Ql2JbAmxVp0W"): ("Keep the Skyline", "Ada Kestrel", "Northern Echoes"),
    ("library-songs", "i.gY6p0Rm2LkQa8Z"): ("Slow Satellite", "Milo Thorne", "Velvet Avenue"),
    ("library-albums", "l.qrRWYhq"): ("Paper Lights", "Juno Marlow", None),
    ("library-albums", "l.Xk2Mv8d"): ("Static Rain", "The Hollow Tides", None),
    ("library-albums", "l.hRrflgc"): ("Velvet Avenue", "Milo Thorne", None),
    ("library-music-videos", "i.NJv00rkTEaLK51"): ("Golden Parade", "Rosa Vance", None),
    ("library-music-videos", "i.B0VNN8Bf9dYXOV"): ("Frozen Signal", "The Crimson Wolves", None),
    ("library-music-videos", "i.4wKvA9ZQo1RZb3"): ("Chase the Waves", "Kit Underhill", None),
    ("library-music-videos", "i.Pz7Lk0aW3qYd1M"): ("Midnight Radio", "Otis Greer", None),
    ("library-music-videos", "i.Vv9KqR2mT5sXcE"): ("Lost Canyon", "Nora Sterling", None),
    ("library-playlists", "p.MoGJYM3CYXW09B"): ("Roadtrip Mix", None, None),
    ("library-playlists", "p.YJXV7ZNc4bAk2e"): ("Rainy Days", None, None),
    ("library-playlists", "p.8Wx6vK6IQeP0N2"): ("Sunday Focus", None, None),
    ("playlists", "pl.f4d106fed2bd41149aaacabb233eb5eb"): ("Silver Streets Essentials",
                                                           None, None),
    ("stations", "ra.840950253"): ("Electric Dreams Radio", None, None),
    ("stations", "ra.853851860"): ("Quiet Ocean Station", None, None),
    ("stations", "ra.978194965"): ("Summer Highway Radio", None, None),
}


class SimulatedLibrary:
    """The invented library and catalog. ``ratings`` and ``links`` are the simulation's own
    dictionaries: generated ratings are added to the first, catalog twins to the second."""

    def __init__(self, size: int, *, ratings: dict[tuple[str, str], int],
                 links: dict[tuple[str, str], tuple[str, str]],
                 seeded: Iterable[tuple[tuple[str, str], tuple[str, str] | None]],
                 rated: bool = True) -> None:
        if not 0 <= size <= MAX_LIBRARY_SIZE:
            raise ValueError(f"library size must be 0-{MAX_LIBRARY_SIZE}, got {size}")
        self.size = size
        #: Library items in listing order, per kind (``songs`` ...), hidden ones included.
        self.library: dict[str, list[SimItem]] = {kind: [] for kind in LIBRARY_KINDS}
        #: Catalog items per kind, by id.
        self.catalog: dict[str, dict[str, SimItem]] = {kind: {} for kind in CATALOG_KINDS}
        self._by_id: dict[str, dict[str, SimItem]] = {kind: {} for kind in LIBRARY_KINDS}
        if size:
            self._add_seeded(seeded)
            self._generate(size, ratings, links, rated)

    # -- building ---------------------------------------------------------------------------

    def _add_library(self, item: SimItem) -> None:
        self.library[item.kind].append(item)
        self._by_id[item.kind][item.id] = item

    def _add_seeded(self, seeded: Iterable[tuple[tuple[str, str], tuple[str, str] | None]]
                    ) -> None:
        for (rating_type, item_id), twin in seeded:
            name, artist, album = SEEDED_NAMES.get((rating_type, item_id),
                                                   (f"Item {item_id}", None, None))
            kind = rating_type.removeprefix("library-")
            library = rating_type.startswith("library-")
            extra: dict[str, Any] = {}
            if kind == "albums":
                extra = {"trackCount": 10}
            elif kind == "playlists":
                extra = {"canEdit": True} if library else {"curatorName": "Apple Music"}
            catalog_id = twin[1] if twin else None
            item = SimItem(kind, item_id, name, artist, album, catalog_id, library,
                           extra_keys=tuple(extra), extra_values=tuple(extra.values()))
            if library:
                self._add_library(item)
            else:
                self.catalog[kind][item_id] = item
            if library and twin is not None:
                twin_extra = dict(extra)
                if kind == "playlists":
                    twin_extra = {"curatorName": "Apple Music"}
                self.catalog[kind][twin[1]] = SimItem(
                    kind, twin[1], name, artist, album, library=False,
                    extra_keys=tuple(twin_extra), extra_values=tuple(twin_extra.values()))

    def _generate(self, size: int, ratings: dict[tuple[str, str], int],
                  links: dict[tuple[str, str], tuple[str, str]], rated: bool) -> None:
        rng = random.Random(20261203)
        used: set[str] = {i for kind in self._by_id.values() for i in kind}
        used |= {i for kind in self.catalog.values() for i in kind}
        next_catalog = [1500000000]

        def library_id(prefix: str, length: int) -> str:
            while True:
                candidate = prefix + "".join(rng.choice(_ALNUM) for _ in range(length))
                if candidate not in used:
                    used.add(candidate)
                    return candidate

        def catalog_id(kind: str) -> str:
            if kind == "playlists":
                return "pl." + "".join(rng.choice("0123456789abcdef") for _ in range(32))
            next_catalog[0] += rng.randint(3, 997)
            return str(next_catalog[0])

        def artist() -> str:
            if rng.random() < 0.3:
                return f"The {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
            return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"

        def title() -> str:
            shape = rng.random()
            if shape < 0.4:
                return f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
            if shape < 0.7:
                return f"{rng.choice(_VERBS)} the {rng.choice(_NOUNS)}"
            if shape < 0.85:
                return f"{rng.choice(_NOUNS)} of {rng.choice(_NOUNS)}"
            return f"{rng.choice(_ADJECTIVES)} {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"

        def rate(*keys: tuple[str, str]) -> None:
            if not rated:
                return
            roll = rng.random()
            value = 1 if roll < 0.18 else -1 if roll < 0.24 else 0
            if value:
                for key in keys:
                    ratings[key] = value

        def place(kind: str, item: SimItem, twin: SimItem | None) -> None:
            self._add_library(item)
            keys: list[tuple[str, str]] = [(item.rating_type, item.id)]
            if twin is not None:
                self.catalog[kind][twin.id] = twin
                keys.append((twin.rating_type, twin.id))
                links[keys[0]] = keys[1]
                links[keys[1]] = keys[0]
            rate(*keys)

        def has_twin() -> bool:
            return rng.random() < 0.85

        targets = {"songs": size, "albums": size // 8, "music-videos": size // 20,
                   "playlists": size // 48}
        counter = [0]

        def next_hidden() -> bool:
            counter[0] += 1
            return counter[0] % HIDDEN_EVERY == 0

        # Albums first: songs take their album and artist from one.
        albums: list[tuple[str, str, str]] = []  # (name, artist, genre)
        for _ in range(max(targets["albums"], 1)):
            albums.append((title(), artist(), rng.choice(_GENRES)))
        for index in range(targets["albums"] - len(self.library["albums"])):
            name, who, _genre = albums[index]
            twin_id = catalog_id("albums") if has_twin() else None
            album_values = (rng.randint(6, 16), _date(rng))
            item = SimItem("albums", library_id("l.", 7), name, who, None, twin_id,
                           extra_keys=_ALBUM_KEYS, extra_values=album_values)
            twin = (SimItem("albums", twin_id, name, who, None, library=False,
                            extra_keys=_ALBUM_KEYS[:1], extra_values=album_values[:1])
                    if twin_id else None)
            place("albums", item, twin)
        for index in range(targets["songs"] - len(self.library["songs"])):
            album, who, genre = albums[index % len(albums)]
            name = title()
            twin_id = catalog_id("songs") if has_twin() else None
            # (genreNames, durationInMillis, releaseDate, trackNumber, dateAdded), drawn in
            # this order: the catalog twin shares the first three.
            genres = _GENRE_LISTS[genre]
            track = index // len(albums) + 1
            duration = rng.randint(95_000, 420_000)
            song_values = (genres, duration, _date(rng), track, _date(rng))
            item = SimItem("songs", library_id("i.", 14), name, who, album, twin_id,
                           hidden=next_hidden(), extra_keys=_SONG_KEYS,
                           extra_values=song_values)
            twin = (SimItem("songs", twin_id, name, who, album, library=False,
                            extra_keys=_SONG_KEYS[:3], extra_values=song_values[:3])
                    if twin_id else None)
            place("songs", item, twin)
        for _ in range(targets["music-videos"] - len(self.library["music-videos"])):
            name, who = title(), artist()
            twin_id = catalog_id("music-videos") if has_twin() else None
            video_values = (rng.randint(150_000, 400_000), _date(rng))
            item = SimItem("music-videos", library_id("i.", 14), name, who, None, twin_id,
                           hidden=next_hidden(), extra_keys=_VIDEO_KEYS,
                           extra_values=video_values)
            twin = (SimItem("music-videos", twin_id, name, who, None, library=False)
                    if twin_id else None)
            place("music-videos", item, twin)
        for _ in range(targets["playlists"] - len(self.library["playlists"])):
            name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_PLAYLIST_WORDS)}"
            # Most library playlists are the user's own; a few are catalog playlists added.
            twin_id = catalog_id("playlists") if rng.random() < 0.2 else None
            playlist_values = (twin_id is None, _date(rng))
            item = SimItem("playlists", library_id("p.", 14), name, None, None, twin_id,
                           extra_keys=_PLAYLIST_KEYS, extra_values=playlist_values)
            twin = (SimItem("playlists", twin_id, name, None, None, library=False,
                            extra_keys=("curatorName",), extra_values=("Apple Music",))
                    if twin_id else None)
            place("playlists", item, twin)
        # The catalog holds much that is not in the library.
        for _ in range(max(size // 4, 10)):
            who = artist()
            twin_id = catalog_id("songs")
            self.catalog["songs"][twin_id] = SimItem(
                "songs", twin_id, title(), who, rng.choice(albums)[0], library=False,
                extra_keys=_SONG_KEYS[:1], extra_values=(_GENRE_LISTS[rng.choice(_GENRES)],))
            if rated:
                rate(("songs", twin_id))
        for _ in range(max(size // 40, 5)):
            station = "ra." + str(rng.randint(100_000_000, 999_999_999))
            self.catalog["stations"][station] = SimItem(
                "stations", station, f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} Radio",
                library=False)

    # -- answering --------------------------------------------------------------------------

    def item(self, rating_type: str, item_id: str) -> SimItem | None:
        """The library or catalog item of one ratings type and id, or None."""
        if rating_type.startswith("library-"):
            return self._by_id.get(rating_type.removeprefix("library-"), {}).get(item_id)
        return self.catalog.get(rating_type, {}).get(item_id)

    def listing(self, kind: str, query: Mapping[str, list[str]]) -> Answer:
        """``GET /v1/me/library/{kind}`` (paged) or ``?ids=`` (lookup)."""
        if kind not in self.library:
            return _bad_path(kind)
        if "ids" in query:
            return self._lookup(self._by_id[kind], query)
        limit = _int_param(query, "limit", DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT)
        offset = _int_param(query, "offset", 0, 0, None)
        if isinstance(limit, tuple):
            return limit
        if isinstance(offset, tuple):
            return offset
        items = self.library[kind]
        if not items:
            return _not_found()
        page = [item.resource() for item in items[offset:offset + limit] if not item.hidden]
        payload: dict[str, Any] = {"data": page, "meta": {"total": len(items)}}
        if offset + limit < len(items):
            payload["next"] = f"/v1/me/library/{kind}?offset={offset + limit}"
        return 200, payload

    def catalog_lookup(self, storefront: str, kind: str, query: Mapping[str, list[str]]
                       ) -> Answer:
        """``GET /v1/catalog/{storefront}/{kind}?ids=...``."""
        if storefront != STOREFRONT:
            return _not_found()
        if kind not in self.catalog:
            return _bad_path(kind)
        if "ids" not in query:
            return _bad_parameter("Missing required parameter 'ids'", "ids")
        return self._lookup(self.catalog[kind], query)

    def search(self, query: Mapping[str, list[str]], *, library: bool,
               storefront: str = STOREFRONT) -> Answer:
        """Catalog search (``library`` False) or library search."""
        if not library and storefront != STOREFRONT:
            return _not_found()
        term = " ".join(query.get("term", [])).strip()
        if not term:
            return _bad_parameter("Missing required parameter 'term'", "term")
        raw_types = [t for t in ",".join(query.get("types", [])).split(",") if t]
        if not raw_types:
            return _bad_parameter("Missing required parameter 'types'", "types")
        limit = _int_param(query, "limit", DEFAULT_SEARCH_LIMIT, 1, MAX_SEARCH_LIMIT)
        offset = _int_param(query, "offset", 0, 0, None)
        if isinstance(limit, tuple):
            return limit
        if isinstance(offset, tuple):
            return offset
        results: dict[str, Any] = {}
        for type_name in dict.fromkeys(raw_types):
            if library:
                kind = type_name.removeprefix("library-")
                if not type_name.startswith("library-") or kind not in self.library:
                    return _bad_parameter(f"Invalid type '{type_name[:40]}'", "types")
                pool: Iterable[SimItem] = (i for i in self.library[kind] if not i.hidden)
                base = "/v1/me/library/search"
            else:
                if type_name not in self.catalog:
                    return _bad_parameter(f"Invalid type '{type_name[:40]}'", "types")
                pool = self.catalog[type_name].values()
                base = f"/v1/catalog/{storefront}/search"
            found = [item for item in pool if item.matches(term)]
            if offset >= len(found):
                continue
            group: dict[str, Any] = {
                "href": f"{base}?term={quote(term)}&types={type_name}&limit={limit}"
                        + (f"&offset={offset}" if offset else ""),
                "data": [item.resource() for item in found[offset:offset + limit]],
            }
            if offset + limit < len(found):
                group["next"] = (f"{base}?term={quote(term)}&types={type_name}"
                                 f"&offset={offset + limit}")
            results[type_name] = group
        return 200, {"results": results, "meta": {"results": {"order": list(results)}}}

    @staticmethod
    def _lookup(pool: Mapping[str, SimItem], query: Mapping[str, list[str]]) -> Answer:
        ids = [i for i in ",".join(query.get("ids", [])).split(",") if i]
        if not ids:
            return _bad_parameter("Missing required parameter 'ids'", "ids")
        if len(ids) > MAX_LOOKUP_IDS:
            return _bad_parameter(f"Too many ids: {len(ids)} given, at most "
                                  f"{MAX_LOOKUP_IDS} allowed", "ids")
        data = [pool[i].resource() for i in dict.fromkeys(ids) if i in pool]
        if not data:
            return _not_found()
        return 200, {"data": data}


#: The further attributes' names of generated items, in the order their values are drawn.
_ALBUM_KEYS = ("trackCount", "dateAdded")
_SONG_KEYS = ("genreNames", "durationInMillis", "releaseDate", "trackNumber", "dateAdded")
_VIDEO_KEYS = ("durationInMillis", "dateAdded")
_PLAYLIST_KEYS = ("canEdit", "dateAdded")
#: One list per genre, shared by the items of that genre (answers are serialized, never
#: changed in place).
_GENRE_LISTS = {genre: [genre] for genre in _GENRES}


def _date(rng: random.Random) -> str:
    return f"{rng.randint(1998, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _int_param(query: Mapping[str, list[str]], name: str, default: int, low: int,
               high: int | None) -> int | Answer:
    values = query.get(name)
    if not values:
        return default
    raw = values[-1]
    if not raw.isdigit():
        return _bad_parameter(f"Invalid {name} '{raw[:20]}': must be a whole number", name)
    value = int(raw)
    if value < low or (high is not None and value > high):
        limit = f"{low}-{high}" if high is not None else f"at least {low}"
        return _bad_parameter(f"Invalid {name} '{raw[:20]}': must be {limit}", name)
    return value


def _error(status: int, code: str, title: str, detail: str | None = None,
           parameter: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": f"SIM{status}{code}", "title": title, "status": str(status),
                             "code": code}
    if detail is not None:
        entry["detail"] = detail
    if parameter is not None:
        entry["source"] = {"parameter": parameter}
    return {"errors": [entry]}


def _bad_parameter(detail: str, parameter: str) -> Answer:
    return 400, _error(400, "40005", "Invalid Parameter Value", detail, parameter)


def _bad_path(kind: str) -> Answer:
    return 400, _error(400, "40008", "Invalid Path Value",
                       f"Invalid resource type '{kind[:40]}'")


def _not_found() -> Answer:
    return 404, _error(404, "40400", "Resource Not Found")
