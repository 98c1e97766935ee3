"""pydantic models of Apple's ratings JSON, and the result type the rest of the app uses.

Unknown fields are ignored (real bodies carry extras such as ``messageForDisplay``).
``attributes.value`` may only be ``1`` (like) or ``-1`` (dislike); a resource without a value,
or without attributes, means "not rated". Anything else fails validation and the client turns
that into :class:`~tui.api.errors.MalformedResponseError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictInt, field_validator

from tui.api.errors import AmRatingsError, AppleErrorInfo

LIKE = 1
DISLIKE = -1


class _AppleModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class RatingAttributes(_AppleModel):
    """``attributes`` of a Ratings resource."""

    value: StrictInt | None = None

    @field_validator("value")
    @classmethod
    def _like_or_dislike(cls, value: int | None) -> int | None:
        if value is not None and value not in (LIKE, DISLIKE):
            raise ValueError(f"rating value must be 1 or -1, got {value}")
        return value


class Ratings(_AppleModel):
    """One Ratings resource: ``{"id", "type": "ratings", "href", "attributes": {"value"}}``."""

    id: str
    type: Literal["ratings", "rating"] = "ratings"
    href: str | None = None
    attributes: RatingAttributes | None = None

    @property
    def value(self) -> int | None:
        """1, -1, or None when the resource carries no rating."""
        return self.attributes.value if self.attributes else None


class RatingsResponse(_AppleModel):
    """``{"data": [Ratings, ...]}``."""

    data: list[Ratings]


class RatingRequestAttributes(_AppleModel):
    """``attributes`` of a PUT body."""

    value: Literal[1, -1]


class RatingRequest(_AppleModel):
    """PUT body. Apple's schema says ``"ratings"`` (its examples say ``"rating"``): we send
    ``"ratings"`` and accept either when parsing."""

    type: Literal["ratings", "rating"] = "ratings"
    attributes: RatingRequestAttributes


class AppleError(_AppleModel):
    """One entry of an errors response."""

    id: str
    title: str
    status: str
    code: str
    detail: str | None = None
    source: dict[str, Any] | None = None

    def info(self) -> AppleErrorInfo:
        """Reduce to what the error hierarchy carries."""
        parameter = None
        if isinstance(self.source, dict):
            raw = self.source.get("parameter") or self.source.get("pointer")
            parameter = str(raw) if raw is not None else None
        return AppleErrorInfo(code=self.code, title=self.title, detail=self.detail,
                              parameter=parameter)


class ErrorsResponse(_AppleModel):
    """``{"errors": [AppleError, ...]}``."""

    errors: list[AppleError]


def rating_word(value: int | None) -> str:
    """``Liked`` / ``Disliked`` / ``Not rated``."""
    return {LIKE: "Liked", DISLIKE: "Disliked"}.get(value, "Not rated") if value else "Not rated"


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
    extra: dict[str, Any] = field(default_factory=dict)

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
        return "Failed" if self.error else rating_word(self.value)

    def to_json(self) -> dict[str, Any]:
        """The object ``get --json`` prints for this id."""
        out: dict[str, Any] = {"id": self.id, "type": self.type, "value": self.value,
                               "rating": self.rating}
        if self.error is not None:
            out["error"] = self.error.to_json()
        return out
