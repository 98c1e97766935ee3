"""The service layer is imported after the first frame, on the event loop, a module at a time:
each step imports only its own module (so a key pressed meanwhile waits for one module, not the
whole stack), and a demo run needs no thread for its tokens."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from browser_kit import settle
from repo_kit import modules_after

from tui.app import WARM_UP_MODULES, AmRatingsApp
from tui.config import AppConfig
from tui.tokens.store import TokenSource


def test_each_warm_up_step_imports_only_its_own_module() -> None:
    # In a fresh interpreter, import the steps in order and note which later steps each one
    # pulled in already: none may (that step would carry the later one's cost too).
    probe = f"""
import importlib, sys
import tui.app
steps = {list(WARM_UP_MODULES)!r}
early = {{}}
for index, name in enumerate(steps):
    assert name not in sys.modules, name + " was imported before its step"
    importlib.import_module(name)
    early[name] = [later for later in steps[index + 1:] if later in sys.modules]
assert early == {{name: [] for name in steps}}, early
"""
    assert set(WARM_UP_MODULES) <= modules_after(probe)
    assert WARM_UP_MODULES[-1] == "tui.backend"  # what the first lookup imports


async def test_a_demo_run_gets_its_tokens_from_the_warm_up_without_a_thread(
        monkeypatch: pytest.MonkeyPatch) -> None:
    threaded: list[Any] = []
    original = AmRatingsApp.run_worker

    def run_worker(self: AmRatingsApp, work: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("thread"):
            threaded.append(kwargs.get("name") or work)
        return original(self, work, *args, **kwargs)

    monkeypatch.setattr(AmRatingsApp, "run_worker", run_worker)
    app = AmRatingsApp(AppConfig(demo=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.tokens is not None
        assert app.tokens.developer.source is TokenSource.DEMO
        assert app.tokens.user.source is TokenSource.DEMO
        assert all(name in sys.modules for name in WARM_UP_MODULES)
    assert threaded == []


async def test_the_warm_up_freezes_what_exists_and_the_exit_unfreezes_it() -> None:
    # Full garbage collections walked every startup object (60 ms and more on a key press's
    # frame with 1000 rows loaded); after the warm-up they are out of the collector's way.
    import gc

    gc.unfreeze()
    app = AmRatingsApp(AppConfig(demo=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert gc.get_freeze_count() > 10_000
    assert gc.get_freeze_count() == 0


async def test_the_app_leaves_what_others_froze_alone() -> None:
    import gc

    gc.unfreeze()
    gc.freeze()  # someone else's
    theirs = gc.get_freeze_count()
    try:
        app = AmRatingsApp(AppConfig(demo=True))
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert app.tokens is not None  # the warm-up is over
            # Nothing of the app's was added (a frozen object may still die, so at most theirs).
            assert gc.get_freeze_count() <= theirs
        assert gc.get_freeze_count() > theirs - 1000  # and theirs were not unfrozen
    finally:
        gc.unfreeze()


async def test_freezing_is_a_switch() -> None:
    import gc

    gc.unfreeze()

    class Unfrozen(AmRatingsApp):
        FREEZE_GC = False

    app = Unfrozen(AppConfig(demo=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.tokens is not None
        assert gc.get_freeze_count() == 0
