"""Shared plumbing of the integration tests: finding real tools, and skip-or-fail."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest


def in_ci() -> bool:
    """True under CI (``.ci/run`` runs with ``CI=true``)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_tools(tools: dict[str, str]) -> dict[str, str]:
    """Paths of the given executables (name -> Debian package that ships it).

    A missing tool skips the test on a developer's machine, naming the packages to install.
    Under CI it fails instead: ``.ci/run`` installs these packages, so a missing tool means the
    install step broke, and a silent skip would let the real-keyring / real-terminal checks
    stop running without anyone noticing.
    """
    found = {name: shutil.which(name) for name in tools}
    missing = sorted(name for name, path in found.items() if path is None)
    if missing:
        packages = sorted({tools[name] for name in missing})
        why = (f"missing {', '.join(missing)}: install the Debian package(s) "
               f"{' '.join(packages)} (apt-get install {' '.join(packages)})")
        if in_ci():
            pytest.fail(f"CI=true but {why}; .ci/run should have installed them",
                        pytrace=False)
        pytest.skip(why)
    return {name: str(path) for name, path in found.items()}


def installed_amratings() -> str:
    """The ``amratings`` console script of the environment running the tests.

    The point of these tests is the installed entry point (what ``pip install`` put on PATH),
    not ``python -m tui``; it sits next to the interpreter in a venv.
    """
    beside = Path(sys.executable).with_name("amratings")
    path = str(beside) if beside.exists() else shutil.which("amratings")
    if path is None:
        pytest.fail("the amratings console script is not installed in this environment "
                    "(run: .venv/bin/pip install -e '.[test]')", pytrace=False)
    return path


def clean_env(home: Path) -> dict[str, str]:
    """An environment for a child process: this one minus any token, keyring choice, proxy or
    config override, with HOME and the XDG directories inside ``home`` so nothing real is read
    or written."""
    drop_prefixes = ("APPLE_MUSIC_", "AMRATINGS_", "PYTHON_KEYRING", "DBUS_", "XDG_", "TMUX")
    drop = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
            "NO_COLOR", "GNOME_KEYRING_CONTROL", "SSH_AUTH_SOCK"}
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(drop_prefixes) and k not in drop}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local" / "share"),
               XDG_CACHE_HOME=str(home / ".cache"), NO_PROXY="*", no_proxy="*")
    for sub in (".config", ".local/share", ".cache"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    return env
