"""``AMRATINGS_KEYRING_TIMEOUT`` reaches every keyring call, not only the token commands: the
TUI's token loading, the setup screen's keyring probe and the lookup commands' token resolution
all read it through the one helper in :mod:`tui.tokens.store`."""

from __future__ import annotations

from typing import Any

import pytest
from browser_kit import demo_token_pair, settle

from tui.api.simulated import SimulatedAppleMusic
from tui.app import AmRatingsApp
from tui.config import AppConfig
from tui.tokens import store


@pytest.mark.parametrize(("raw", "seconds"), [
    (None, store.DEFAULT_KEYRING_TIMEOUT), ("0.25", 0.25), ("7", 7.0),
    ("soon", store.DEFAULT_KEYRING_TIMEOUT), ("-1", store.DEFAULT_KEYRING_TIMEOUT),
    ("0", store.DEFAULT_KEYRING_TIMEOUT), ("nan", store.DEFAULT_KEYRING_TIMEOUT),
    ("inf", store.MAX_KEYRING_TIMEOUT), ("3600", store.MAX_KEYRING_TIMEOUT),
])
def test_keyring_timeout_reads_the_variable(raw: str | None, seconds: float) -> None:
    environ = {} if raw is None else {store.KEYRING_TIMEOUT_ENV: raw}
    assert store.keyring_timeout(environ) == seconds


def test_the_cli_token_commands_use_the_same_helper() -> None:
    import tui.cli.tokens as cli_tokens

    # One definition: the token commands must not carry their own copy of the parsing.
    assert not hasattr(cli_tokens, "keyring_timeout")
    assert not hasattr(cli_tokens, "KEYRING_TIMEOUT_ENV")


def test_lookup_commands_pass_the_timeout_to_load_tokens(
        monkeypatch: pytest.MonkeyPatch, isolated_env: dict[str, str]) -> None:
    from tui.cli.common import resolve_tokens

    seen: list[float] = []

    def load_tokens(*args: Any, keyring_timeout: float, **kwargs: Any) -> Any:
        seen.append(keyring_timeout)
        return demo_token_pair(source=store.TokenSource.KEYRING)

    monkeypatch.setenv(store.KEYRING_TIMEOUT_ENV, "0.25")
    monkeypatch.setattr(store, "load_tokens", load_tokens)
    assert isinstance(resolve_tokens(AppConfig()), tuple)
    assert seen == [0.25]


async def test_the_tui_passes_the_timeout_to_load_tokens_and_the_keyring_probe(
        sim: SimulatedAppleMusic, monkeypatch: pytest.MonkeyPatch,
        isolated_env: dict[str, str]) -> None:
    loaded: list[float] = []
    probed: list[float] = []
    real_status = store.keyring_status

    def load_tokens(*args: Any, keyring_timeout: float, **kwargs: Any) -> Any:
        loaded.append(keyring_timeout)
        return demo_token_pair(user=None, source=store.TokenSource.ENV)

    def keyring_status(timeout: float) -> Any:
        probed.append(timeout)
        return real_status(timeout=timeout)

    monkeypatch.setenv(store.KEYRING_TIMEOUT_ENV, "0.25")
    monkeypatch.setattr(store, "load_tokens", load_tokens)
    monkeypatch.setattr(store, "keyring_status", keyring_status)
    app = AmRatingsApp(AppConfig(), transport=sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)  # the user token is missing: the setup screen opens and probes
        assert loaded == [0.25]
        assert probed == [0.25]
