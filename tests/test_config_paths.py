"""Where the config and token files live: platformdirs' user config directory, which on Linux
is the XDG path the app always used; ``AMRATINGS_CONFIG`` wins for the config file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tui.config import config_dir, config_path
from tui.tokens.store import token_file_path

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux paths")


def test_xdg_config_home_is_used(isolated_env: dict[str, str]) -> None:
    base = Path(isolated_env["XDG_CONFIG_HOME"])
    assert config_dir() == base / "amratings"
    assert config_path() == base / "amratings" / "config.toml"
    assert token_file_path() == base / "amratings" / "tokens.json"


def test_without_xdg_config_home_it_is_under_home(isolated_env: dict[str, str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert config_dir() == Path(isolated_env["HOME"]) / ".config" / "amratings"


def test_amratings_config_wins(isolated_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                               tmp_path: Path) -> None:
    monkeypatch.setenv("AMRATINGS_CONFIG", str(tmp_path / "elsewhere.toml"))
    assert config_path() == tmp_path / "elsewhere.toml"
    # The token file stays in the config directory.
    assert token_file_path().parent == Path(isolated_env["XDG_CONFIG_HOME"]) / "amratings"
