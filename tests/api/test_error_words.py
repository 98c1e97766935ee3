"""Each error class words itself: the headline, the token at fault, the hint and what the token
check says all come from the class, and the panel and the check only read them."""

from __future__ import annotations

import pytest

from tui.api import errors
from tui.api.errors import (
    AmRatingsError,
    ApiError,
    DeveloperTokenError,
    RateLimitedError,
    ServerError,
    UserTokenError,
    error_class_for,
    error_from_response,
)
from tui.api.exchange import Exchange
from tui.widgets.error_panel import describe_error

DEV, USER = "the developer token sha256:1a2b3c4d (from env)", "the music user token (none is set)"

ALL_CLASSES = [c for c in vars(errors).values()
               if isinstance(c, type) and issubclass(c, AmRatingsError)]


@pytest.mark.parametrize(("status", "cls"), [
    (401, errors.DeveloperTokenError), (403, errors.UserTokenError), (404, errors.NotFoundError),
    (429, errors.RateLimitedError), (500, errors.ServerError), (503, errors.ServerError),
    (400, errors.RequestRejectedError), (413, errors.RequestRejectedError), (302, None),
    (200, None),
])
def test_each_status_has_one_class(status: int, cls: type[ApiError] | None) -> None:
    assert error_class_for(status) is cls


def test_the_403_words_come_from_one_class() -> None:
    error = error_from_response(403, b"")
    assert error.headline == "403 Forbidden: Apple rejected the music user token"
    assert error.at_fault(DEV, USER) == "The music user token (none is set)."
    assert error.hint == UserTokenError.default_hint
    assert error.check_diagnosis() == list(UserTokenError.diagnosis)
    report = describe_error(error)
    assert (report.headline, report.next_step) == (error.headline, error.hint)


def test_every_class_has_a_headline_of_its_own() -> None:
    headlines = {cls: cls("m", status=418).headline for cls in ALL_CLASSES}
    # The bases keep the plain kind; every concrete class has its own words.
    concrete = {c: h for c, h in headlines.items() if c not in (AmRatingsError, ApiError)}
    assert len(set(concrete.values())) == len(concrete), headlines


def test_retries_are_counted_in_the_headline() -> None:
    error = RateLimitedError("x", status=429, attempts=4)
    assert error.headline == "429 Too Many Requests: rate limited, retried 3 times"
    assert ServerError("x", status=502, attempts=2).headline.endswith(", retried 1 time")
    assert "retried" not in ServerError("x", status=502).headline


def test_the_token_at_fault() -> None:
    assert DeveloperTokenError("x").at_fault(DEV, USER).startswith(
        "The developer token sha256:1a2b3c4d (from env). Apple also answers 401")
    assert RateLimitedError("x").at_fault(DEV, USER).endswith(f"made with {DEV}.")
    assert errors.ConfigurationError("x").at_fault(DEV, USER) == "Nothing was sent."
    assert errors.NetworkError("x").at_fault(DEV, USER) == errors.NEITHER_TOKEN


def test_the_panel_shows_the_message_only_when_it_says_more_than_the_headline() -> None:
    api = UserTokenError("Apple rejected the music user token", status=403)
    api.notes += ["gave up after 2 attempts (HTTP 403)", "the token expired"]
    assert api.details() == ["the token expired"]
    network = errors.NetworkError("could not reach api.example: connection refused")
    assert network.details() == ["could not reach api.example: connection refused"]


def test_the_request_line_is_the_exchange_s_own_summary() -> None:
    error = UserTokenError("m", status=403)
    error.exchange = Exchange("GET", "https://api.music.apple.com/v1/me/storefront", {},
                              status=403, elapsed=0.012, attempt=2)
    assert describe_error(error).request == (
        "GET https://api.music.apple.com/v1/me/storefront → 403 in 12 ms (attempt 2)")
