"""Every finding ``token status`` can report, from tokens built for each case."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tui.api.simulated import DEMO_USER_TOKEN, make_demo_developer_token
from tui.tokens.inspect import (
    MAX_TOKEN_LIFETIME,
    Finding,
    inspect_developer_token,
    inspect_user_token,
)
from tui.tokens.redact import fingerprint

NOW = 1_800_000_000.0
LIMIT = "15,777,000 s (about 182.6 days)"
DAY = 86400


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def fake_jwt(header: dict[str, Any], claims: dict[str, Any]) -> str:
    """A JWT-shaped token with an obviously fake signature."""
    return f"{_b64(header)}.{_b64(claims)}.{_b64({'fake': 'signature'})}"


def good_claims(**changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {"iss": "TESTTEAM01", "iat": int(NOW - DAY),
                              "exp": int(NOW + 12 * DAY)}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


HEADER = {"alg": "ES256", "kid": "TESTKEY001", "typ": "JWT"}


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


def test_a_good_token() -> None:
    token = fake_jwt(HEADER, good_claims(origin=["https://music.example"]))
    report = inspect_developer_token(token, now=NOW)
    assert report.is_jwt and not report.has_errors
    assert (report.alg, report.kid, report.iss) == ("ES256", "TESTKEY001", "TESTTEAM01")
    assert report.iat == datetime.fromtimestamp(NOW - DAY, tz=UTC)
    assert report.exp == datetime.fromtimestamp(NOW + 12 * DAY, tz=UTC)
    assert report.expiry_text == "expires in 12 days"
    assert report.origin == ["https://music.example"]
    assert report.fingerprint == fingerprint(token) and report.length == len(token)
    finding = only(report.findings)
    assert finding.severity == "info" and "https://music.example" in finding.message
    data = report.to_json()
    assert data["exp"].endswith("Z") and token not in json.dumps(data)


def test_demo_token_has_no_findings() -> None:
    report = inspect_developer_token(make_demo_developer_token(now=NOW), now=NOW)
    assert report.findings == [] and report.expiry_text == "expires in 90 days"


@pytest.mark.parametrize("token", ["FAKE-DEV-TOKEN-not-a-jwt", "a.b.c", DEMO_USER_TOKEN, ""])
def test_not_a_jwt(token: str) -> None:
    report = inspect_developer_token(token, now=NOW)
    finding = only(report.findings)
    assert (finding.severity, finding.message) == ("error", "Not a JWT.")
    assert "MusicKit" in finding.why
    assert not report.is_jwt and report.has_errors


def test_bearer_prefix() -> None:
    token = "Bearer " + fake_jwt(HEADER, good_claims())
    report = inspect_developer_token(token, now=NOW)
    assert only(report.findings).message == 'The token starts with "Bearer ".'
    assert report.is_jwt and report.kid == "TESTKEY001"


@pytest.mark.parametrize("alg", ["HS256", "RS256", "none"])
def test_alg_not_es256(alg: str) -> None:
    report = inspect_developer_token(fake_jwt({**HEADER, "alg": alg}, good_claims()), now=NOW)
    finding = only(report.findings)
    assert finding.severity == "error" and finding.message == f"alg is {alg}, not ES256."


@pytest.mark.parametrize(("kid", "message"), [
    ("SHORTKEY", "kid 'SHORTKEY' is 8 characters, not 10."),
    (None, "kid is missing."),
])
def test_kid_not_ten_characters(kid: str | None, message: str) -> None:
    header = {k: v for k, v in {**HEADER, "kid": kid}.items() if v is not None}
    finding = only(inspect_developer_token(fake_jwt(header, good_claims()), now=NOW).findings)
    assert (finding.severity, finding.message) == ("error", message)
    assert "Key ID" in finding.why


@pytest.mark.parametrize(("iss", "message"), [
    ("TEAM-ID-TOO-LONG", "iss 'TEAM-ID-TOO-LONG' is 16 characters, not 10."),
    (None, "iss is missing."),
])
def test_iss_not_ten_characters(iss: str | None, message: str) -> None:
    claims = good_claims(iss=iss) if iss else {k: v for k, v in good_claims().items()
                                               if k != "iss"}
    finding = only(inspect_developer_token(fake_jwt(HEADER, claims), now=NOW).findings)
    assert (finding.severity, finding.message) == ("error", message)
    assert "Team ID" in finding.why


def test_expired() -> None:
    token = fake_jwt(HEADER, good_claims(iat=int(NOW - 100 * DAY), exp=int(NOW - 3 * DAY)))
    report = inspect_developer_token(token, now=NOW)
    assert report.expiry_text == "expired 3 days ago"
    finding = only(report.findings)
    assert (finding.severity, finding.message) == ("error", "Expired (expired 3 days ago).")
    assert "401" in finding.why


def test_expires_soon_is_a_warning() -> None:
    token = fake_jwt(HEADER, good_claims(exp=int(NOW + 5 * 3600)))
    report = inspect_developer_token(token, now=NOW)
    assert report.expiry_text == "expires in 5 hours"
    finding = only(report.findings)
    assert finding.severity == "warning" and finding.message.startswith("Expires soon")
    assert not report.has_errors


def test_not_yet_valid() -> None:
    token = fake_jwt(HEADER, good_claims(iat=int(NOW + 2 * DAY)))
    finding = only(inspect_developer_token(token, now=NOW).findings)
    assert finding.severity == "error"
    assert finding.message == "Not yet valid: iat is 2 days in the future."
    # A little clock skew is tolerated.
    assert inspect_developer_token(fake_jwt(HEADER, good_claims(iat=int(NOW + 30))),
                                   now=NOW).findings == []


@pytest.mark.parametrize("ahead", [MAX_TOKEN_LIFETIME, MAX_TOKEN_LIFETIME + 1, 365 * DAY])
def test_lifetime_at_or_over_the_limit(ahead: int) -> None:
    token = fake_jwt(HEADER, good_claims(iat=int(NOW), exp=int(NOW) + ahead))
    finding = only(inspect_developer_token(token, now=NOW).findings)
    assert finding.severity == "error" and LIMIT in finding.message
    assert "180 days or less" in finding.why


def test_lifetime_close_to_the_limit() -> None:
    token = fake_jwt(HEADER, good_claims(iat=int(NOW), exp=int(NOW + 181 * DAY)))
    finding = only(inspect_developer_token(token, now=NOW).findings)
    assert finding.severity == "warning"
    assert finding.message == ("The lifetime is close to Apple's limit of 15,777,000 s (about "
                               "182.6 days).")
    ok = fake_jwt(HEADER, good_claims(iat=int(NOW), exp=int(NOW + 180 * DAY)))
    assert inspect_developer_token(ok, now=NOW).findings == []


def test_issued_over_the_limit_but_accepted_now() -> None:
    token = fake_jwt(HEADER, good_claims(iat=int(NOW - 100 * DAY), exp=int(NOW + 100 * DAY)))
    finding = only(inspect_developer_token(token, now=NOW).findings)
    assert finding.severity == "warning" and f"over Apple's limit of {LIMIT}" in finding.message


@pytest.mark.parametrize("lifetime", [MAX_TOKEN_LIFETIME + 10 * DAY, 181 * DAY])
def test_an_expired_token_gets_no_lifetime_finding(lifetime: int) -> None:
    # Issued over (or near) the limit and expired since: "Apple accepts it only now that less
    # than the limit remains" would be false, and the lifetime no longer matters.
    token = fake_jwt(HEADER, good_claims(iat=int(NOW - lifetime - DAY), exp=int(NOW - DAY)))
    finding = only(inspect_developer_token(token, now=NOW).findings)
    assert finding.severity == "error" and finding.message.startswith("Expired")


def test_no_exp() -> None:
    claims = {k: v for k, v in good_claims().items() if k != "exp"}
    report = inspect_developer_token(fake_jwt(HEADER, claims), now=NOW)
    finding = only(report.findings)
    assert (finding.severity, finding.message) == ("error", "No exp (expiry) claim.")
    assert report.exp is None and report.expiry_text is None


def test_no_iat_and_non_numeric_exp() -> None:
    claims = {"iss": "TESTTEAM01", "exp": "tomorrow"}
    messages = [f.message for f in inspect_developer_token(fake_jwt(HEADER, claims),
                                                           now=NOW).findings]
    assert messages == ["No iat (issued-at) claim.", "exp is not a number."]


def test_every_error_finding_sets_has_errors() -> None:
    header = {"alg": "HS256", "kid": "X"}
    claims = {"iss": "Y", "iat": int(NOW + 5 * DAY), "exp": int(NOW - DAY)}
    report = inspect_developer_token(fake_jwt(header, claims), now=NOW)
    assert {f.severity for f in report.findings} == {"error"}
    assert len(report.findings) == 5 and report.has_errors


# ---------------------------------------------------------------------- music user token


def test_plain_user_token() -> None:
    report = inspect_user_token(DEMO_USER_TOKEN)
    assert report.findings == [] and not report.looks_like_jwt
    assert report.length == len(DEMO_USER_TOKEN)
    assert report.fingerprint == fingerprint(DEMO_USER_TOKEN)
    assert DEMO_USER_TOKEN not in json.dumps(report.to_json())


def test_user_token_that_looks_like_a_jwt() -> None:
    jwt_like = fake_jwt(HEADER, good_claims())
    report = inspect_user_token(jwt_like)
    finding = only(report.findings)
    assert report.looks_like_jwt and finding.severity == "warning"
    assert finding.message == "Looks like a JWT."
    assert "developer token pasted twice" in finding.why and "Sign in with Apple" in finding.why


def test_user_token_equal_to_developer_token() -> None:
    dev = fake_jwt(HEADER, good_claims())
    report = inspect_user_token(dev, developer_token=dev)
    assert [f.severity for f in report.findings] == ["error", "warning"]
    assert report.has_errors


def test_user_token_with_whitespace() -> None:
    finding = only(inspect_user_token("FAKE-USER part one\npart two").findings)
    assert finding.message == "Contains whitespace."


def test_damaged_signature_part_still_decodes() -> None:
    token = fake_jwt(HEADER, good_claims()).rsplit(".", 1)[0] + ".FAKE-SIGNATURE"
    report = inspect_developer_token(token, now=NOW)
    assert report.is_jwt and report.kid == "TESTKEY001"
    assert only(report.findings).message == "The signature part is not valid base64url."
