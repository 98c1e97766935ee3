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


class FakeGc:
    """Stands in for the gc module inside tui.app: records freezes and unfreezes, and says
    ``frozen`` objects are frozen already (the real count is process-wide, and other apps of
    this test process freeze and unfreeze it too)."""

    def __init__(self, frozen: int) -> None:
        self.frozen = frozen
        self.calls: list[str] = []

    def get_freeze_count(self) -> int:
        return self.frozen

    def collect(self) -> int:
        self.calls.append("collect")
        return 0

    def freeze(self) -> None:
        self.calls.append("freeze")

    def unfreeze(self) -> None:
        self.calls.append("unfreeze")


async def test_the_app_leaves_what_others_froze_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui import app as app_module

    fake = FakeGc(frozen=50_000)  # someone else's
    monkeypatch.setattr(app_module, "gc", fake)
    app = AmRatingsApp(AppConfig(demo=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.tokens is not None  # the warm-up is over
    assert fake.calls == []  # neither frozen on top of theirs nor theirs unfrozen


async def test_the_app_unfreezes_only_what_it_froze(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui import app as app_module

    fake = FakeGc(frozen=0)
    monkeypatch.setattr(app_module, "gc", fake)
    app = AmRatingsApp(AppConfig(demo=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert fake.calls == ["collect", "freeze"]
    assert fake.calls == ["collect", "freeze", "unfreeze"]


async def test_freezing_is_a_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui import app as app_module

    class Unfrozen(AmRatingsApp):
        FREEZE_GC = False

    fake = FakeGc(frozen=0)
    monkeypatch.setattr(app_module, "gc", fake)
    app = Unfrozen(AppConfig(demo=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.tokens is not None
    assert fake.calls == []
