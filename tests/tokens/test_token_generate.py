"""Generating a developer token with a key made in the test, and every refusal."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.tokens.conftest import KEY_ID, TEAM_ID, p256_pem
from tui.api.errors import BadInputError
from tui.api.simulated import developer_token_problem
from tui.tokens.generate import (
    MAX_LIFETIME,
    TokenGenerationError,
    generate_developer_token,
    key_id_from_file_name,
)
from tui.tokens.inspect import MAX_TOKEN_LIFETIME, inspect_developer_token

NOW = 1_800_000_000.0


def test_round_trip_verifies_with_the_public_key(key_file: Path) -> None:
    token = generate_developer_token(TEAM_ID, KEY_ID, key_file, now=NOW,
                                     origins=["https://music.example"])
    private = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    claims = jwt.decode(token, private.public_key(), algorithms=["ES256"],
                        options={"verify_exp": False, "verify_iat": False})
    assert claims == {"iss": TEAM_ID, "iat": int(NOW), "exp": int(NOW) + 180 * 86400,
                      "origin": ["https://music.example"]}
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256" and header["kid"] == KEY_ID
    # Our own inspection and the simulated Apple agree it is good.
    report = inspect_developer_token(token, now=NOW)
    assert [f.severity for f in report.findings] == ["info"]  # just the origin note
    assert report.expiry_text == "expires in 180 days"
    assert developer_token_problem(token, NOW) is None


def test_key_as_bytes_text_or_str_path(key_file: Path) -> None:
    pem = key_file.read_bytes()
    for key in (pem, pem.decode(), str(key_file)):
        token = generate_developer_token(TEAM_ID, KEY_ID, key, days=1, now=NOW)
        assert jwt.decode(token, options={"verify_signature": False})["exp"] == NOW + 86400


def test_without_origins_there_is_no_origin_claim(key_file: Path) -> None:
    token = generate_developer_token(TEAM_ID, KEY_ID, key_file, now=NOW)
    assert "origin" not in jwt.decode(token, options={"verify_signature": False})


def test_lifetime_stays_below_apples_limit(key_file: Path) -> None:
    assert MAX_LIFETIME < MAX_TOKEN_LIFETIME
    token = generate_developer_token(TEAM_ID, KEY_ID, key_file, days=181, now=NOW)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] < MAX_TOKEN_LIFETIME
    for days in (182.6, 183, 365):
        with pytest.raises(TokenGenerationError, match="15,777,000 s"):
            generate_developer_token(TEAM_ID, KEY_ID, key_file, days=days, now=NOW)
    for days in (0, -1):
        with pytest.raises(TokenGenerationError, match="positive"):
            generate_developer_token(TEAM_ID, KEY_ID, key_file, days=days, now=NOW)


def test_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(TokenGenerationError, match="does not exist") as caught:
        generate_developer_token(TEAM_ID, KEY_ID, tmp_path / "AuthKey_NOPE.p8")
    assert isinstance(caught.value, BadInputError) and caught.value.exit_code == 2
    with pytest.raises(TokenGenerationError, match="is a directory"):
        generate_developer_token(TEAM_ID, KEY_ID, tmp_path)
    # An unknown user after "~" is an input problem, not a RuntimeError (it crashed the TUI).
    with pytest.raises(TokenGenerationError, match="does not name a home directory"):
        generate_developer_token(TEAM_ID, KEY_ID, "~no-such-user-amratings/AuthKey_NOPE.p8")


def _pem(key: object, fmt: serialization.PrivateFormat,
         encryption: serialization.KeySerializationEncryption | None = None) -> bytes:
    return key.private_bytes(  # type: ignore[attr-defined,no-any-return]
        serialization.Encoding.PEM, fmt, encryption or serialization.NoEncryption())


@pytest.mark.parametrize(("make", "words"), [
    (lambda: _pem(rsa.generate_private_key(65537, 2048), serialization.PrivateFormat.PKCS8),
     "not an elliptic-curve key"),
    (lambda: _pem(ec.generate_private_key(ec.SECP384R1()), serialization.PrivateFormat.PKCS8),
     "secp384r1 curve, not P-256"),
    (lambda: _pem(ec.generate_private_key(ec.SECP256R1()),
                  serialization.PrivateFormat.TraditionalOpenSSL), "SEC1"),
    (lambda: _pem(ec.generate_private_key(ec.SECP256R1()), serialization.PrivateFormat.PKCS8,
                  serialization.BestAvailableEncryption(b"FAKE-PASSPHRASE")), "encrypted"),
    (lambda: b"FAKE-NOT-A-KEY\n", "not a PKCS#8 PEM private key"),
    (lambda: b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
     "cannot be read as a private key"),
])
def test_keys_that_are_not_ec_p256_pkcs8(tmp_path: Path, make: object, words: str) -> None:
    path = tmp_path / "AuthKey_TESTKEY001.p8"
    path.write_bytes(make())  # type: ignore[operator]
    with pytest.raises(TokenGenerationError) as caught:
        generate_developer_token(TEAM_ID, KEY_ID, path)
    assert words in caught.value.message
    assert caught.value.hint


@pytest.mark.parametrize(("team", "key", "words"), [
    ("SHORT", KEY_ID, "team id 'SHORT' is not a 10-character Team ID (it has 5)"),
    (TEAM_ID, "KEYID-TOO-LONG", "key id 'KEYID-TOO-LONG' is not a 10-character Key ID"),
    ("testteam01", KEY_ID, "A-Z and 0-9 only"),
])
def test_ids_must_be_ten_characters(key_file: Path, team: str, key: str, words: str) -> None:
    with pytest.raises(TokenGenerationError) as caught:
        generate_developer_token(team, key, key_file)
    assert words in caught.value.message


def test_bad_origin(key_file: Path) -> None:
    with pytest.raises(TokenGenerationError, match="not a web origin"):
        generate_developer_token(TEAM_ID, KEY_ID, key_file, origins=["music.example"])


def test_key_id_from_file_name() -> None:
    assert key_id_from_file_name("/x/AuthKey_ABC123DEFG.p8") == "ABC123DEFG"
    assert key_id_from_file_name("key.p8") is None
    assert p256_pem().startswith(b"-----BEGIN PRIVATE KEY-----")
