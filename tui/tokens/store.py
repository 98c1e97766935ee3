"""Where the two tokens come from: environment, then keyring, then an opt-in 0600 file.

Precedence follows gh: ``APPLE_MUSIC_DEVELOPER_TOKEN`` / ``APPLE_MUSIC_USER_TOKEN`` win, then the
system keyring (service ``amratings``), then ``tokens.json`` under the user config directory,
which is only ever written when the user asks for it (``token set --file``).

Every keyring call runs in a daemon thread with a timeout: over SSH the Secret Service can wait
forever for an unlock prompt nobody sees. Any keyring failure (a hang, no backend, a locked
collection, a ``PYTHON_KEYRING_BACKEND`` that cannot be loaded) becomes one "keyring
unavailable: <why>" state instead of an exception. keyring itself is imported only inside that
thread, so neither the TUI's first frame nor a caller's thread ever pays for (or blocks on) it.

All functions here block; the TUI runs them in a worker, off the event loop.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import stat
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from tui.api.errors import AmRatingsError, BadInputError
from tui.config import config_dir
from tui.tokens.redact import mask, redact

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

DEVELOPER_ENV = "APPLE_MUSIC_DEVELOPER_TOKEN"
USER_ENV = "APPLE_MUSIC_USER_TOKEN"
#: The keyring service name; the two entries are its usernames below.
KEYRING_SERVICE = "amratings"
KEYRING_USERNAMES: dict[str, str] = {"developer": "developer-token", "user": "music-user-token"}
ENV_VARS: dict[str, str] = {"developer": DEVELOPER_ENV, "user": USER_ENV}
#: Seconds to wait for any one keyring round trip before calling the keyring unavailable.
DEFAULT_KEYRING_TIMEOUT = 3.0
#: Lets tests (and impatient users over SSH) shorten the wait for a hanging keyring.
KEYRING_TIMEOUT_ENV = "AMRATINGS_KEYRING_TIMEOUT"
TOKEN_FILE_NAME = "tokens.json"

TokenKind = Literal["developer", "user"]
KINDS: tuple[TokenKind, TokenKind] = ("developer", "user")
#: How each token is named in messages.
TOKEN_NAMES: dict[str, str] = {"developer": "developer token", "user": "music user token"}

logger = logging.getLogger("tui.tokens")
_T = TypeVar("_T")


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

    @property
    def present(self) -> bool:
        """True when a value was found."""
        return bool(self.value)


@dataclass(frozen=True)
class TokenPair:
    """The developer token and the music user token, each with its source."""

    developer: StoredToken
    user: StoredToken

    def of(self, kind: TokenKind) -> StoredToken:
        """The token of one kind."""
        return self.developer if kind == "developer" else self.user


@dataclass(frozen=True)
class KeyringStatus:
    """Whether the system keyring can be used right now.

    ``backend`` is the dotted name of the backend keyring chose (what ``PYTHON_KEYRING_BACKEND``
    would name), or ``"unknown"`` when it could not even be loaded; ``why`` says what is wrong
    when ``usable`` is False.
    """

    usable: bool
    backend: str
    why: str | None = None

    def describe(self) -> str:
        """One line for people: "keyring: usable (…)" or "keyring unavailable: <why>"."""
        if self.usable:
            return f"keyring: usable ({self.backend})"
        return f"keyring unavailable: {self.why}"


@dataclass(frozen=True)
class StorageReport:
    """What :func:`read_storage` found: both tokens and the keyring's state."""

    tokens: TokenPair
    keyring: KeyringStatus | None


