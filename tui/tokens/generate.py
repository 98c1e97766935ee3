"""Make a developer token from the team's MusicKit private key (``AuthKey_<KEYID>.p8``).

The token is an ES256 JWT: header ``kid`` = Key ID; claims ``iss`` = Team ID, ``iat``, ``exp``
and optionally ``origin``. Its lifetime stays a day short of Apple's ceiling
(``MAX_TOKEN_LIFETIME``), because tokens right at the ceiling were observed to be refused.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tui.api.errors import BadInputError
from tui.api.limits import MAX_TOKEN_LIFETIME, TOKEN_LIFETIME_LIMIT

DEFAULT_DAYS = 180.0
#: The longest lifetime generated, in seconds: a margin of one day below Apple's ceiling.
MAX_LIFETIME = MAX_TOKEN_LIFETIME - 86400
_ID = re.compile(r"[A-Z0-9]{10}")
_KEY_FILE_NAME = re.compile(r"AuthKey_([A-Za-z0-9]+)\.p8")


class TokenGenerationError(BadInputError):
    """The inputs cannot make a developer token: a missing or wrong key file, a bad id."""

    kind = "Cannot generate a developer token"


def key_id_from_file_name(path: str | Path) -> str | None:
    """The Key ID Apple puts in a key file's name (``AuthKey_ABC123DEFG.p8``), if it is there."""
    match = _KEY_FILE_NAME.fullmatch(Path(path).name)
    return match.group(1) if match else None


def _check_id(label: str, value: str, what: str) -> str:
    value = value.strip()
    if not _ID.fullmatch(value):
        raise TokenGenerationError(
            f"{label} {value!r} is not a 10-character {what}"
            + (f" (it has {len(value)})" if len(value) != 10 else " (A-Z and 0-9 only)"),
            hint=f"find your {what} in the Apple Developer account, under "
                 + ("Membership details" if label == "team id" else "Certificates, IDs & "
                    "Profiles > Keys"))
    return value


def _key_bytes(private_key: bytes | str | Path) -> tuple[bytes, str]:
    """The PEM bytes and a name for messages. A ``str`` holding PEM text is the key itself;
    any other ``str`` is a path."""
    if isinstance(private_key, bytes):
        return private_key, "the key"
    if isinstance(private_key, str) and "-----BEGIN" in private_key:
        return private_key.encode("utf-8"), "the key"
    try:
        path = Path(private_key).expanduser()
    except RuntimeError:  # "~someone/..." for a user this machine does not know
        raise TokenGenerationError(f"key file {private_key}: ~ does not name a home directory here",
                                   hint="give the full path of AuthKey_<KEYID>.p8") from None
    try:
        return path.read_bytes(), str(path)
    except FileNotFoundError:
        raise TokenGenerationError(
            f"key file {path} does not exist",
            hint="download the MusicKit key (AuthKey_<KEYID>.p8) from the Apple Developer "
                 "account; Apple lets you download it only once") from None
    except IsADirectoryError:
        raise TokenGenerationError(f"key file {path} is a directory",
                                   hint="give the path of AuthKey_<KEYID>.p8") from None
    except OSError as exc:
        raise TokenGenerationError(f"cannot read key file {path}: {exc.strerror}",
                                   hint="check the file's permissions") from None


def load_private_key(private_key: bytes | str | Path) -> Any:
    """Load and check a MusicKit key: PEM, PKCS#8, unencrypted, EC on the P-256 curve.

    Returns the ``cryptography`` private key object; raises :class:`TokenGenerationError`.
    """
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    data, name = _key_bytes(private_key)
    hint = ("use the AuthKey_<KEYID>.p8 file from the Apple Developer account, unchanged: an "
            "EC P-256 private key in PKCS#8 PEM form")
    if b"-----BEGIN EC PRIVATE KEY-----" in data:
        raise TokenGenerationError(
            f"{name} is a SEC1 'EC PRIVATE KEY', not the PKCS#8 key Apple issues",
            hint="convert it with `openssl pkcs8 -topk8 -nocrypt -in KEY -out AuthKey_ID.p8`, "
                 "or use the original .p8 file")
    if b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in data:
        raise TokenGenerationError(f"{name} is encrypted; Apple's .p8 keys are not", hint=hint)
    if b"-----BEGIN PRIVATE KEY-----" not in data:
        raise TokenGenerationError(f"{name} is not a PKCS#8 PEM private key", hint=hint)
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise TokenGenerationError(f"{name} cannot be read as a private key: {exc}",
                                   hint=hint) from None
    except Exception as exc:  # cryptography raises its own UnsupportedAlgorithm for odd keys
        raise TokenGenerationError(f"{name} cannot be read as a private key: {exc}",
                                   hint=hint) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TokenGenerationError(
            f"{name} is a {type(key).__name__.lstrip('_')}, not an elliptic-curve key",
            hint=hint)
    if not isinstance(key.curve, ec.SECP256R1):
        raise TokenGenerationError(f"{name} uses the {key.curve.name} curve, not P-256",
                                   hint=hint)
    return key


def generate_developer_token(
    team_id: str,
    key_id: str,
    private_key: bytes | str | Path,
    *,
    days: float = DEFAULT_DAYS,
    origins: Sequence[str] = (),
    now: float | None = None,
) -> str:
    """Sign a developer token (ES256 JWT) with the MusicKit key.

    ``private_key``: the key's PEM bytes or text, or the path of ``AuthKey_<KEYID>.p8``.
    ``days``: lifetime, at most a day short of Apple's limit (about 181.6 days).
    ``origins``: optional web origins to restrict the token to. Raises
    :class:`TokenGenerationError` (a :class:`~tui.api.errors.BadInputError`) for a missing key
    file, a key that is not an EC P-256 PKCS#8 key, ids that are not 10 characters, or a bad
    lifetime or origin.
    """
    import jwt

    team_id = _check_id("team id", team_id, "Team ID")
    key_id = _check_id("key id", key_id, "Key ID")
    lifetime = days * 86400
    if not lifetime > 0:
        raise TokenGenerationError(f"--days must be positive, got {days:g}")
    if lifetime > MAX_LIFETIME:
        raise TokenGenerationError(
            f"--days {days:g} reaches Apple's limit of {TOKEN_LIFETIME_LIMIT}, and "
            "tokens at the limit are refused",
            hint=f"use 180 days or less (at most {MAX_LIFETIME / 86400:.1f})")
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise TokenGenerationError(f"origin {origin!r} is not a web origin",
                                       hint="give origins like https://example.com")
    key = load_private_key(private_key)
    issued = int(time.time() if now is None else now)
    claims: dict[str, Any] = {"iss": team_id, "iat": issued, "exp": issued + int(lifetime)}
    if origins:
        claims["origin"] = list(origins)
    token: str = jwt.encode(claims, key, algorithm="ES256", headers={"kid": key_id})
    return token
