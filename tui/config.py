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

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.api.urls import DEFAULT_BASE_URL

BASE_URL_ENV = "APPLE_MUSIC_API_BASE_URL"
CONFIG_ENV = "AMRATINGS_CONFIG"


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

    @property
    def custom_base_url(self) -> bool:
        """True when requests go somewhere other than Apple's API (worth a warning)."""
        return not self.demo and self.base_url.rstrip("/") != DEFAULT_BASE_URL


def read_config_file(path: Path | None = None) -> dict[str, Any]:
    """Parse the config file; a missing file is an empty config."""
    path = path or config_path()
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigFileError(f"cannot read config file {path}: {exc}") from None
    import tomllib  # only when there is a file: most runs have none

    try:
        with handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigFileError(f"cannot read config file {path}: {exc}") from None
    return data


def build_config(file_data: dict[str, Any], **options: Any) -> AppConfig:
    """Merge options given on the command line (None = not given) over the file and the
    environment (``APPLE_MUSIC_API_BASE_URL``)."""
    config = AppConfig()
    for key in ("base_url", "language", "timeout", "batch_size", "concurrency"):
        if key in file_data:
            setattr(config, key, _typed(key, file_data[key], type(getattr(config, key))))
    if "type" in file_data:
        config.rating_type = str(file_data["type"])
    keymap = file_data.get("keymap", {})
    if not isinstance(keymap, dict):
        raise ConfigFileError("config: [keymap] must be a table of binding id = keys")
    config.keymap = {str(k): str(v) for k, v in keymap.items()}
    env_url = os.environ.get(BASE_URL_ENV)
    if env_url:
        config.base_url = env_url
    for key, value in options.items():
        if value is not None:
            setattr(config, key, value)
    return config


def _typed(key: str, value: Any, kind: type) -> Any:
    if kind is type(None):
        return str(value)
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ConfigFileError(f"config: {key} must be a {kind.__name__}, got {value!r}") from None
