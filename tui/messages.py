"""The app's Textual messages, in one place.

Kept free of httpx/pydantic-core imports (type-only references) so it loads before the first frame.
Results are ``tui.api.models.RatingResult`` and errors ``tui.api.errors.AmRatingsError``; they are
typed ``Any`` here because importing the models module would pull in pydantic-core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from tui.tokens.store import TokenPair


@dataclass
class TokensChanged(Message):
    """The token setup screen saved or changed the tokens (for this session or persistently)."""

    tokens: TokenPair
    #: "keyring", "file" or "session": where the user chose to keep them.
    where: str = "session"


@dataclass
class RatingsLoaded(Message):
    """A batch of lookup results arrived (``results`` are ``RatingResult`` objects)."""

    results: list[Any]
    #: The lookup they belong to; results of a lookup that was replaced are ignored.
    lookup: int = 0


@dataclass
class LookupFailed(Message):
    """A request failed as a whole; ``error`` is an ``AmRatingsError``."""

    error: Any
    lookup: int = 0


@dataclass
class LookupFinished(Message):
    """Every batch of a lookup has arrived (or failed)."""

    lookup: int
    total: int


@dataclass
class RatingUpdated(Message):
    """A row action (like, dislike, clear, re-fetch) came back with the item's new state."""

    result: Any
    #: "like", "dislike", "clear" or "refetch".
    action: str


@dataclass
class RatingActionFailed(Message):
    """A row action failed; the row keeps its last known rating."""

    error: Any
    rating_type: str
    item_id: str
    action: str


@dataclass
class NamesLoaded(Message):
    """Names of a lookup's items arrived: ``names`` maps id to ``name · artist``."""

    lookup: int
    rating_type: str
    names: dict[str, str]
