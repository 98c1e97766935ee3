"""Token storage: precedence, keyring failures of every kind, and the 0600 file."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import keyring.core
import pytest
from repo_kit import modules_after

from tests.tokens.conftest import FAKE_DEV, FAKE_USER
from tui.api.errors import AmRatingsError, BadInputError
from tui.tokens import store
from tui.tokens.keyrings import HangingKeyring, MemoryKeyring
from tui.tokens.store import (
    KEYRING_SERVICE,
    KEYRING_USERNAMES,
    TokenSource,
    TokenStoreError,
    forget_token,
    keyring_status,
    load_tokens,
    read_storage,
    save_token,
    token_file_path,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---------------------------------------------------------------------- precedence


def test_environment_wins_and_is_trimmed(memory_keyring: MemoryKeyring) -> None:
    save_token("developer", "FAKE-KEYRING-DEV-TOKEN", "keyring")
    env = {"APPLE_MUSIC_DEVELOPER_TOKEN": f"  {FAKE_DEV}\n", "APPLE_MUSIC_USER_TOKEN": "   "}
    pair = load_tokens(env)
    assert pair.developer.value == FAKE_DEV
    assert pair.developer.source is TokenSource.ENV
    # A blank variable counts as unset, so the next sources are asked.
    assert pair.user.value is None
    assert pair.user.source is TokenSource.NONE


def test_keyring_then_file(memory_keyring: MemoryKeyring) -> None:
    save_token("developer", FAKE_DEV, "keyring")
    save_token("user", FAKE_USER, "file")
    save_token("developer", "FAKE-SHADOWED-FILE-TOKEN", "file")
    pair = load_tokens({})
    assert (pair.developer.value, pair.developer.source) == (FAKE_DEV, TokenSource.KEYRING)
    assert (pair.user.value, pair.user.source) == (FAKE_USER, TokenSource.FILE)
    assert memory_keyring.entries[(KEYRING_SERVICE, KEYRING_USERNAMES["developer"])] == FAKE_DEV


def test_keyring_not_touched_when_environment_has_both(hanging_keyring: HangingKeyring) -> None:
    env = {"APPLE_MUSIC_DEVELOPER_TOKEN": FAKE_DEV, "APPLE_MUSIC_USER_TOKEN": FAKE_USER}
    started = time.monotonic()
    pair = load_tokens(env, keyring_timeout=5)
    assert time.monotonic() - started < 1
    assert hanging_keyring.calls == 0
    assert pair.developer.source is pair.user.source is TokenSource.ENV


def test_use_keyring_false_skips_it(hanging_keyring: HangingKeyring) -> None:
    pair = load_tokens({}, use_keyring=False, keyring_timeout=5)
    assert hanging_keyring.calls == 0
    assert pair.developer.source is TokenSource.NONE and pair.developer.problem is None


def test_repr_never_shows_tokens(memory_keyring: MemoryKeyring) -> None:
    save_token("developer", FAKE_DEV, "keyring")
    save_token("user", FAKE_USER, "keyring")
    report = read_storage({})
    text = repr(report) + str(report.tokens) + repr(report.tokens.developer)
    assert FAKE_DEV not in text and FAKE_USER not in text
    assert "sha256:" in text


# ---------------------------------------------------------------------- a working keyring


def test_memory_keyring_round_trip(memory_keyring: MemoryKeyring) -> None:
    assert save_token("developer", f" {FAKE_DEV} ", "keyring") is TokenSource.KEYRING
    assert save_token("user", FAKE_USER, "keyring") is TokenSource.KEYRING
    status = keyring_status()
    assert status.usable and status.why is None
    assert status.backend == "tui.tokens.keyrings.MemoryKeyring"
    pair = load_tokens({})
    assert pair.developer.value == FAKE_DEV  # stored trimmed
    removed = forget_token("developer")
    assert removed == ["developer token from the keyring (tui.tokens.keyrings.MemoryKeyring)"]
    assert load_tokens({}).developer.value is None
    assert load_tokens({}).user.value == FAKE_USER
    assert forget_token("all") == [
        "music user token from the keyring (tui.tokens.keyrings.MemoryKeyring)"]
    assert forget_token("all") == []
    assert memory_keyring.entries == {}


def test_save_refuses_empty_and_unknown(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(BadInputError, match="empty"):
        save_token("user", "  \n", "keyring")
    with pytest.raises(BadInputError):
        save_token("robot", FAKE_DEV, "keyring")  # type: ignore[arg-type]
    assert memory_keyring.entries == {}


def test_the_memory_backend_is_never_picked_on_its_own() -> None:
    assert MemoryKeyring.priority < 0
    assert HangingKeyring.priority < 0


# ---------------------------------------------------------------------- unusable keyrings


def _assert_store_error(exc: TokenStoreError, backend: str,
                        env_var: str = "APPLE_MUSIC_DEVELOPER_TOKEN") -> None:
    assert isinstance(exc, AmRatingsError) and exc.exit_code == 1
    assert exc.message.startswith("keyring unavailable: ")
    assert backend in exc.message and exc.backend == backend
    assert exc.hint is not None
    assert env_var in exc.hint and "--file" in exc.hint


def test_fail_backend(fail_keyring: None) -> None:
    status = keyring_status()
    assert not status.usable
    assert status.backend == "keyring.backends.fail.Keyring"
    assert status.why == "no usable keyring backend was found"
    pair = load_tokens({})
    assert pair.developer.value is None
    assert pair.developer.problem == "keyring unavailable: no usable keyring backend was found"
    with pytest.raises(TokenStoreError) as caught:
        save_token("developer", FAKE_DEV, "keyring")
    _assert_store_error(caught.value, "keyring.backends.fail.Keyring")
    # No keyring at all cannot be holding a token: forgetting is not a problem there.
    problems: list[str] = []
    assert forget_token("all", problems=problems) == [] and problems == []


def test_null_backend_from_the_environment(home: dict[str, str]) -> None:
    assert home["PYTHON_KEYRING_BACKEND"] == "keyring.backends.null.Keyring"
    status = keyring_status()
    assert not status.usable and status.backend == "keyring.backends.null.Keyring"
    assert "disabled" in (status.why or "")


def test_locked_backend(locked_keyring: object) -> None:
    status = keyring_status()
    assert not status.usable and "locked" in (status.why or "")
    pair = load_tokens({})
    assert pair.user.problem is not None
    assert pair.user.problem.startswith("keyring unavailable: the keyring is locked")
    with pytest.raises(TokenStoreError) as caught:
        save_token("user", FAKE_USER, "keyring")
    _assert_store_error(caught.value, "tui.tokens.keyrings.LockedKeyring",
                        "APPLE_MUSIC_USER_TOKEN")
    assert FAKE_USER not in str(caught.value)
    problems: list[str] = []
    forget_token("user", problems=problems)
    assert len(problems) == 1 and "locked" in problems[0]


def test_hanging_backend_is_cut_off(hanging_keyring: HangingKeyring) -> None:
    started = time.monotonic()
    pair = load_tokens({}, keyring_timeout=0.3)
    took = time.monotonic() - started
    assert 0.25 < took < 2
    assert pair.developer.problem is not None
    assert pair.developer.problem.startswith("keyring unavailable: no answer from the keyring")
    assert "HangingKeyring" in pair.developer.problem
    # While the first call is still stuck, later ones fail at once instead of waiting again.
    started = time.monotonic()
    with pytest.raises(TokenStoreError, match="still not returned"):
        save_token("developer", FAKE_DEV, "keyring", timeout=5)
    assert time.monotonic() - started < 0.5
    assert not keyring_status(timeout=5).usable
    assert hanging_keyring.calls == 1


def test_hanging_backend_recovers_once_released(hanging_keyring: HangingKeyring) -> None:
    assert not keyring_status(timeout=0.2).usable
    hanging_keyring.release()
    assert store._stuck is not None
    store._stuck.join(5)
    assert keyring_status(timeout=2).usable


@pytest.mark.parametrize(("backend", "words"), [
    ("nonexistent_module.Keyring", "ModuleNotFoundError"),
    ("keyring.backends.fail.NoSuchClass", "AttributeError"),
    ("tui.tokens.keyrings.UnviableKeyring", "RuntimeError: this backend needs a D-Bus"),
])
def test_bad_python_keyring_backend(home: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                    backend: str, words: str) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", backend)
    keyring.core._keyring_backend = None
    status = keyring_status()
    assert not status.usable and status.backend == "unknown"
    assert status.why is not None
    assert status.why.startswith(f"PYTHON_KEYRING_BACKEND={backend!r} cannot be used")
    assert words in status.why
    assert load_tokens({}).developer.problem == f"keyring unavailable: {status.why}"
    with pytest.raises(TokenStoreError, match="keyring unavailable: PYTHON_KEYRING_BACKEND"):
        save_token("developer", FAKE_DEV, "keyring")


# ---------------------------------------------------------------------- the token file


def test_file_is_created_0600_in_a_0700_directory(home: dict[str, str]) -> None:
    old_umask = os.umask(0)  # even a permissive umask must not widen the file
    try:
        assert save_token("developer", FAKE_DEV, "file") is TokenSource.FILE
    finally:
        os.umask(old_umask)
    path = token_file_path()
    assert path == Path(home["XDG_CONFIG_HOME"]) / "amratings" / "tokens.json"
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    save_token("user", FAKE_USER, "file")
    assert _mode(path) == 0o600
    pair = load_tokens({}, use_keyring=False)
    assert (pair.developer.value, pair.developer.source) == (FAKE_DEV, TokenSource.FILE)
    assert (pair.user.value, pair.user.source) == (FAKE_USER, TokenSource.FILE)
    assert [p.name for p in path.parent.iterdir()] == ["tokens.json"]  # no temp file left


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o666])
def test_wider_file_modes_are_refused(home: dict[str, str], mode: int,
                                      caplog: pytest.LogCaptureFixture) -> None:
    save_token("developer", FAKE_DEV, "file")
    path = token_file_path()
    path.chmod(mode)
    pair = load_tokens({}, use_keyring=False)
    assert pair.developer.value is None
    assert pair.developer.problem is not None
    assert f"mode {mode:04o}" in pair.developer.problem
    assert "refusing" in pair.developer.problem
    assert any(r.levelname == "WARNING" and "refusing" in r.getMessage() for r in caplog.records)
    with pytest.raises(TokenStoreError, match="refusing"):
        save_token("user", FAKE_USER, "file")
    # Forgetting still takes the token out, and leaves what remains private.
    save_path_text = path.read_text()
    assert FAKE_DEV in save_path_text
    assert forget_token("developer") == [f"developer token from {path}"]
    assert not path.exists()


def test_forget_rewrites_the_file_0600(home: dict[str, str]) -> None:
    save_token("developer", FAKE_DEV, "file")
    save_token("user", FAKE_USER, "file")
    token_file_path().chmod(0o644)
    forget_token("developer")
    assert _mode(token_file_path()) == 0o600
    assert FAKE_DEV not in token_file_path().read_text()
    assert load_tokens({}, use_keyring=False).user.value == FAKE_USER


def test_symlinked_or_broken_files_are_refused(home: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.json"
    target.write_text('{"developer": "FAKE-LINKED-TOKEN"}')
    target.chmod(0o600)
    path = token_file_path()
    path.parent.mkdir(parents=True)
    path.symlink_to(target)
    pair = load_tokens({}, use_keyring=False)
    assert pair.developer.value is None and "symbolic link" in (pair.developer.problem or "")
    path.unlink()
    path.write_text("not json")
    path.chmod(0o600)
    assert "not valid JSON" in (load_tokens({}, use_keyring=False).developer.problem or "")


def test_a_directory_in_place_of_the_file_is_a_problem_not_a_crash(home: dict[str, str]) -> None:
    path = token_file_path()
    path.mkdir(parents=True, mode=0o700)
    pair = load_tokens({}, use_keyring=False)
    assert pair.developer.value is None
    assert "not a regular file" in (pair.developer.problem or "")
    with pytest.raises(TokenStoreError, match="not a regular file"):
        save_token("user", FAKE_USER, "file")
    problems: list[str] = []
    assert forget_token("all", problems=problems) == []
    assert any("not a regular file" in p for p in problems)


def test_keyring_problem_is_kept_when_the_file_is_empty_too(fail_keyring: None) -> None:
    save_token("user", FAKE_USER, "file")
    pair = load_tokens({})
    assert pair.user.source is TokenSource.FILE and pair.user.problem is None
    assert pair.developer.problem == "keyring unavailable: no usable keyring backend was found"


def test_importing_the_store_does_not_import_keyring() -> None:
    loaded = modules_after("import tui.tokens.store, tui.tokens.inspect, tui.tokens.check")
    assert "tui.tokens.check" in loaded
    assert not {"keyring", "jwt"} & loaded
