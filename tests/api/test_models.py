"""The models of Apple's JSON (pydantic models): what is accepted, what is "not rated",
what is refused."""

from __future__ import annotations

import pytest

from tui.api.client import error_from_response
from tui.api.errors import DeveloperTokenError, UserTokenError
from tui.api.models import (
    ErrorsResponse,
    RatingRequest,
    RatingResult,
    Ratings,
    RatingsResponse,
    ValidationError,
)


@pytest.mark.parametrize("value", [1, -1])
def test_value_like_and_dislike_accepted(value: int) -> None:
    item = Ratings.model_validate({"id": "1", "type": "ratings", "attributes": {"value": value}})
    assert item.value == value


@pytest.mark.parametrize("value", [0, 2, 5, -2, 1.5, 1.0, "1", True, [1]])
def test_value_other_than_one_or_minus_one_refused(value: object) -> None:
    with pytest.raises(ValidationError):
        Ratings.model_validate({"id": "1", "type": "ratings", "attributes": {"value": value}})


@pytest.mark.parametrize("resource", [
    {"id": "1", "type": "ratings"},
    {"id": "1", "type": "ratings", "attributes": {}},
    {"id": "1", "type": "ratings", "attributes": None},
    {"id": "1", "type": "ratings", "attributes": {"value": None}},
])
def test_missing_value_or_attributes_means_not_rated(resource: dict[str, object]) -> None:
    assert Ratings.model_validate(resource).value is None


@pytest.mark.parametrize("kind", ["ratings", "rating"])
def test_both_type_spellings_accepted(kind: str) -> None:
    assert Ratings.model_validate({"id": "1", "type": kind, "attributes": {"value": 1}}).value == 1
    assert RatingRequest.model_validate({"type": kind, "attributes": {"value": -1}})


def test_other_type_refused() -> None:
    with pytest.raises(ValidationError):
        Ratings.model_validate({"id": "1", "type": "songs", "attributes": {"value": 1}})


def test_unknown_fields_ignored() -> None:
    body = {"data": [{"id": "l.qrRWYhq", "type": "ratings", "href": "/x", "extra": [1],
                      "attributes": {"value": 1, "dateAdded": "2020"}}], "meta": {"n": 1}}
    parsed = RatingsResponse.model_validate(body)
    assert [(r.id, r.value) for r in parsed.data] == [("l.qrRWYhq", 1)]


@pytest.mark.parametrize("body", [{}, {"data": None}, {"data": {}}, [],
                                  {"data": [{"type": "ratings"}]}])
def test_wrong_shape_refused(body: object) -> None:
    with pytest.raises(ValidationError):
        RatingsResponse.model_validate(body)


@pytest.mark.parametrize("raw", [b"1.0", b"true", b'"1"', b"2"])
def test_value_strict_from_json_too(raw: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        RatingsResponse.model_validate_json(
            b'{"data":[{"id":"1","attributes":{"value":' + raw + b"}}]}")
    assert caught.value.errors()[0]["loc"] == ("data", 0, "attributes", "value")


def test_model_validate_json_builds_typed_frozen_objects() -> None:
    parsed = RatingsResponse.model_validate_json(
        b'{"data":[{"id":"i.a","type":"rating","attributes":{"value":-1}},{"id":"i.b"}]}')
    assert isinstance(parsed, RatingsResponse)
    assert all(isinstance(r, Ratings) for r in parsed.data)
    assert [(r.id, r.type, r.value) for r in parsed.data] == [("i.a", "rating", -1),
                                                              ("i.b", "ratings", None)]
    with pytest.raises(ValidationError):
        parsed.data[0].id = "other"  # type: ignore[misc]


@pytest.mark.parametrize("bad_id", [1, None, ["i.a"]])
def test_id_must_be_a_string(bad_id: object) -> None:
    with pytest.raises(ValidationError) as caught:
        RatingsResponse.model_validate({"data": [{"id": bad_id, "attributes": {"value": 1}}]})
    assert caught.value.errors()[0]["loc"] == ("data", 0, "id")


def test_put_body_is_exactly_what_apple_documents() -> None:
    body = RatingRequest.model_validate({"attributes": {"value": 1}}).to_json()
    assert body == '{"type":"ratings","attributes":{"value":1}}'
    assert RatingRequest.model_validate({"attributes": {"value": -1}}).to_json() == (
        '{"type":"ratings","attributes":{"value":-1}}')
    with pytest.raises(ValidationError):
        RatingRequest.model_validate({"attributes": {"value": True}})


def test_errors_body_parsed_with_extras_and_source() -> None:
    body = {"errors": [{"id": "X", "title": "Invalid Parameter Value", "status": "400",
                        "code": "40005", "detail": "bad l", "source": {"parameter": "l"},
                        "messageForDisplay": "ignored"}]}
    info = ErrorsResponse.model_validate(body).errors[0].info()
    assert (info.code, info.title, info.detail, info.parameter) == (
        "40005", "Invalid Parameter Value", "bad l", "l")


def test_errors_body_pointer_used_when_no_parameter() -> None:
    body = {"errors": [{"id": "X", "title": "T", "status": "400", "code": "40005",
                        "source": {"pointer": "/data/attributes/value"}}]}
    assert ErrorsResponse.model_validate(body).errors[0].info().parameter == (
        "/data/attributes/value")


@pytest.mark.parametrize("body", [b"", b"Unauthorized", b'{"errors":[]}', b"<html>x</html>",
                                  b'{"message":"nope"}', b"\xff\xfe\x00garbage", b"[1,2]"])
def test_401_any_body_is_developer_token_error(body: bytes) -> None:
    error = error_from_response(401, body)
    assert isinstance(error, DeveloperTokenError)
    assert error.status == 401
    assert "developer token" in error.one_line()


def test_403_observed_body_keeps_apple_fields() -> None:
    body = (b'{"errors":[{"code":"40300","detail":"Invalid authentication","id":"ABC",'
            b'"status":"403","title":"Forbidden"}]}')
    error = error_from_response(403, body)
    assert isinstance(error, UserTokenError)
    assert (error.code, error.title, error.detail) == ("40300", "Forbidden",
                                                      "Invalid authentication")
    assert "music user token" in error.one_line()


def test_result_json_shape() -> None:
    assert RatingResult("i.x1", "library-songs", -1).to_json() == {
        "id": "i.x1", "type": "library-songs", "value": -1, "rating": "dislike"}
    assert RatingResult("i.x1", "library-songs", None).to_json()["rating"] is None
    failed = RatingResult("i.x1", "library-songs", None, error=error_from_response(
        403, b'{"errors":[{"code":"40300","detail":"D","id":"I","status":"403","title":"F"}]}'))
    assert failed.to_json()["error"]["status"] == 403
    assert failed.to_json()["error"]["code"] == "40300"
    assert failed.word == "Failed"
