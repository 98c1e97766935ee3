"""The app's Textual messages, in one place.

Kept free of httpx/pydantic imports (type-only references) so it loads before the first frame.
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


@dataclass
class LookupFailed(Message):
    """A request failed as a whole; ``error`` is an ``AmRatingsError``."""

    error: Any
