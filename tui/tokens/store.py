"""Where the two tokens come from: environment, then keyring, then an opt-in 0600 file.

(Minimal first version: environment only. The keyring and file sources are being added.)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from tui.tokens.redact import mask

DEVELOPER_ENV = "APPLE_MUSIC_DEVELOPER_TOKEN"
USER_ENV = "APPLE_MUSIC_USER_TOKEN"

TokenKind = Literal["developer", "user"]


class TokenSource(StrEnum):
    """Where a token was found."""

    ENV = "env"
    KEYRING = "keyring"
    FILE = "file"
    SESSION = "session"
    DEMO = "demo"
    NONE = "none"


@dataclass(frozen=True)
class StoredToken:
    """A token with its source. ``repr`` never shows the value."""

    kind: TokenKind
    value: str | None
    source: TokenSource
    #: Why a source could not be read (e.g. "keyring unavailable: no backend"), if any.
    problem: str | None = None

    def __repr__(self) -> str:
        return (f"StoredToken(kind={self.kind!r}, source={self.source.value!r}, "
                f"value={mask(self.value)})")


@dataclass(frozen=True)
class TokenPair:
    """The developer token and the music user token, each with its source."""

    developer: StoredToken
    user: StoredToken


def load_tokens(environ: Mapping[str, str] | None = None) -> TokenPair:
    """Find both tokens. Blocking (the keyring may be slow): call it off the event loop."""
    env = os.environ if environ is None else environ

    def one(kind: TokenKind, var: str) -> StoredToken:
        value = (env.get(var) or "").strip()
        if value:
            return StoredToken(kind, value, TokenSource.ENV)
        return StoredToken(kind, None, TokenSource.NONE)

    return TokenPair(one("developer", DEVELOPER_ENV), one("user", USER_ENV))
