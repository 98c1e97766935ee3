"""The nine rating types, the id rules and id-list splitting."""

from __future__ import annotations

import pytest

from tui.api.errors import BadInputError
from tui.api.types import (
    RATING_TYPE_NAMES,
    RatingType,
    id_problem,
    parse_rating_type,
    split_ids,
    validate_id,
)

NINE = ("albums", "songs", "music-videos", "playlists", "stations", "library-albums",
        "library-songs", "library-music-videos", "library-playlists")

# One valid id per type, from Apple's documentation.
GOOD = {
    "albums": "1138988512", "songs": "907242702", "music-videos": "639032181",
    "playlists": "pl.5b0194eaa170401e8986335d7e77aa4e", "stations": "ra.853851860",
    "library-albums": "l.qrRWYhq", "library-songs": "i.7PJNN4mfXlD68R",
    "library-music-videos": "i.NJv00rkTEaLK51", "library-playlists": "p.MoGJYM3CYXW09B",
}


def test_exactly_the_nine_types() -> None:
    assert RATING_TYPE_NAMES == NINE


@pytest.mark.parametrize("name", NINE)
def test_every_type_parses(name: str) -> None:
    assert parse_rating_type(name).value == name


@pytest.mark.parametrize("name,words", [
    ("song", "did you mean 'songs'"), ("artists", "cannot be rated"),
    ("library-stations", "no library stations"), ("nope", "choose one of"), ("", "choose one of"),
])
def test_unknown_types_refused_with_the_list(name: str, words: str) -> None:
    with pytest.raises(BadInputError) as caught:
        parse_rating_type(name)
    assert words in (caught.value.hint or "")
    assert all(n in (caught.value.hint or "") for n in NINE)


@pytest.mark.parametrize("rtype,item_id", GOOD.items())
def test_documented_ids_valid_for_their_type(rtype: str, item_id: str) -> None:
    assert id_problem(item_id, RatingType(rtype)) is None
    assert validate_id(item_id, RatingType(rtype)) == item_id


@pytest.mark.parametrize("item_id", ["a", "A-b_c.d", "x" * 256, "..a", "a..", "..."])
def test_general_rule_accepts(item_id: str) -> None:
    assert id_problem(item_id) is None


@pytest.mark.parametrize("item_id", ["", ".", "..", "x" * 257, "a/b", "a b", "a?b", "a#b",
                                     "%2e%2e", "é", "a\n", "a\x00", "a+b", "a,b", "١٢٣"])
def test_general_rule_refuses(item_id: str) -> None:
    assert id_problem(item_id) is not None
    with pytest.raises(BadInputError):
        validate_id(item_id)


@pytest.mark.parametrize("rtype,item_id,words", [
    ("songs", "i.NJv00rkTEaLK51", "library id"),
    ("albums", "l.qrRWYhq", "library id"),
    ("library-songs", "907242702", "catalog id"),
    ("playlists", "p.MoGJYM3CYXW09B", "library id"),
    ("stations", "907242702", "not a stations id"),
    ("library-albums", "i.NJv00rkTEaLK51", "not a library-albums id"),
    ("songs", "12a", "not a songs id"),
])
def test_per_type_shapes(rtype: str, item_id: str, words: str) -> None:
    problem = id_problem(item_id, RatingType(rtype))
    assert problem is not None and words in problem


def test_invalid_id_message_names_the_id_visibly() -> None:
    with pytest.raises(BadInputError) as caught:
        validate_id("bad\x1bid")
    assert "'bad\\x1bid'" in str(caught.value)


@pytest.mark.parametrize("text,ids", [
    ("a b", ["a", "b"]), ("a,b", ["a", "b"]), (" a ,, b\n\tc,", ["a", "b", "c"]),
    ("", []), (" , \n", []), ("one", ["one"]),
])
def test_split_ids(text: str, ids: list[str]) -> None:
    assert split_ids(text) == ids
