"""Models of Apple's library, catalog, search and storefront answers, and the rows built on them.

The JSON models are pydantic ``BaseModel``s, frozen, with unknown fields ignored: Apple's real
bodies carry much more than we read, and whatever is marked "assumed" in the API notes is
parsed defensively (every field optional but ``id``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tui.api.models import RatingResult


class _Apple(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class PlayParams(_Apple):
    """``attributes.playParams``: ``catalogId`` only when a library item has a catalog match."""

    id: str | None = None
    kind: str | None = None
    is_library: bool | None = Field(default=None, alias="isLibrary")
    catalog_id: str | None = Field(default=None, alias="catalogId")


class ResourceAttributes(_Apple):
    """The attributes we show: name, artist, album (songs), curator (catalog playlists)."""

    name: str | None = None
    artist_name: str | None = Field(default=None, alias="artistName")
    album_name: str | None = Field(default=None, alias="albumName")
    curator_name: str | None = Field(default=None, alias="curatorName")
    date_added: str | None = Field(default=None, alias="dateAdded")
    play_params: PlayParams | None = Field(default=None, alias="playParams")


class Resource(_Apple):
    """A library or catalog resource (``library-songs``, ``songs``, ``library-playlists`` ...)."""

    id: str
    type: str | None = None
    href: str | None = None
    attributes: ResourceAttributes | None = None
    relationships: dict[str, Any] | None = None


class PageMeta(_Apple):
    """``meta`` of a listing: ``total`` is the number of items of the whole listing."""

    total: int | None = Field(default=None, ge=0)


class ResourcePage(_Apple):
    """One page of a listing, or the answer to a lookup by ids: ``{"data", "next", "meta"}``."""

    data: list[Resource] = []
    next: str | None = None
    meta: PageMeta | None = None


class SearchGroup(_Apple):
    """The matches of one type in a search answer."""

    href: str | None = None
    next: str | None = None
    data: list[Resource] = []


class SearchResponse(_Apple):
    """``{"results": {type: SearchGroup}}``; a type without matches is absent."""

    results: dict[str, SearchGroup] = {}


class StorefrontAttributes(_Apple):
    """What a storefront is called."""

    name: str | None = None
    default_language_tag: str | None = Field(default=None, alias="defaultLanguageTag")


class Storefront(_Apple):
    """A storefront resource: ``{"id": "us", "attributes": {"name": "United States"}}``."""

    id: str
    attributes: StorefrontAttributes | None = None


class StorefrontResponse(_Apple):
    """``GET /v1/me/storefront``: the user's storefront is ``data[0]``."""

    data: list[Storefront]


class LibraryItem(_Apple):
    """What a person recognises an item by: its id and type, name, artist, album, catalog id."""

    id: str
    type: str
    name: str | None = None
    artist: str | None = None
    album: str | None = None
    catalog_id: str | None = None
    #: ``attributes.dateAdded`` of a library item (an ISO date), when Apple gives it.
    date_added: str | None = None

    @classmethod
    def from_resource(cls, resource: Resource, rating_type: str) -> LibraryItem:
        """The item of a library or catalog resource, under ``rating_type``.

        A catalog item's catalog id is its own id; a library item's is
        ``playParams.catalogId`` (absent without a catalog match).
        """
        attributes = resource.attributes or ResourceAttributes()
        play = attributes.play_params
        if rating_type.startswith("library-"):
            catalog_id = play.catalog_id if play else None
        else:
            catalog_id = resource.id
        return cls(id=resource.id, type=rating_type, name=attributes.name,
                   artist=attributes.artist_name or attributes.curator_name,
                   album=attributes.album_name, catalog_id=catalog_id,
                   date_added=attributes.date_added)


#: The fields of a row as ``library --json`` prints them, in order (also the CSV header).
ROW_FIELDS: tuple[str, ...] = ("id", "type", "name", "artist", "album", "catalog_id", "value",
                               "rating")


@dataclass
class LibraryRow:
    """One item with its rating (or why the rating could not be read)."""

    item: LibraryItem
    rating: RatingResult

    @property
    def id(self) -> str:
        """The item's id."""
        return self.item.id

    def to_json(self) -> dict[str, Any]:
        """``{"id", "type", "name", "artist", "album", "catalog_id", "value", "rating"}``, plus
        ``"error"`` when the rating could not be read."""
        out: dict[str, Any] = {
            "id": self.item.id, "type": self.item.type, "name": self.item.name,
            "artist": self.item.artist, "album": self.item.album,
            "catalog_id": self.item.catalog_id, "value": self.rating.value,
            "rating": self.rating.rating,
        }
        if self.rating.error is not None:
            out["error"] = self.rating.error.to_json()
        return out
