"""The app's Textual messages, in one place.

Typed with the service layer's light types (:mod:`tui.api.results`, :mod:`tui.api.errors`),
which load neither httpx nor pydantic, so this module loads before the first frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual.message import Message

from tui.api.errors import AmRatingsError
from tui.api.results import RatingResult

if TYPE_CHECKING:
    from tui.tokens.store import TokenPair


#: What a row action does: PUT 1, PUT -1, DELETE, or GET again.
RowAction = Literal["like", "dislike", "clear", "refetch"]


@dataclass
class TokensChanged(Message):
    """The token setup screen saved or changed the tokens (for this session or persistently)."""

    tokens: TokenPair
    #: "keyring", "file" or "session": where the user chose to keep them.
    where: str = "session"


@dataclass
class RatingsLoaded(Message):
    """A batch of lookup results arrived."""

    results: list[RatingResult]
    #: The lookup they belong to; results of a lookup that was replaced are ignored.
    lookup: int = 0


@dataclass
class LookupFailed(Message):
    """A request failed as a whole."""

    error: AmRatingsError
    lookup: int = 0


@dataclass
class LookupFinished(Message):
    """Every batch of a lookup has arrived (or failed)."""

    lookup: int
    total: int


@dataclass
class RatingUpdated(Message):
    """A row action (like, dislike, clear, re-fetch) came back with the item's new state."""

    result: RatingResult
    action: RowAction


@dataclass
class RatingActionFailed(Message):
    """A row action failed; the row keeps its last known rating."""

    error: AmRatingsError
    rating_type: str
    item_id: str
    action: RowAction


@dataclass
class NamesLoaded(Message):
    """Names of a lookup's items arrived: ``names`` maps id to ``name · artist``."""

    lookup: int
    rating_type: str
    names: dict[str, str]
