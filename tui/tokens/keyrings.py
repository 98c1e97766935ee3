"""Keyring backends for tests and for reproducing keyring trouble on purpose.

Every backend here has a priority below zero, so keyring's automatic selection never picks one
by accident (its own "fail" backend has priority 0). Select one explicitly, with
``keyring.set_keyring(MemoryKeyring())`` in a test, or in another process with
``PYTHON_KEYRING_BACKEND=tui.tokens.keyrings.JsonFileKeyring`` plus
``AMRATINGS_TEST_KEYRING_FILE=/some/tmp/file.json``.

Importing this module imports keyring: only tests and ``PYTHON_KEYRING_BACKEND`` do.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

#: Where :class:`JsonFileKeyring` keeps its entries.
TEST_KEYRING_FILE_ENV = "AMRATINGS_TEST_KEYRING_FILE"


class MemoryKeyring(KeyringBackend):
    """Entries live in a dict of this instance: nothing touches the disk or a daemon."""

    priority = -1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        """The stored value, or None."""
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store ``password``."""
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        """Remove an entry; keyring's contract is to raise when there is none."""
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError("no such password") from None


class JsonFileKeyring(KeyringBackend):
    """Entries in a JSON file named by ``AMRATINGS_TEST_KEYRING_FILE``, so several processes of
    one test share a keyring. Plain text: for tests only."""

    priority = -1

    def _path(self) -> Path:
        name = os.environ.get(TEST_KEYRING_FILE_ENV)
        if not name:
            raise RuntimeError(f"{TEST_KEYRING_FILE_ENV} is not set")
        return Path(name)

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self._path().read_text("utf-8"))
        except FileNotFoundError:
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def _save(self, data: dict[str, str]) -> None:
        self._path().write_text(json.dumps(data), "utf-8")

    def get_password(self, service: str, username: str) -> str | None:
        """The stored value, or None."""
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store ``password``."""
        data = self._load()
        data[f"{service}/{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        """Remove an entry, raising when there is none."""
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("no such password")
        self._save(data)


class LockedKeyring(KeyringBackend):
    """Behaves like a Secret Service collection nobody can unlock (no prompt over SSH)."""

    priority = -1

    def get_password(self, service: str, username: str) -> str | None:
        """Always refuses."""
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        """Always refuses."""
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        """Always refuses."""
        raise KeyringLocked("Failed to unlock the collection!")


class HangingKeyring(KeyringBackend):
    """Never answers, like the Secret Service waiting for an unlock prompt nobody can see.

    Each call blocks until :meth:`release` (tests call it when they finish, so no thread is
    left behind) or, as a last resort, ``max_wait`` seconds.
    """

    priority = -1

    def __init__(self, max_wait: float = 60.0) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.released = threading.Event()
        self.max_wait = max_wait
        self.calls = 0

    def release(self) -> None:
        """Let every blocked call return (with nothing)."""
        self.released.set()

    def _hang(self) -> None:
        self.calls += 1
        self.released.wait(self.max_wait)

    def get_password(self, service: str, username: str) -> str | None:
        """Blocks."""
        self._hang()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        """Blocks."""
        self._hang()

    def delete_password(self, service: str, username: str) -> None:
        """Blocks."""
        self._hang()


class UnviableKeyring(KeyringBackend):
    """A backend that is not viable here, like the Secret Service without a D-Bus session:
    naming it in ``PYTHON_KEYRING_BACKEND`` makes keyring raise RuntimeError while loading."""

    @properties.classproperty
    def priority(cls) -> float:
        """Raises, as keyring's contract says a backend unsuitable for this system does."""
        raise RuntimeError("this backend needs a D-Bus session bus, and there is none")

    def get_password(self, service: str, username: str) -> str | None:
        """Never reached: the backend cannot be loaded."""
        raise RuntimeError("not viable")

    def set_password(self, service: str, username: str, password: str) -> None:
        """Never reached: the backend cannot be loaded."""
        raise RuntimeError("not viable")
