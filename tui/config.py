"""Run settings: command-line options merged over the config file, and where files live.

The config file is ``config.toml`` in :func:`config_dir` (``~/.config/amratings`` on Linux);
``AMRATINGS_CONFIG`` overrides the path. Every key is optional::

    base_url = "https://api.music.apple.com"
    language = "en-US"
    timeout = 10
    batch_size = 100
    concurrency = 4
    type = "library-music-videos"

    [keymap]            # binding id = keys, as in Textual's keymaps
    "rating.like" = "l"

Nothing here imports httpx, pydantic or keyring: it is read before the first frame.
"""

from __future__ import annotations

import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.api.urls import DEFAULT_BASE_URL

BASE_URL_ENV = "APPLE_MUSIC_API_BASE_URL"
CONFIG_ENV = "AMRATINGS_CONFIG"
#: A config file is a few lines; a larger one (or ``/dev/zero``) is refused, not read whole.
CONFIG_MAX_BYTES = 1024 * 1024
#: The allowed values of the numeric settings in the config file (the command-line options
#: check only the lower bounds).
TIMEOUT_RANGE = (0.0, 3600.0)  # seconds; above 0, at most an hour
BATCH_SIZE_RANGE = (1, 1000)
CONCURRENCY_RANGE = (1, 64)
KNOWN_KEYS = ("base_url", "language", "timeout", "batch_size", "concurrency", "type", "keymap")


def config_dir() -> Path:
    """The user config directory, from platformdirs: ``$XDG_CONFIG_HOME/amratings``, else
    ``~/.config/amratings`` on Linux; the platform's own elsewhere (macOS: ``~/Library/
    Application Support/amratings``). The token file lives there too."""
    # Textual has imported platformdirs already: this costs the first frame nothing.
    from platformdirs import user_config_dir

    return Path(user_config_dir("amratings", appauthor=False, roaming=True))


def config_path() -> Path:
    """The config file path (it may not exist)."""
    override = os.environ.get(CONFIG_ENV)
    return Path(override) if override else config_dir() / "config.toml"


class ConfigFileError(Exception):
    """The config file exists but cannot be used; the message says why."""


@dataclass
class AppConfig:
    """Everything a run needs to know before it talks to the API."""

    demo: bool = False
    base_url: str = DEFAULT_BASE_URL
    language: str | None = None
    timeout: float = 10.0
    batch_size: int = 100
    concurrency: int = 4
    verbose: bool = False
    rating_type: str = "library-music-videos"
    keymap: dict[str, str] = field(default_factory=dict)
    #: What the config file holds that is ignored (unknown keys), said on stderr by the
    #: commands and as a notification by the TUI.
    warnings: list[str] = field(default_factory=list)

    @property
    def custom_base_url(self) -> bool:
        """True when requests go somewhere other than Apple's API (worth a warning)."""
        return not self.demo and self.base_url.rstrip("/") != DEFAULT_BASE_URL


def read_config_file(path: Path | None = None) -> dict[str, Any]:
    """Parse the config file; a missing file is an empty config."""
    path = path or config_path()
    flags = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
             | getattr(os, "O_CLOEXEC", 0))
    try:
        # O_NONBLOCK: a FIFO at the path opens at once (and is refused below) instead of
        # waiting for a writer forever.
        fd = os.open(path, flags)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigFileError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ConfigFileError(f"config file {path} is not a regular file (a directory, "
                                  "FIFO or device): refusing to read it")
        raw = os.read(fd, CONFIG_MAX_BYTES + 1)
        while len(raw) <= CONFIG_MAX_BYTES and (more := os.read(fd, CONFIG_MAX_BYTES)):
            raw += more
        if len(raw) > CONFIG_MAX_BYTES:
            raise ConfigFileError(f"config file {path} is larger than {CONFIG_MAX_BYTES:,} "
                                  "bytes: refusing to read it")
    except OSError as exc:
        raise ConfigFileError(f"cannot read config file {path}: {exc.strerror}") from None
    finally:
        os.close(fd)
    import tomllib  # only when there is a file: most runs have none

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigFileError(f"cannot read config file {path}: {exc}") from None


def build_config(file_data: dict[str, Any], path: Path | None = None,
                 **options: Any) -> AppConfig:
    """Merge options given on the command line (None = not given) over the file and the
    environment (``APPLE_MUSIC_API_BASE_URL``). A value of the wrong type or out of range
    raises :class:`ConfigFileError` naming the file, the key and what is allowed; unknown keys
    become :attr:`AppConfig.warnings`."""
    config = AppConfig()
    where = f"config file {path or config_path()}"

    def bad(key: str, allowed: str, value: Any) -> ConfigFileError:
        return ConfigFileError(f"{where}: {key} must be {allowed}, got {_shown(value)}")

    for key in ("base_url", "language"):
        if key in file_data:
            if not isinstance(file_data[key], str):
                raise bad(key, "a string", file_data[key])
            setattr(config, key, file_data[key])
    if "timeout" in file_data:
        value = file_data["timeout"]
        low, high = TIMEOUT_RANGE
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value) or not low < value <= high:
            raise bad("timeout", f"a number of seconds above {low:g} and at most {high:g}",
                      value)
        config.timeout = float(value)
    for key, (low_n, high_n) in (("batch_size", BATCH_SIZE_RANGE),
                                 ("concurrency", CONCURRENCY_RANGE)):
        if key in file_data:
            value = file_data[key]
            if isinstance(value, bool) or not isinstance(value, int) \
                    or not low_n <= value <= high_n:
                raise bad(key, f"a whole number from {low_n} to {high_n}", value)
            setattr(config, key, value)
    if "type" in file_data:
        value = file_data["type"]
        if not isinstance(value, str):
            raise bad("type", "a rating type name", value)
        if options.get("rating_type") is None:
            from tui.api.types import RATING_TYPE_NAMES

            if value not in RATING_TYPE_NAMES:
                raise bad("type", "one of " + ", ".join(RATING_TYPE_NAMES), value)
        config.rating_type = value
    keymap = file_data.get("keymap", {})
    if not isinstance(keymap, dict):
        raise ConfigFileError(f"{where}: [keymap] must be a table of binding id = keys")
    for key, value in keymap.items():
        if not isinstance(value, str):
            raise bad(f"keymap.{key}", "a string of keys", value)
    config.keymap = {str(k): v for k, v in keymap.items()}
    unknown = [k for k in file_data if k not in KNOWN_KEYS]
    if unknown:
        config.warnings.append(
            f"{where}: ignoring unknown {'keys' if len(unknown) > 1 else 'key'} "
            f"{', '.join(_shown(k) for k in unknown)} (known: {', '.join(KNOWN_KEYS)})")
    env_url = os.environ.get(BASE_URL_ENV)
    if env_url:
        config.base_url = env_url
    for key, value in options.items():
        if value is not None:
            setattr(config, key, value)
    return config


def _shown(value: Any) -> str:
    """A value from the file, quoted and cut (the sanitizer runs where it is printed)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
