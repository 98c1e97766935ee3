"""Messages in the app name the app's keys (f2, ctrl+g), not CLI commands; the CLI keeps
naming its commands. The hints, findings and diagnoses are shared, so both surfaces are checked
on the same texts."""

from __future__ import annotations

import time
from typing import Any

import pytest
from browser_kit import FIXED_NOW, demo_token_pair, look_up, screen_text
from test_token_setup import make_host, pair, settle, simulation
from textual.widgets import Input

from tui.api import errors as api_errors
from tui.api.simulated import make_demo_developer_token
from tui.config import AppConfig
from tui.tokens import store
from tui.tokens.inspect import inspect_developer_token
from tui.widgets.wording import AppKeys, app_keys, in_app

DAY = 86400


def words(app: Any) -> str:
    """The screen's text with line breaks and runs of spaces as one space."""
    return " ".join(screen_text(app).split())


def shared_texts() -> list[str]:
    """Every hint, diagnosis and finding reason the service layer writes with a command."""
    texts = [cls.default_hint for cls in vars(api_errors).values()
             if isinstance(cls, type) and issubclass(cls, api_errors.AmRatingsError)
             and cls.default_hint]
    texts += [store.store_hint("developer"), store.store_hint("user")]
    texts += [*api_errors.DeveloperTokenError.diagnosis, *api_errors.UserTokenError.diagnosis]
    for token in ("not-a-jwt", make_demo_developer_token(now=time.time() - 100 * DAY, days=10)):
        texts += [f.why for f in inspect_developer_token(token).findings]
    return texts


def test_shared_texts_name_commands_and_the_app_names_keys() -> None:
    texts = shared_texts()
    assert sum("`amratings token" in t for t in texts) >= 5  # the check is not vacuous
    for text in texts:
        for shown in (in_app(text), in_app(text, in_token_setup=True)):
            assert "`amratings" not in shown and "amratings token" not in shown, shown
    assert "Press f2 for token setup" in in_app(api_errors.DeveloperTokenError("x").hint or "")
    assert in_app("then run `amratings token set user`.") == "then enter it in token setup (f2)."
    assert in_app("Create one with `amratings token generate`.", in_token_setup=True) == \
        "Create one with ctrl+g (Generate)."


def test_the_keys_follow_the_keymap() -> None:
    config = AppConfig(keymap={"app.tokens": "f6", "token_setup.generate": "ctrl+k,f9"})
    keys = app_keys(type("App", (), {"config": config})())
    assert keys == AppKeys(tokens="f6", generate="ctrl+k")
    assert in_app("Run `amratings token status`.", keys).startswith("Press f6 for token setup")
    assert app_keys(object()) == AppKeys()


def test_the_cli_still_names_its_commands(capsys: pytest.CaptureFixture[str]) -> None:
    from tui.cli.common import print_error

    print_error(api_errors.DeveloperTokenError("rejected"))
    print_error(api_errors.UserTokenError("rejected"))
    err = capsys.readouterr().err
    assert "`amratings token status`" in err and "`amratings token set user`" in err
    assert "f2" not in err


@pytest.mark.parametrize("keymap", [{}, {"app.tokens": "f6"}])
async def test_the_401_and_403_panels_name_the_key(make_app: Any, keymap: dict[str, str]) -> None:
    key = keymap.get("app.tokens", "f2")
    expired = make_demo_developer_token(now=FIXED_NOW - 100 * DAY, days=10)
    app = make_app(config=AppConfig(demo=True, keymap=keymap),
                   tokens=demo_token_pair(developer=expired))
    async with app.run_test(size=(120, 40)) as pilot:
        await look_up(pilot, "i.NJv00rkTEaLK51")
        text = screen_text(app)
        assert "401 Unauthorized" in text
        assert f"Press {key} for token setup, which decodes it" in text
        assert "amratings token" not in text
    app = make_app(config=AppConfig(demo=True, keymap=keymap),
                   tokens=demo_token_pair(user="revoked-user-token-for-tests-1234"))
    async with app.run_test(size=(120, 40)) as pilot:
        await look_up(pilot, "i.NJv00rkTEaLK51")
        text = screen_text(app)
        assert "403 Forbidden" in text and f"then enter it in token setup ({key})" in text
        assert "amratings token" not in text


async def test_a_lookup_without_tokens_names_the_key(make_app: Any) -> None:
    app = make_app(config=AppConfig(demo=True, keymap={"app.tokens": "f6"}),
                   tokens=demo_token_pair(user=None))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("escape")  # the token setup screen opened by itself
        await look_up(pilot, "i.NJv00rkTEaLK51")
        text = screen_text(app)
        assert "Press f6 to enter the tokens" in text and "amratings token" not in text


async def test_token_setup_findings_and_check_name_its_keys() -> None:
    expired = make_demo_developer_token(now=1_750_000_000.0 - 100 * DAY, days=10)
    app = make_host(pair(expired, None), transport=simulation())
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        text = words(app)
        assert "Expired" in text and "generate a new one with ctrl+g (Generate)." in text
        app.screen.query_one("#developer-token-value", Input).value = "not-a-jwt"
        await pilot.pause()
        await pilot.press("ctrl+t")  # check, with no music user token
        await settle(pilot)
        text = words(app)
        assert "Create one with ctrl+g (Generate)." in text
        assert "enter it here" in text
        assert "amratings token" not in text
