"""Models of Apple's ratings JSON, as pydantic models.

Unknown fields are ignored (real bodies carry extras such as ``messageForDisplay``) and every
model is frozen. Strict where Apple is: ids and codes must be JSON strings, and
``attributes.value`` may only be the integer ``1`` (like) or ``-1`` (dislike): not ``True``, not
``"1"``, not ``1.0``. A resource without a value, or without attributes, means "not rated".
Anything else fails validation with :class:`ValidationError` (pydantic's: ``.errors()`` gives
each problem's ``loc`` and ``msg``), which the client turns into
:class:`~tui.api.errors.MalformedResponseError`. Parse with pydantic's own
``Model.model_validate(data)`` / ``Model.model_validate_json(raw)``.

This module loads pydantic, so nothing that draws the first frame imports it: the app imports
it after the first frame (``tui.app.WARM_UP_MODULES``). The light types the UI works with
(:class:`RatingResult`, :data:`LIKE`, :data:`DISLIKE`, :func:`rating_word`) live in
:mod:`tui.api.results` and are re-exported here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, StrictInt, StrictStr, ValidationError
from pydantic_core import PydanticCustomError

from tui.api.errors import AppleErrorInfo
from tui.api.results import DISLIKE, LIKE, RatingResult, rating_word

__all__ = [
    "DISLIKE",
    "LIKE",
    "AppleError",
    "ErrorsResponse",
    "RatingAttributes",
    "RatingRequest",
    "RatingRequestAttributes",
    "RatingResult",
    "Ratings",
    "RatingsResponse",
    "ValidationError",
    "rating_word",
]


def _like_or_dislike(value: int) -> int:
    if value not in (LIKE, DISLIKE):
        raise PydanticCustomError("literal_error", "Input should be 1 or -1")
    return value


#: Exactly the JSON integer 1 or -1 (a strict int refuses True, "1" and 1.0).
RatingValue = Annotated[StrictInt, AfterValidator(_like_or_dislike)]
#: Apple's schema says ``"ratings"``; its examples say ``"rating"``. Either is accepted.
TypeSpelling = Literal["ratings", "rating"]


class _AppleModel(BaseModel):
    """Frozen, and unknown keys dropped, never an error (Apple adds fields freely)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class RatingAttributes(_AppleModel):
    """``attributes`` of a Ratings resource."""

    value: RatingValue | None = None


class Ratings(_AppleModel):
    """One Ratings resource: ``{"id", "type": "ratings", "href", "attributes": {"value"}}``."""

    id: StrictStr
    type: TypeSpelling = "ratings"
    href: StrictStr | None = None
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

    value: RatingValue


class RatingRequest(_AppleModel):
    """PUT body. Apple's schema says ``"ratings"`` (its examples say ``"rating"``): we send
    ``"ratings"`` and accept either when parsing."""

    type: TypeSpelling = "ratings"
    attributes: RatingRequestAttributes

    def to_json(self) -> str:
        """Compact JSON, fields in declaration order:
        ``{"type":"ratings","attributes":{"value":1}}``."""
        return self.model_dump_json()


class AppleError(_AppleModel):
    """One entry of an errors response."""

    id: StrictStr
    title: StrictStr
    status: StrictStr
    code: StrictStr
    detail: StrictStr | None = None
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