class TokenStoreError(AmRatingsError):
    """A token could not be stored or removed where the user asked."""

    exit_code = 1
    kind = "Token not stored"

    def __init__(self, message: str, *, backend: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        #: The keyring backend that was found, when the keyring was the problem.
        self.backend = backend


class _KeyringUnavailable(Exception):
    def __init__(self, why: str, backend: str = "unknown", *, absent: bool = False) -> None:
        super().__init__(why)
        self.why = why
        self.backend = backend
        #: True when there is no keyring at all (so it cannot be holding a token either).
        self.absent = absent


# ---------------------------------------------------------------------- keyring plumbing

#: A keyring call that never returned. While it is still blocked, new calls fail at once
#: instead of stacking up more stuck threads (and more waiting) behind the same hang.
_stuck: threading.Thread | None = None
_stuck_backend = "unknown"
_stuck_lock = threading.Lock()


def _backend_name(backend: object) -> str:
    cls = type(backend)
    name = f"{cls.__module__}.{cls.__qualname__}"
    chained = getattr(backend, "backends", None)
    if cls.__name__ == "ChainerBackend" and isinstance(chained, list | tuple) and chained:
        name += " (" + ", ".join(_backend_name(b) for b in chained) + ")"
    return name


def _unusable_reason(backend: object) -> str | None:
    from keyring.backends import chainer, fail

    if isinstance(backend, fail.Keyring):
        return "no usable keyring backend was found"
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return "no usable keyring backend was found (nothing to chain)"
    if type(backend).__module__ == "keyring.backends.null":
        return "the keyring is disabled (null backend)"
    return None


def _squash(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _why(exc: BaseException, during_load: bool) -> str:
    from keyring.errors import KeyringLocked, NoKeyringError

    detail = _squash(str(exc)) or type(exc).__name__
    if isinstance(exc, KeyringLocked):
        return ("the keyring is locked and could not be unlocked (no unlock prompt can appear "
                f"over SSH or outside a desktop session): {detail}")
    if isinstance(exc, NoKeyringError):
        return f"no keyring backend: {detail}"
    env_backend = os.environ.get("PYTHON_KEYRING_BACKEND")
    if during_load and env_backend is not None:
        return (f"PYTHON_KEYRING_BACKEND={env_backend!r} cannot be used "
                f"({type(exc).__name__}: {detail})")
    if during_load:
        return f"the keyring backend cannot be loaded ({type(exc).__name__}: {detail})"
    return f"{type(exc).__name__}: {detail}"


def _with_keyring(action: Callable[[KeyringBackend], _T], timeout: float) -> tuple[_T, str]:
    """Run ``action(backend)`` in a daemon thread; return its result and the backend's name.

    Raises :class:`_KeyringUnavailable` for every failure, including no answer in ``timeout``.
    A daemon thread (not an executor) because an executor joins its threads at exit, and a hung
    keyring call would then hang the program on the way out.
    """
    global _stuck, _stuck_backend
    with _stuck_lock:
        if _stuck is not None and _stuck.is_alive():
            raise _KeyringUnavailable(
                "an earlier keyring call has still not returned (the keyring is hanging; over "
                "SSH the Secret Service often waits for an unlock prompt nobody can see)",
                _stuck_backend)
        _stuck = None
    box: dict[str, Any] = {"backend": "unknown"}

    def work() -> None:
        loading = True
        try:
            import keyring

            backend = keyring.get_keyring()
            box["backend"] = _backend_name(backend)
            loading = False
            reason = _unusable_reason(backend)
            if reason is not None:
                box["error"] = _KeyringUnavailable(reason, box["backend"], absent=True)
                return
            box["result"] = action(backend)
        except BaseException as exc:  # anything a backend raises is a keyring problem
            box["error"] = exc
            box["loading"] = loading

    thread = threading.Thread(target=work, name="amratings-keyring", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        with _stuck_lock:
            _stuck, _stuck_backend = thread, box["backend"]
        where = "" if box["backend"] == "unknown" else f" ({box['backend']})"
        raise _KeyringUnavailable(
            f"no answer from the keyring{where} within {timeout:g} s (over SSH the Secret "
            "Service often waits for an unlock prompt nobody can see)", box["backend"])
    error = box.get("error")
    if isinstance(error, _KeyringUnavailable):
        raise error
    if error is not None:
        raise _KeyringUnavailable(_why(error, bool(box.get("loading"))), box["backend"])
    return box["result"], box["backend"]


def keyring_status(timeout: float = DEFAULT_KEYRING_TIMEOUT) -> KeyringStatus:
    """Load the keyring backend and make one harmless read to see whether it answers.

    Never raises; a hang is cut off after ``timeout`` seconds.
    """
    try:
        _, backend = _with_keyring(
            lambda kr: kr.get_password(KEYRING_SERVICE, "status-probe"), timeout)
    except _KeyringUnavailable as exc:
        return KeyringStatus(False, exc.backend, exc.why)
    return KeyringStatus(True, backend)


# ---------------------------------------------------------------------- the token file


def token_file_path() -> Path:
    """The opt-in token file: ``tokens.json`` in the user config directory."""
    return config_dir() / TOKEN_FILE_NAME


def _check_kind(kind: str) -> TokenKind:
    if kind not in KINDS:
        raise BadInputError(f"unknown token kind {kind!r}", hint="use developer or user")
    return kind


#: A token file holds two tokens of a few hundred bytes: anything far larger is not one.
TOKEN_FILE_MAX_BYTES = 64 * 1024


def _read_token_file(*, ignore_mode: bool = False) -> tuple[dict[str, str], str | None]:
    """The file's entries and, when it cannot be used, why (the entries are then empty)."""
    path = token_file_path()
    # O_NONBLOCK: a FIFO at the path must not hang the open (it is refused below).
    flags = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
             | getattr(os, "O_NOCTTY", 0))
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return {}, f"token file {path} is a symbolic link: refusing to use it"
        return {}, f"cannot read token file {path}: {exc.strerror}"
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        # A directory (or a fifo) opens fine and then fails to read: say so, do not crash.
        os.close(fd)
        return {}, f"token file {path} is not a regular file: refusing to use it"
    with os.fdopen(fd, "rb") as handle:
        # fstat the open file, not the path, so the file checked is the file read.
        info = os.fstat(handle.fileno())
        mode = stat.S_IMODE(info.st_mode)
        if not ignore_mode and os.name == "posix":
            if mode & 0o077:
                problem = (f"token file {path} has mode {mode:04o}, so others can read it: "
                           f"refusing to use it (run `chmod 600 {path}` if you trust it, "
                           "and consider its tokens exposed)")
                logger.warning(problem)
                return {}, problem
            if info.st_uid != os.getuid():
                problem = f"token file {path} belongs to another user: refusing to use it"
                logger.warning(problem)
                return {}, problem
        try:
            raw = handle.read(TOKEN_FILE_MAX_BYTES + 1)
            if len(raw) > TOKEN_FILE_MAX_BYTES:
                return {}, (f"token file {path} is larger than {TOKEN_FILE_MAX_BYTES:,} "
                            "bytes: refusing to use it")
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return {}, f"token file {path} is not valid JSON: refusing to use it"
    if not isinstance(data, dict):
        return {}, f"token file {path} is not a JSON object: refusing to use it"
    return {k: v.strip() for k, v in data.items() if k in KINDS and isinstance(v, str)}, None


def _write_token_file(entries: Mapping[str, str]) -> None:
    """Replace the file atomically with ``entries``, mode 0600; remove it when empty."""
    path = token_file_path()
    if not entries:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{TOKEN_FILE_NAME}.{os.getpid()}.{threading.get_ident()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    # Created 0600 from the start (the umask can only narrow it): never briefly world-readable.
    fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(dict(entries), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


# ---------------------------------------------------------------------- public operations


def _load(environ: Mapping[str, str] | None, timeout: float, use_keyring: bool,
          use_file: bool, probe: bool) -> StorageReport:
    env = os.environ if environ is None else environ
    found: dict[str, StoredToken] = {}
    problems: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for kind in KINDS:
        value = (env.get(ENV_VARS[kind]) or "").strip()
        if value:
            found[kind] = StoredToken(kind, value, TokenSource.ENV)
    missing: list[TokenKind] = [kind for kind in KINDS if kind not in found]
    status: KeyringStatus | None = None
    if use_keyring and (missing or probe):
        def read(kr: KeyringBackend) -> dict[str, str | None]:
            if not missing:
                kr.get_password(KEYRING_SERVICE, "status-probe")
            return {kind: kr.get_password(KEYRING_SERVICE, KEYRING_USERNAMES[kind])
                    for kind in missing}

        try:
            values, backend = _with_keyring(read, timeout)
        except _KeyringUnavailable as exc:
            status = KeyringStatus(False, exc.backend, exc.why)
            for kind in missing:
                problems[kind].append(f"keyring unavailable: {exc.why}")
        else:
            status = KeyringStatus(True, backend)
            for each in missing:
                stored = values.get(each)
                if isinstance(stored, str) and stored.strip():
                    found[each] = StoredToken(each, stored.strip(), TokenSource.KEYRING)
        missing = [kind for kind in KINDS if kind not in found]
    if use_file and missing:
        entries, problem = _read_token_file()
        for kind in missing:
            if entries.get(kind):
                found[kind] = StoredToken(kind, entries[kind], TokenSource.FILE)
            elif problem:
                problems[kind].append(problem)

    def final(kind: TokenKind) -> StoredToken:
        if kind in found:
            return found[kind]
        return StoredToken(kind, None, TokenSource.NONE, "; ".join(problems[kind]) or None)

    return StorageReport(TokenPair(final("developer"), final("user")), status)


#: The longest wait for the keyring that AMRATINGS_KEYRING_TIMEOUT can ask for.
MAX_KEYRING_TIMEOUT = 60.0


def keyring_timeout(environ: Mapping[str, str] | None = None) -> float:
    """Seconds to wait for the keyring: ``AMRATINGS_KEYRING_TIMEOUT``, else the default (3).

    The one place that reads the variable, so the CLI commands and the TUI honour it alike;
    a value that is not a positive number falls back to the default, and the wait is capped at
    :data:`MAX_KEYRING_TIMEOUT` so a hanging keyring can never block a command for good.
    """
    raw = (os.environ if environ is None else environ).get(KEYRING_TIMEOUT_ENV)
    try:
        value = float(raw) if raw else DEFAULT_KEYRING_TIMEOUT
    except ValueError:
        return DEFAULT_KEYRING_TIMEOUT
    if not value > 0:  # also NaN
        return DEFAULT_KEYRING_TIMEOUT
    return min(value, MAX_KEYRING_TIMEOUT)


def load_tokens(
    environ: Mapping[str, str] | None = None,
    *,
    keyring_timeout: float = DEFAULT_KEYRING_TIMEOUT,
    use_keyring: bool = True,
    use_file: bool = True,
) -> TokenPair:
    """Find both tokens: environment, then keyring, then the token file.

    Blocking (the keyring may take up to ``keyring_timeout`` seconds): call it off the event
    loop. The keyring is not touched when the environment provides both tokens. Never raises
    for a storage problem: a token that was not found carries the reason in
    :attr:`StoredToken.problem` ("keyring unavailable: <why>", or why the file was refused).
    """
    return _load(environ, keyring_timeout, use_keyring, use_file, probe=False).tokens


def read_storage(
    environ: Mapping[str, str] | None = None,
    *,
    keyring_timeout: float = DEFAULT_KEYRING_TIMEOUT,
    use_file: bool = True,
) -> StorageReport:
    """Like :func:`load_tokens`, and also report the keyring's state (for ``token status`` and
    the setup screen), with at most one keyring round trip."""
    return _load(environ, keyring_timeout, True, use_file, probe=True)


def store_hint(kind: str) -> str:
    """What to do when the keyring cannot hold a token."""
    return (f"without a keyring, export {ENV_VARS.get(kind, DEVELOPER_ENV)} in the environment, "
            f"or store the token in a file only you can read with "
            f"`amratings token set {kind} --file` ({token_file_path()}, mode 0600)")


def save_token(
    kind: TokenKind,
    value: str,
    where: Literal["keyring", "file"],
    *,
    timeout: float = DEFAULT_KEYRING_TIMEOUT,
) -> TokenSource:
    """Store a token in the keyring or (only when asked) in the 0600 token file.

    Raises :class:`~tui.api.errors.BadInputError` for an empty value or unknown kind, and
    :class:`TokenStoreError` when the keyring is unavailable ("keyring unavailable: <why>",
    with the backend found and a hint naming the environment variables and ``--file``) or the
    file cannot be written.
    """
    kind = _check_kind(kind)
    value = value.strip()
    if not value:
        raise BadInputError(f"the {TOKEN_NAMES[kind]} is empty", hint="nothing was stored")
    if where == "keyring":
        try:
            _with_keyring(
                lambda kr: kr.set_password(KEYRING_SERVICE, KEYRING_USERNAMES[kind], value),
                timeout)
        except _KeyringUnavailable as exc:
            why = redact(exc.why, [value])
            raise TokenStoreError(f"keyring unavailable: {why} (backend found: {exc.backend})",
                                  backend=exc.backend, hint=store_hint(kind)) from None
        return TokenSource.KEYRING
    if where != "file":
        raise BadInputError(f"unknown token store {where!r}", hint="use keyring or file")
    entries, problem = _read_token_file()
    if problem:
        raise TokenStoreError(problem, hint=f"fix or remove {token_file_path()}, then retry")
    entries[kind] = value
    try:
        _write_token_file(entries)
    except OSError as exc:
        raise TokenStoreError(f"cannot write token file {token_file_path()}: {exc.strerror}",
                              hint="check the config directory's permissions") from None
    return TokenSource.FILE


def forget_token(
    kind: Literal["developer", "user", "all"],
    *,
    timeout: float = DEFAULT_KEYRING_TIMEOUT,
    problems: list[str] | None = None,
) -> list[str]:
    """Remove a token (or both) from the keyring and the token file.

    Returns what was removed, one phrase each ("developer token from the keyring (…)"). Never
    raises for a storage problem: pass a list as ``problems`` to learn what could not be
    checked ("keyring unavailable: <why>" for a keyring that exists but is locked, hanging or
    failing; having no keyring at all is not a problem). Environment variables are the
    caller's to unset.
    """
    kinds: list[TokenKind] = list(KINDS) if kind == "all" else [_check_kind(kind)]
    removed: list[str] = []
    notes: list[str] = []

    def delete(kr: KeyringBackend) -> list[TokenKind]:
        from keyring.errors import PasswordDeleteError

        gone: list[TokenKind] = []
        for each in kinds:
            if kr.get_password(KEYRING_SERVICE, KEYRING_USERNAMES[each]) is None:
                continue
            with contextlib.suppress(PasswordDeleteError):
                kr.delete_password(KEYRING_SERVICE, KEYRING_USERNAMES[each])
                gone.append(each)
        return gone

    try:
        gone, backend = _with_keyring(delete, timeout)
    except _KeyringUnavailable as exc:
        # No keyring at all cannot be holding a token: only a keyring that exists but does
        # not answer leaves the user unsure, so only that is a problem to report.
        if not exc.absent:
            notes.append(f"keyring unavailable: {exc.why}")
    else:
        removed += [f"{TOKEN_NAMES[each]} from the keyring ({backend})" for each in gone]
    # A file refused for its mode still gets the token taken out: removing an exposed secret
    # is what the user wants, and the rewrite is 0600.
    entries, problem = _read_token_file(ignore_mode=True)
    if problem:
        notes.append(problem)
    dropped = [each for each in kinds if each in entries]
    if dropped:
        for each in dropped:
            del entries[each]
        try:
            _write_token_file(entries)
        except OSError as exc:
            notes.append(f"cannot rewrite token file {token_file_path()}: {exc.strerror}")
        else:
            removed += [f"{TOKEN_NAMES[each]} from {token_file_path()}" for each in dropped]
    if problems is not None:
        problems.extend(notes)
    return removed


def source_text(token: StoredToken) -> str:
    """Where a token came from, for people: "environment (APPLE_MUSIC_USER_TOKEN)", ..."""
    if token.source is TokenSource.ENV:
        return f"environment ({ENV_VARS[token.kind]})"
    if token.source is TokenSource.FILE:
        return f"file ({token_file_path()})"
    if token.source is TokenSource.KEYRING:
        return "keyring"
    if token.source is TokenSource.NONE:
        return "not set"
    return token.source.value
