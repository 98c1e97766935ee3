"""Fixtures for the token layer: an isolated home, keyring backends chosen explicitly, and a
MusicKit-style private key made for the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.core
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tui.tokens import store
from tui.tokens.keyrings import HangingKeyring, LockedKeyring, MemoryKeyring

#: Obviously fake, and easy to grep for in leak checks.
FAKE_DEV = "FAKE-DEV-TOKEN-LEAKCHECK-0123456789abcdef"
FAKE_USER = "FAKE-USER-TOKEN-LEAKCHECK-fedcba9876543210"
TEAM_ID = "TESTTEAM01"
KEY_ID = "TESTKEY001"


@pytest.fixture
def home(isolated_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """The isolated environment (HOME and XDG_CONFIG_HOME under tmp_path, null keyring via
    PYTHON_KEYRING_BACKEND), with keyring's chosen backend restored and any stuck keyring
    thread forgotten afterwards."""
    before = keyring.core._keyring_backend
    # Start from "not chosen yet", so the backend comes from this test's environment.
    keyring.core._keyring_backend = None
    try:
        yield isolated_env
    finally:
        keyring.core._keyring_backend = before
        store._stuck = None


def _use(backend: keyring.backend.KeyringBackend) -> None:
    keyring.set_keyring(backend)


@pytest.fixture
def memory_keyring(home: dict[str, str]) -> MemoryKeyring:
    """An in-memory keyring (priority below zero, so only chosen here, explicitly)."""
    backend = MemoryKeyring()
    _use(backend)
    return backend


@pytest.fixture
def fail_keyring(home: dict[str, str]) -> None:
    """keyring's own 'fail' backend: what it picks when nothing usable exists."""
    from keyring.backends import fail

    _use(fail.Keyring())


@pytest.fixture
def locked_keyring(home: dict[str, str]) -> LockedKeyring:
    """A keyring whose collection cannot be unlocked."""
    backend = LockedKeyring()
    _use(backend)
    return backend


@pytest.fixture
def hanging_keyring(home: dict[str, str]) -> Iterator[HangingKeyring]:
    """A keyring that never answers; released at the end so no thread outlives the test."""
    backend = HangingKeyring(max_wait=30)
    _use(backend)
    try:
        yield backend
    finally:
        backend.release()
        stuck = store._stuck
        if stuck is not None:
            stuck.join(5)
        store._stuck = None


def p256_pem() -> bytes:
    """A fresh EC P-256 private key in PKCS#8 PEM, like Apple's AuthKey_<KEYID>.p8."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    """``AuthKey_TESTKEY001.p8`` holding a key made for this test."""
    path = tmp_path / f"AuthKey_{KEY_ID}.p8"
    path.write_bytes(p256_pem())
    return path
