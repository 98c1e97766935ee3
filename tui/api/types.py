"""The nine rating types, identifier rules and id-list parsing.

Everything here is checked locally, before any request, so the user hears *why* an id or a type
is wrong instead of an opaque 400 from Apple.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from tui.api.errors import BadInputError


class RatingType(StrEnum):
    """A ratings resource type, exactly as it appears in ``/v1/me/ratings/{type}``."""

    ALBUMS = "albums"
    SONGS = "songs"
    MUSIC_VIDEOS = "music-videos"
    PLAYLISTS = "playlists"
    STATIONS = "stations"
    LIBRARY_ALBUMS = "library-albums"
    LIBRARY_SONGS = "library-songs"
    LIBRARY_MUSIC_VIDEOS = "library-music-videos"
    LIBRARY_PLAYLISTS = "library-playlists"

    @property
    def is_library(self) -> bool:
        """True for the four library types (ids from the user's library, not the catalog)."""
        return self.value.startswith("library-")

    @property
    def label(self) -> str:
        """A human label: ``Library music videos``."""
        return self.value.replace("-", " ").capitalize()


DEFAULT_TYPE = RatingType.LIBRARY_MUSIC_VIDEOS
RATING_TYPE_NAMES: tuple[str, ...] = tuple(t.value for t in RatingType)

MAX_ID_LENGTH = 256
_ID_CHARS = re.compile(r"[A-Za-z0-9._-]{1,256}")


@dataclass(frozen=True)
class IdRule:
    """What an id of one rating type looks like, with an example from Apple's documentation."""

    pattern: re.Pattern[str]
    description: str
    example: str


_DIGITS = IdRule(re.compile(r"[0-9]+"), "digits only", "907242702")
ID_RULES: dict[RatingType, IdRule] = {
    RatingType.ALBUMS: _DIGITS,
    RatingType.SONGS: _DIGITS,
    RatingType.MUSIC_VIDEOS: _DIGITS,
    RatingType.PLAYLISTS: IdRule(
        re.compile(r"pl\.[A-Za-z0-9._-]+"), "'pl.' then letters/digits",
        "pl.5b0194eaa170401e8986335d7e77aa4e"),
    RatingType.STATIONS: IdRule(re.compile(r"ra\.[A-Za-z0-9._-]+"), "'ra.' then digits",
                                "ra.853851860"),
    RatingType.LIBRARY_ALBUMS: IdRule(re.compile(r"l\.[A-Za-z0-9._-]+"), "'l.' then letters/digits",
                                      "l.qrRWYhq"),
    RatingType.LIBRARY_SONGS: IdRule(re.compile(r"i\.[A-Za-z0-9._-]+"),
                                     "'i.' then letters/digits", "i.7PJNN4mfXlD68R"),
    RatingType.LIBRARY_MUSIC_VIDEOS: IdRule(re.compile(r"i\.[A-Za-z0-9._-]+"),
                                            "'i.' then letters/digits", "i.NJv00rkTEaLK51"),
    RatingType.LIBRARY_PLAYLISTS: IdRule(re.compile(r"p\.[A-Za-z0-9._-]+"),
                                         "'p.' then letters/digits", "p.MoGJYM3CYXW09B"),
}

_LIBRARY_PREFIXES = ("l.", "i.", "p.")


def parse_rating_type(name: str) -> RatingType:
    """Return the :class:`RatingType` called ``name``, else raise :class:`BadInputError`.

    Singular names (``song``) and ``artists`` get a specific hint: Apple answers 400/40008 for them.
    """
    cleaned = name.strip().lower()
    try:
        return RatingType(cleaned)
    except ValueError:
        pass
    hint = "choose one of: " + ", ".join(RATING_TYPE_NAMES)
    if cleaned + "s" in RATING_TYPE_NAMES:
        hint = f"did you mean '{cleaned}s'? Apple only accepts plural types; " + hint
    elif cleaned in ("artists", "library-artists", "artist"):
        hint = "artists cannot be rated; " + hint
    elif cleaned in ("library-stations", "library-station"):
        hint = "there are no library stations; " + hint
    raise BadInputError(f"unknown rating type {name!r}", hint=hint)


def id_problem(item_id: str, rating_type: RatingType | None = None) -> str | None:
    """Return why ``item_id`` cannot be sent (for ``rating_type`` when given), or None if it can.

    The general rule: 1-256 letters, digits, ``.``, ``-`` or ``_``, and not ``.`` or ``..``.
    With a type, the id must also have that type's shape (a library id sent to a catalog type
    fails at Apple with "Ratings not allowed for resource type").
    """
    if not item_id:
        return "an id cannot be empty"
    if len(item_id) > MAX_ID_LENGTH:
        return f"too long ({len(item_id)} characters, at most {MAX_ID_LENGTH})"
    if not _ID_CHARS.fullmatch(item_id):
        bad = next(c for c in item_id if not re.fullmatch(r"[A-Za-z0-9._-]", c))
        return f"contains {bad!r}; ids are letters, digits, '.', '-' and '_' only"
    if item_id in (".", ".."):
        return "'.' and '..' are not ids"
    if rating_type is None:
        return None
    rule = ID_RULES[rating_type]
    if rule.pattern.fullmatch(item_id):
        return None
    if not rating_type.is_library and item_id.startswith(_LIBRARY_PREFIXES):
        return (f"looks like a library id; {rating_type.value} takes catalog ids "
                f"({rule.description}, e.g. {rule.example}); try --type library-...")
    if rating_type.is_library and item_id.isdigit():
        return (f"looks like a catalog id; {rating_type.value} takes library ids "
                f"({rule.description}, e.g. {rule.example})")
    return f"not a {rating_type.value} id ({rule.description}, e.g. {rule.example})"


def validate_id(item_id: str, rating_type: RatingType | None = None) -> str:
    """Return ``item_id`` if it may be sent, else raise :class:`BadInputError` naming it."""
    problem = id_problem(item_id, rating_type)
    if problem is not None:
        raise BadInputError(f"invalid id {quote_id(item_id)}: {problem}", hint=None)
    return item_id


#: Same shape the API accepts for ``l`` (en-US, es-MX, zh-Hant-TW ...).
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def language_problem(language: str) -> str | None:
    """Why ``language`` cannot be sent as ``l``, or None (empty means "no l parameter")."""
    if not language or _LANGUAGE_TAG.fullmatch(language):
        return None
    return f"language {quote_id(language, 20)} is not a language tag like en-US"


def split_ids(text: str) -> list[str]:
    """Split pasted text into ids on whitespace and commas, dropping empty pieces."""
    return [piece for piece in re.split(r"[\s,]+", text) if piece]


def quote_id(item_id: str, limit: int = 60) -> str:
    """Quote an id for a message, shortened to ``limit`` characters and with control
    characters made visible."""
    shown = item_id if len(item_id) <= limit else item_id[:limit - 3] + "..."
    return repr(shown)
