"""Models of Apple's ratings JSON, validated by pydantic's engine (``pydantic-core``), and the
result type the rest of the app uses.

Unknown fields are ignored (real bodies carry extras such as ``messageForDisplay``).
``attributes.value`` may only be the integer ``1`` (like) or ``-1`` (dislike): not ``True``, not
``"1"``, not ``1.0``. A resource without a value, or without attributes, means "not rated".
Anything else fails validation with :class:`ValidationError` (``pydantic_core.ValidationError``:
``.errors()`` gives each problem's ``loc`` and ``msg``), which the client turns into
:class:`~tui.api.errors.MalformedResponseError`.

Why ``pydantic_core`` and not ``pydantic``: the design keeps pydantic's validation engine, but the
``pydantic`` package's Python layer (``BaseModel``, schema generation from annotations, config,
JSON schema, plugins) is what made ``amratings --demo`` miss the memory target (issue 5, peak RSS
at most 1.3x a bare Textual app). Peak RSS of ``import textual.app, tui.api.client`` was 45.4 MiB
with ``BaseModel`` models and is 41.3 MiB with these (``textual.app, httpx`` alone: 35.0 MiB;
loading pydantic-core's extension is ~4.4 MiB of the rest, these schemas ~0.7 MiB). The same Rust
validator runs either way, so strictness, error locations and messages are pydantic's own.

Each model is a frozen dataclass whose instances pydantic-core builds directly (a
``dataclass_schema`` per class, compiled once at import). ``Model.validate(data)`` /
``Model.validate_json(raw)`` parse; ``model_validate`` is kept as an alias.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Self, cast

from pydantic_core import CoreConfig, SchemaValidator, ValidationError, to_json
from pydantic_core import core_schema as cs

from tui.api.errors import AmRatingsError, AppleErrorInfo

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

LIKE = 1
DISLIKE = -1

#: Unknown keys are dropped, never an error (Apple adds fields freely).
_CONFIG = CoreConfig(extra_fields_behavior="ignore")


class _Validated:
    """Adds ``validate`` / ``validate_json`` backed by the class's compiled validator."""

    __slots__ = ()
    _validator: ClassVar[SchemaValidator]

    @classmethod
    def validate(cls, data: object) -> Self:
        """Parse already-decoded JSON (dicts, lists, ...); raises :class:`ValidationError`."""
        return cast(Self, cls._validator.validate_python(data))

    @classmethod
    def validate_json(cls, raw: str | bytes | bytearray) -> Self:
        """Parse a JSON document; raises :class:`ValidationError` (also for invalid JSON)."""
        return cast(Self, cls._validator.validate_json(raw))


@dataclass(frozen=True, slots=True)
class RatingAttributes(_Validated):
    """``attributes`` of a Ratings resource."""

    value: int | None = None


@dataclass(frozen=True, slots=True)
class Ratings(_Validated):
    """One Ratings resource: ``{"id", "type": "ratings", "href", "attributes": {"value"}}``."""

    id: str
    type: Literal["ratings", "rating"] = "ratings"
    href: str | None = None
    attributes: RatingAttributes | None = None

    @property
    def value(self) -> int | None:
        """1, -1, or None when the resource carries no rating."""
        return self.attributes.value if self.attributes else None


@dataclass(frozen=True, slots=True)
class RatingsResponse(_Validated):
    """``{"data": [Ratings, ...]}``."""

    data: list[Ratings]


@dataclass(frozen=True, slots=True)
class RatingRequestAttributes(_Validated):
    """``attributes`` of a PUT body."""

    value: Literal[1, -1]


@dataclass(frozen=True, slots=True, kw_only=True)
class RatingRequest(_Validated):
    """PUT body. Apple's schema says ``"ratings"`` (its examples say ``"rating"``): we send
    ``"ratings"`` and accept either when parsing."""

    type: Literal["ratings", "rating"] = "ratings"
    attributes: RatingRequestAttributes

    def to_json(self) -> str:
        """Compact JSON, fields in declaration order:
        ``{"type":"ratings","attributes":{"value":1}}``."""
        return to_json(self).decode()


@dataclass(frozen=True, slots=True)
class AppleError(_Validated):
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


@dataclass(frozen=True, slots=True)
class ErrorsResponse(_Validated):
    """``{"errors": [AppleError, ...]}``."""

    errors: list[AppleError]


# --- schemas -------------------------------------------------------------------------------------
# Written by hand (this is what pydantic would generate from the annotations above). Strict where
# it matters: ids and codes must be JSON strings, a rating value a JSON integer.

_TYPE_SPELLINGS = cs.literal_schema(["ratings", "rating"])
#: Exactly the int 1 or -1: strict int first (refuses True, "1", 1.0), then the two values.
_VALUE = cs.chain_schema([cs.int_schema(strict=True), cs.literal_schema([LIKE, DISLIKE])])
_STR = cs.str_schema(strict=True)


def _field(name: str, schema: cs.CoreSchema, *, default: object = ...,
           kw_only: bool = False) -> cs.DataclassField:
    if default is not ...:
        schema = cs.with_default_schema(schema, default=default)
    return cs.dataclass_field(name, schema, kw_only=kw_only)


def _dataclass(cls: type[Any], *fields: cs.DataclassField) -> cs.DataclassSchema:
    return cs.dataclass_schema(
        cls, cs.dataclass_args_schema(cls.__name__, list(fields)),
        [f["name"] for f in fields], frozen=True, slots=True,
        config=_CONFIG)


def _nullable(schema: cs.CoreSchema) -> cs.CoreSchema:
    return cs.nullable_schema(schema)


_ATTRIBUTES = _dataclass(RatingAttributes, _field("value", _nullable(_VALUE), default=None))
_RATINGS = _dataclass(
    Ratings,
    _field("id", _STR),
    _field("type", _TYPE_SPELLINGS, default="ratings"),
    _field("href", _nullable(_STR), default=None),
    _field("attributes", _nullable(_ATTRIBUTES), default=None),
)
_RATINGS_RESPONSE = _dataclass(RatingsResponse, _field("data", cs.list_schema(_RATINGS)))
_REQUEST_ATTRIBUTES = _dataclass(RatingRequestAttributes, _field("value", _VALUE))
_REQUEST = _dataclass(
    RatingRequest,
    _field("type", _TYPE_SPELLINGS, default="ratings", kw_only=True),
    _field("attributes", _REQUEST_ATTRIBUTES, kw_only=True),
)
_APPLE_ERROR = _dataclass(
    AppleError,
    _field("id", _STR),
    _field("title", _STR),
    _field("status", _STR),
    _field("code", _STR),
    _field("detail", _nullable(_STR), default=None),
    _field("source", _nullable(cs.dict_schema(cs.str_schema(), cs.any_schema())), default=None),
)
_ERRORS_RESPONSE = _dataclass(ErrorsResponse, _field("errors", cs.list_schema(_APPLE_ERROR)))

for _cls, _schema in ((RatingAttributes, _ATTRIBUTES), (Ratings, _RATINGS),
                      (RatingsResponse, _RATINGS_RESPONSE),
                      (RatingRequestAttributes, _REQUEST_ATTRIBUTES), (RatingRequest, _REQUEST),
                      (AppleError, _APPLE_ERROR), (ErrorsResponse, _ERRORS_RESPONSE)):
    _cls._validator = SchemaValidator(_schema)
del _cls, _schema


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
