"""The first frame must not wait for the network stack: importing the modules that draw it, and
``amratings --help``, leave httpx, pydantic and keyring unimported.

Each check runs in a fresh interpreter, since this test process has long since imported them.
Nothing is timed: the benchmark (``python -m tests.bench``) measures what this guards.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from repo_kit import LIKED_ID, ROOT, modules_after

#: Heavy packages the first frame does not need (they cost ~60% of start-up when eager).
HEAVY = ("httpx", "httpcore", "h2", "pydantic", "pydantic_core", "keyring", "jwt",
         "cryptography")


def _modules_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    """Top-level package names in ``sys.modules`` after running ``code`` in a new interpreter."""
    return {name.partition(".")[0] for name in modules_after(code, env)}


def _imported_by_command(*argv: str) -> set[str]:
    """Top-level packages a real ``python -m tui ...`` run imported (from ``-X importtime``)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "tui", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.add(name.partition(".")[0])
    assert "tui" in names, "importtime output was not parsed"
    return names


@pytest.mark.parametrize("module", [
    "tui.__main__", "tui.app",
    # The light types the UI is typed with: the UI/service boundary loads before httpx does.
    "tui.api.results", "tui.api.exchange", "tui.api.errors", "tui.messages",
])
def test_importing_the_first_frame_modules_leaves_the_network_stack_unloaded(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} does not exist yet")
    loaded = _modules_after(f"import {module}")
    assert module.partition(".")[0] in loaded
    assert not loaded & set(HEAVY), f"import {module} pulled in {sorted(loaded & set(HEAVY))}"


def test_the_app_module_brings_textual_itself() -> None:
    # Guards the guard: if tui.app stopped importing textual (say, it moved behind a function),
    # the check above would pass while measuring nothing.
    if importlib.util.find_spec("tui.app") is None:
        pytest.skip("tui.app does not exist yet")
    assert "textual" in _modules_after("import tui.app")


#: Runs ``amratings ARGV`` up to the moment the app would start (``run_app`` does nothing).
_UNTIL_RUN_APP = """
import tui.app
tui.app.run_app = lambda config: 0
from tui.__main__ import main
assert main({argv!r}) == 0
"""


@pytest.mark.parametrize("argv", [
    pytest.param(["--demo"], id="demo"),
    pytest.param([], id="real-api"),
])
def test_the_command_line_reaches_the_app_without_the_network_stack(
        argv: list[str], isolated_env: dict[str, str]) -> None:
    # Everything __main__ does before handing over to the app (argument parsing, the config
    # file, the type and URL checks) happens before the first frame too.
    if importlib.util.find_spec("tui.app") is None:
        pytest.skip("tui.app does not exist yet")
    loaded = _modules_after(_UNTIL_RUN_APP.format(argv=argv), env=isolated_env)
    heavy = sorted(loaded & set(HEAVY))
    assert not heavy, f"amratings {' '.join(argv)} imported {heavy} before the app started"


@pytest.mark.parametrize("argv", [("--help",), ("--version",), ("get", "--help")])
def test_help_and_version_do_not_import_the_network_stack(argv: tuple[str, ...]) -> None:
    imported = _imported_by_command(*argv)
    assert not imported & set(HEAVY), f"{' '.join(argv)} imported {sorted(imported & set(HEAVY))}"


#: A demo session's service-layer work: lookups (rated and unrated), set, clear, and an Apple
#: errors body (wrong music user token), all against the embedded simulated API.
_DEMO_LOOKUP = """
import asyncio
import tui.api.client
from tui.api.client import RatingsClient
from tui.api.errors import UserTokenError
from tui.api.simulated import DEMO_USER_TOKEN, SimulatedAppleMusic, make_demo_developer_token

async def lookup():
    kind = "library-music-videos"
    ids = SimulatedAppleMusic.sample_ids(kind)
    async with RatingsClient(make_demo_developer_token(), DEMO_USER_TOKEN,
                             transport=SimulatedAppleMusic()) as client:
        results = await client.get_ratings(kind, ids)
        assert {r.value for r in results} >= {1, None}, results
        assert all(r.ok for r in results), results
        assert (await client.set_rating(kind, ids[-1], -1)).value == -1
        assert (await client.clear_rating(kind, ids[-1])).cleared is True
    async with RatingsClient(make_demo_developer_token(), "not-the-demo-user-token",
                             transport=SimulatedAppleMusic()) as client:
        try:
            await client.get_rating(kind, ids[0])
        except UserTokenError as error:
            assert error.code == "40300", error  # parsed from Apple's errors body
        else:
            raise AssertionError("a wrong music user token was accepted")

asyncio.run(lookup())
"""


def test_a_demo_lookup_validates_with_pydantic_models() -> None:
    # The models are pydantic BaseModels (the product's declared stack); the lookup below must
    # really go through them, so the first-frame checks above guard something that is loaded.
    after_lookup = _modules_after(_DEMO_LOOKUP)
    assert {"pydantic", "pydantic_core"} <= after_lookup


#: A demo app session up to one painted lookup, as the memory benchmark drives it.
_DEMO_APP_LOOKUP = f"""
import asyncio
from tui.app import AmRatingsApp
from tui.config import AppConfig, read_config_file
from tui.widgets.id_pane import IdPane
from tui.widgets.results import ResultsTable

async def session():
    assert read_config_file() == {{}}  # no config file in this HOME
    app = AmRatingsApp(AppConfig(demo=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        pane = app.screen.query_one(IdPane)
        pane.set_ids([{LIKED_ID!r}])
        pane.focus_ids()
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.02)
            rows = app.screen.query_one(ResultsTable).rows_state
            if rows and rows[0].word == "Liked":
                break
        else:
            raise AssertionError("the lookup never showed its result")
        await app.action_quit()

asyncio.run(session())
"""


def test_a_demo_lookup_loads_neither_the_emoji_table_nor_the_toml_parser(
        isolated_env: dict[str, str]) -> None:
    # Issue 5's memory target: Rich's emoji table (about 1.4 MiB, loaded by the first str
    # column label that goes through Rich markup) and tomllib (only needed when a config file
    # exists) have no business in a session that uses neither.
    loaded = modules_after(_DEMO_APP_LOOKUP, env=isolated_env)
    assert "tui.api.client" in loaded, "the lookup did not go through the service layer"
    assert "textual.widgets._data_table" in loaded
    assert "rich._emoji_codes" not in loaded
    assert "tomllib" not in loaded
