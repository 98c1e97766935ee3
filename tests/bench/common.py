"""What several benchmarks share: where the repository and the installed command are, and a
clean environment that no user configuration or real token can leak into."""

from __future__ import annotations

import atexit
import compileall
import functools
import os
import shutil
import sys
import tempfile
from pathlib import Path

from tests.repo_kit import ROOT

BARE_APP = Path(__file__).resolve().with_name("bare_app.py")


def amratings_command() -> list[str]:
    """The installed ``amratings`` script of this interpreter's environment (what a user runs),
    or ``python -m tui`` when it is not installed."""
    script = Path(sys.executable).parent / "amratings"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


def compile_bytecode() -> None:
    """Write the bytecode of amratings' modules, as installing the package does (pip compiles
    every module of a wheel). Without it, where PYTHONDONTWRITEBYTECODE is set (as on the
    machine the figures come from) or the sources changed since the last run, each launch
    compiled every edited module again: about 15 ms of CPU before the first frame and 2 MiB of
    peak memory, which the bare app (Textual compiled at install) never pays."""
    compileall.compile_dir(ROOT / "tui", quiet=1)


@functools.cache
def _empty_config_home() -> Path:
    path = Path(tempfile.mkdtemp(prefix="amratings-bench-config-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without amratings' variables, with an empty config directory
    (so a user's config file or keymap cannot change what is measured) plus ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("APPLE_MUSIC_", "AMRATINGS_", "PYTHON_KEYRING"))}
    env["XDG_CONFIG_HOME"] = str(_empty_config_home())
    # Keep the keyring out of it: a headless machine's Secret Service can stall for seconds.
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env.pop("NO_COLOR", None)
    env.update(extra)
    return env
