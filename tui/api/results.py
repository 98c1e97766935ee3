"""What the service layer hands the UI: a rating result, the like/dislike values and their
words, and one step of the token check.

Light on purpose (standard library and :mod:`tui.api.errors` only, neither httpx nor
pydantic), so the widgets and messages can be typed with these classes and still load before
the first frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tui.api.errors import AmRatingsError

__all__ = ["DISLIKE", "LIKE", "CheckStep", "RatingResult", "rating_word"]

#: The two values Apple stores: ``attributes.value`` of a Ratings resource.
LIKE = 1
DISLIKE = -1

LIKED = "Liked"
DISLIKED = "Disliked"
NOT_RATED = "Not rated"
FAILED = "Failed"


def rating_word(value: int | None) -> str:
    """``Liked`` / ``Disliked`` / ``Not rated``."""
    if value == LIKE:
        return LIKED
    if value == DISLIKE:
        return DISLIKED
    return NOT_RATED


@dataclass
class RatingResult:
    """The rating of one requested id, or why it could not be read.

    ``value`` is 1, -1 or None (not rated). ``error`` is set when the lookup failed; then
    ``value`` is None and means "unknown", not "not rated".
    """

    id: str
    type: str
    value: int | None = None
    error: AmRatingsError | None = None
    #: For clear: True when there was a rating to remove, False when it was already clear.
    cleared: bool | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def rating(self) -> str | None:
        """``"like"``, ``"dislike"`` or None."""
        return {LIKE: "like", DISLIKE: "dislike"}.get(self.value) if self.value else None

    @property
    def ok(self) -> bool:
        """True unless the lookup failed."""
        return self.error is None

    @property
    def word(self) -> str:
        """``Liked`` / ``Disliked`` / ``Not rated`` / ``Failed``."""
        return FAILED if self.error else rating_word(self.value)

    def to_json(self) -> dict[str, Any]:
        """The object ``get --json`` prints for this id."""
        out: dict[str, Any] = {"id": self.id, "type": self.type, "value": self.value,
                               "rating": self.rating}
        if self.error is not None:
            out["error"] = self.error.to_json()
        return out


@dataclass
class CheckStep:
    """One step of ``token check``: which request, what came back, and how long it took."""

    name: str
    method: str
    path: str
    status: int | None
    elapsed: float
    error: AmRatingsError | None = None
    storefront: str | None = None

    @property
    def ok(self) -> bool:
        """True when the request succeeded."""
        return self.error is None
