"""Shared fixtures: an isolated home, an environment without real tokens or proxies, and the
loopback server. Kept small and generic on purpose; area-specific fixtures live next to their
tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback import LoopbackServer

#: Environment variables that must never leak from the developer's shell into a test run.
_SCRUBBED_PREFIXES = ("APPLE_MUSIC_", "AMRATINGS_")
_SCRUBBED = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
             "SSL_CERT_FILE", "SSL_CERT_DIR", "PYTHON_KEYRING_BACKEND", "NO_COLOR"}


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point HOME and XDG_CONFIG_HOME at a temporary directory, drop every APPLE_MUSIC_* and
    AMRATINGS_* variable and any proxy, and select keyring's null backend so no test can read
    or write a real keyring. Returns the resulting environment (also applied to os.environ)."""
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    for name in list(os.environ):
        if name.startswith(_SCRUBBED_PREFIXES) or name in _SCRUBBED:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.setenv("NO_PROXY", "*")
    return dict(os.environ)


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """A running :class:`~tests.loopback.LoopbackServer` on 127.0.0.1, stopped afterwards."""
    server = LoopbackServer().start()
    try:
        yield server
    finally:
        server.stop()

