"""The Token setup screen: snapshots of its states and pilot tests of its behaviour.

Everything runs on the embedded simulated API with obviously fake tokens, the clock pinned to
``NOW`` and the keyring replaced, so the pictures never drift and nothing touches a real
keyring or the network.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from browser_kit import screen_text
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, RadioButton, Static

from tui.api.simulated import DEMO_USER_TOKEN, SimulatedAppleMusic, make_demo_developer_token
from tui.config import AppConfig
from tui.messages import TokensChanged
from tui.screens.token_setup import TokenSetupScreen
from tui.session import Session
from tui.tokens import check, store
from tui.tokens.redact import fingerprint
from tui.tokens.store import KeyringStatus, StoredToken, TokenPair, TokenSource, TokenStoreError

#: 2025-06-15 15:06:40 UTC: every picture and every decoded expiry is relative to this.
NOW = 1_750_000_000.0
#: Issued 170 days ago for 175 days: it expires in 5 days, which the screen warns about.
EXPIRING_DEVELOPER_TOKEN = make_demo_developer_token(now=NOW - 170 * 86400, days=175)
#: Short enough to fit in the input whole, so the masking test can tell shown from hidden.
FAKE_USER_TOKEN = "fake-music-user-token-0001"
REVOKED_USER_TOKEN = "fake-revoked-music-user-token-0002"
USABLE_KEYRING = KeyringStatus(True, "keyring.backends.SecretService.Keyring")
NO_KEYRING = KeyringStatus(False, "keyring.backends.null.Keyring",
                           "no usable keyring backend (null)")


class TokenSetupHost(App[None]):
    """A bare app whose only job is to push the screen and record what it sends back."""

    TITLE = "amratings"

    def __init__(self, make_screen: Callable[[], TokenSetupScreen]) -> None:
        super().__init__()
        self._make_screen = make_screen
        self.changes: list[TokensChanged] = []
        self.results: list[object] = []

    def compose(self) -> ComposeResult:
        yield Static("Browser (behind the token setup screen)")

    def on_mount(self) -> None:
        self.push_screen(self._make_screen(), self.results.append)

    def on_tokens_changed(self, message: TokensChanged) -> None:
        self.changes.append(message)

    def export_screenshot(self, *, title: str | None = None, simplify: bool = False) -> str:
        """As the real app exports pictures (spaces placed for every SVG renderer)."""
        from tui.svg import place_edge_spaces

        return place_edge_spaces(super().export_screenshot(title=title, simplify=simplify))


def make_host(
    tokens: TokenPair | None = None,
    *,
    transport: SimulatedAppleMusic | None = None,
    config: AppConfig | None = None,
) -> TokenSetupHost:
    """A host app showing the token setup screen with the clock pinned to ``NOW``."""
    return TokenSetupHost(lambda: TokenSetupScreen(Session(
        config or AppConfig(), tokens=tokens, transport=transport, clock=lambda: NOW)))


def pair(developer: str | None, user: str | None,
         source: TokenSource = TokenSource.ENV) -> TokenPair:
    """Tokens as the app would find them at launch."""
    def one(kind: Any, value: str | None) -> StoredToken:
        return StoredToken(kind, value, source if value else TokenSource.NONE)
    return TokenPair(one("developer", developer), one("user", user))


def simulation() -> SimulatedAppleMusic:
    """The simulated API on the pinned clock; it accepts only ``FAKE_USER_TOKEN``."""
    return SimulatedAppleMusic(user_tokens=[FAKE_USER_TOKEN], clock=lambda: NOW)


@pytest.fixture(autouse=True)
def quiet_screen(isolated_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """No blinking cursor, a keyring that answers at once, and check times that do not drift.

    The check still runs for real against the simulation; only the measured time of each step
    is replaced, because wall-clock milliseconds would change every picture.
    """
    monkeypatch.setattr(Input, "cursor_blink", False)
    monkeypatch.setattr(store, "keyring_status", lambda timeout=3.0: USABLE_KEYRING)
    real_check = check.check_tokens

    async def pinned_check(client: Any, *, now: float | None = None) -> check.TokenCheck:
        result = await real_check(client, now=now)
        for step, elapsed in zip(result.steps, (0.042, 0.087), strict=False):
            if step.outcome in ("passed", "failed"):
                step.elapsed = elapsed
        return result

    monkeypatch.setattr(check, "check_tokens", pinned_check)


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers (keyring status, checks, generation) finish and the screen repaint."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def save(pilot: Pilot[Any], user: str, *, developer: str | None = None,
               where: str | None = None) -> None:
    """Type the tokens (the developer token only when given), pick where they go (``session``,
    ``keyring``, ``file``; else the screen's default), save with f5 and wait."""
    screen = pilot.app.screen
    if developer is not None:
        screen.query_one("#developer-token-value", Input).value = developer
    screen.query_one("#user-token-value", Input).value = user
    if where is not None:
        screen.query_one(f"#where-{where}", RadioButton).value = True
    await pilot.press("f5")
    await settle(pilot)


def write_p8(path: Path) -> ec.EllipticCurvePrivateKey:
    """A fresh MusicKit-style key: EC P-256, PKCS#8 PEM, as Apple's AuthKey_<KEYID>.p8."""
    key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return key


# ---------------------------------------------------------------------- snapshots


def test_snapshot_empty(snap_compare: Any) -> None:
    assert snap_compare(make_host(), terminal_size=(80, 24), run_before=settle)


def test_snapshot_decoded_token_expiry_warning(snap_compare: Any) -> None:
    host = make_host(pair(EXPIRING_DEVELOPER_TOKEN, FAKE_USER_TOKEN))
    assert snap_compare(host, terminal_size=(80, 24), run_before=settle)


async def run_check(pilot: Pilot[Any]) -> None:
    """Run "Check tokens" and wait for its results."""
    await settle(pilot)
    await pilot.press("ctrl+t")
    await settle(pilot)


def test_snapshot_check_passed(snap_compare: Any) -> None:
    host = make_host(pair(EXPIRING_DEVELOPER_TOKEN, FAKE_USER_TOKEN), transport=simulation())
    assert snap_compare(host, terminal_size=(80, 24), run_before=run_check)


def test_snapshot_check_user_token_rejected(snap_compare: Any) -> None:
    host = make_host(pair(EXPIRING_DEVELOPER_TOKEN, REVOKED_USER_TOKEN), transport=simulation())
    assert snap_compare(host, terminal_size=(80, 24), run_before=run_check)


def test_snapshot_small_terminal(snap_compare: Any) -> None:
    host = make_host(pair(EXPIRING_DEVELOPER_TOKEN, FAKE_USER_TOKEN))
    assert snap_compare(host, terminal_size=(50, 14), run_before=settle)


def test_snapshot_generate_form_with_an_error(snap_compare: Any, tmp_path: Path) -> None:
    # A fixed file name in a fixed place, so the message in the picture never changes.
    bad_key = Path("/nonexistent/AuthKey_FAKEKEY001.p8")

    async def fill_in(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.press(*"FAKETEAM01")
        pilot.app.screen.query_one("#generate-key-file", Input).value = str(bad_key)
        await pilot.click("#generate-run")
        await settle(pilot)

    assert snap_compare(make_host(), terminal_size=(80, 24), run_before=fill_in)


# ---------------------------------------------------------------------- pilot tests


def test_every_binding_has_an_id() -> None:
    ids = [binding.id for binding in TokenSetupScreen.BINDINGS]  # type: ignore[union-attr]
    assert all(ids), ids
    assert len(set(ids)) == len(ids)
    keys = {binding.key for binding in TokenSetupScreen.BINDINGS}  # type: ignore[union-attr]
    # Multiplexers take these before the app sees them.
    assert not keys & {"ctrl+j", "ctrl+s", "ctrl+o", "ctrl+b"}


async def test_typing_a_token_updates_the_decoded_view() -> None:
    app = make_host()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        details = app.screen.query_one("#developer-details", Static)
        assert "-empty" in details.classes

        await pilot.press(*"abc")
        assert "Not a JWT" in str(details.render())

        token_input = app.screen.query_one("#developer-token-value", Input)
        token_input.value = ""
        token_input.insert_text_at_cursor(EXPIRING_DEVELOPER_TOKEN)
        await pilot.pause()
        text = str(details.render())
        assert "kid DEMOKEY001" in text
        assert "iss DEMOTEAM01" in text
        assert "expires in 5 days" in text
        assert "Expires soon" in text
        assert "Not a JWT" not in text
        caption = app.screen.query_one("#developer-token .token-input--caption", Static)
        assert fingerprint(EXPIRING_DEVELOPER_TOKEN) in str(caption.render())


async def test_reveal_toggle_shows_and_hides_both_tokens() -> None:
    app = make_host(pair(EXPIRING_DEVELOPER_TOKEN, FAKE_USER_TOKEN))
    # Wide enough for the whole developer token: hiding it is the screen's doing, not the width's.
    async with app.run_test(size=(260, 40)) as pilot:
        await settle(pilot)
        inputs = [app.screen.query_one(f"#{kind}-token-value", Input)
                  for kind in ("developer", "user")]
        assert all(i.password for i in inputs)
        masked = screen_text(app)
        assert EXPIRING_DEVELOPER_TOKEN not in masked
        assert FAKE_USER_TOKEN not in masked
        assert fingerprint(FAKE_USER_TOKEN) in masked

        await pilot.press("ctrl+r")
        await pilot.pause()
        assert not any(i.password for i in inputs)
        assert app.screen.query_one("#reveal", Checkbox).value
        revealed = screen_text(app)
        assert EXPIRING_DEVELOPER_TOKEN in revealed
        assert FAKE_USER_TOKEN in revealed

        await pilot.press("ctrl+r")
        await pilot.pause()
        assert all(i.password for i in inputs)
        assert FAKE_USER_TOKEN not in screen_text(app)


async def test_tokens_never_whole_in_any_text_outside_the_inputs() -> None:
    app = make_host(pair(EXPIRING_DEVELOPER_TOKEN, REVOKED_USER_TOKEN), transport=simulation())
    async with app.run_test(size=(260, 60)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "failed" in str(app.screen.query_one("#check-results", Static).render())
        for widget in app.screen.query(Static):
            rendered = str(widget.render())
            assert EXPIRING_DEVELOPER_TOKEN not in rendered, widget
            assert REVOKED_USER_TOKEN not in rendered, widget
        text = screen_text(app)
        assert EXPIRING_DEVELOPER_TOKEN not in text
        assert REVOKED_USER_TOKEN not in text


async def test_saving_for_this_session_posts_tokens_changed() -> None:
    app = make_host()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # Pasted tokens often carry a trailing space; it must not be saved.
        await save(pilot, FAKE_USER_TOKEN + " ", developer=EXPIRING_DEVELOPER_TOKEN,
                   where="session")

        assert len(app.changes) == 1
        change = app.changes[0]
        assert change.where == "session"
        assert change.tokens.developer == StoredToken("developer", EXPIRING_DEVELOPER_TOKEN,
                                                      TokenSource.SESSION)
        assert change.tokens.user == StoredToken("user", FAKE_USER_TOKEN, TokenSource.SESSION)
        assert app.results == [change.tokens]
        assert not isinstance(app.screen, TokenSetupScreen)


async def test_unchanged_env_token_keeps_its_source() -> None:
    app = make_host(pair(EXPIRING_DEVELOPER_TOKEN, None))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await save(pilot, FAKE_USER_TOKEN, where="session")
        (change,) = app.changes
        assert change.tokens.developer.source is TokenSource.ENV
        assert change.tokens.user.source is TokenSource.SESSION


async def test_saving_to_the_keyring_stores_off_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    saved: list[tuple[str, str, str]] = []

    def fake_save(kind: str, value: str, where: str, *, timeout: float = 3.0) -> TokenSource:
        saved.append((kind, value, where))
        return TokenSource.KEYRING

    monkeypatch.setattr(store, "save_token", fake_save)
    app = make_host()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # A usable keyring is offered with its backend, and chosen by default.
        keyring_button = app.screen.query_one("#where-keyring")
        assert "SecretService" in str(keyring_button.label)
        assert keyring_button.value
        await save(pilot, FAKE_USER_TOKEN, developer=EXPIRING_DEVELOPER_TOKEN)
        assert saved == [("developer", EXPIRING_DEVELOPER_TOKEN, "keyring"),
                         ("user", FAKE_USER_TOKEN, "keyring")]
        (change,) = app.changes
        assert change.where == "keyring"
        assert change.tokens.user.source is TokenSource.KEYRING


async def test_a_failed_save_is_explained_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_save(kind: str, value: str, where: str, *, timeout: float = 3.0) -> TokenSource:
        raise TokenStoreError("keyring unavailable: the collection is locked",
                              hint="unlock it, or keep the tokens for this session")

    monkeypatch.setattr(store, "save_token", failing_save)
    app = make_host()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await save(pilot, FAKE_USER_TOKEN)
        assert isinstance(app.screen, TokenSetupScreen)
        assert app.changes == []
        message = str(app.screen.query_one("#token-setup-message", Static).render())
        assert "collection is locked" in message
        assert FAKE_USER_TOKEN not in message


async def test_without_a_keyring_the_file_is_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "keyring_status", lambda timeout=3.0: NO_KEYRING)
    app = make_host()
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#where-keyring").disabled
        assert not screen.query_one("#where-file").disabled
        assert screen.query_one("#where-session").value  # never the file silently
        assert "no usable keyring backend" in str(
            screen.query_one(".storage-choice--note", Static).render())
        assert "~/.config/amratings/tokens.json" in str(screen.query_one("#where-file").label)


async def test_saving_to_the_file_writes_it_0600(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "keyring_status", lambda timeout=3.0: NO_KEYRING)
    app = make_host()
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        await save(pilot, FAKE_USER_TOKEN, where="file")
        (change,) = app.changes
        assert change.where == "file"
        assert change.tokens.user == StoredToken("user", FAKE_USER_TOKEN, TokenSource.FILE)
        assert change.tokens.developer.source is TokenSource.NONE
        path = store.token_file_path()
        assert path.stat().st_mode & 0o777 == 0o600
        assert FAKE_USER_TOKEN in path.read_text()


async def test_a_hanging_keyring_does_not_block_the_screen(
        monkeypatch: pytest.MonkeyPatch) -> None:
    answer = threading.Event()

    def slow_status(timeout: float = 3.0) -> KeyringStatus:
        answer.wait(10)
        return USABLE_KEYRING

    monkeypatch.setattr(store, "keyring_status", slow_status)
    app = make_host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keyring_button = app.screen.query_one("#where-keyring")
        assert "checking" in str(keyring_button.label)
        assert keyring_button.disabled
        await pilot.press(*"abc")  # the event loop is free while the keyring thinks
        assert app.screen.query_one("#developer-token-value", Input).value == "abc"
        answer.set()
        await settle(pilot)
        assert "SecretService" in str(keyring_button.label)
        assert not keyring_button.disabled


async def test_the_demo_keeps_tokens_for_the_session_only(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_run(*args: object, **kwargs: object) -> object:
        raise AssertionError("the demo touched the keyring")

    monkeypatch.setattr(store, "keyring_status", must_not_run)
    monkeypatch.setattr(store, "save_token", must_not_run)
    app = make_host(config=AppConfig(demo=True))
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        assert app.screen.sub_title == "Token setup · DEMO"
        assert app.screen.query_one("#where-keyring").disabled
        assert app.screen.query_one("#where-file").disabled
        await save(pilot, DEMO_USER_TOKEN)
        (change,) = app.changes
        assert change.where == "session"
        assert change.tokens.user.source is TokenSource.SESSION


async def test_saving_nothing_is_refused_inline() -> None:
    app = make_host()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, TokenSetupScreen)
        assert "Enter a developer token" in str(
            app.screen.query_one("#token-setup-message", Static).render())
        assert app.changes == []


async def test_escape_goes_back_without_saving() -> None:
    app = make_host(pair(EXPIRING_DEVELOPER_TOKEN, FAKE_USER_TOKEN))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, TokenSetupScreen)
        assert app.results == [None]
        assert app.changes == []


async def test_check_shows_each_step() -> None:
    app = make_host(pair(EXPIRING_DEVELOPER_TOKEN, REVOKED_USER_TOKEN), transport=simulation())
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        text = str(app.screen.query_one("#check-results", Static).render())
        assert "✓ passed  Developer token   GET /v1/test  HTTP 200  42 ms" in text
        assert "✗ failed  Music user token  GET /v1/me/storefront  HTTP 403  87 ms" in text
        assert "code 40300 · Forbidden · Invalid authentication" in text
        assert "Apple rejected the music user token" in text


async def test_generate_from_a_p8_key_fills_the_developer_token(tmp_path: Path) -> None:
    key_file = tmp_path / "AuthKey_FAKEKEY001.p8"
    key = write_p8(key_file)
    app = make_host()
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#generate-team-id", Input)
        await pilot.press(*"FAKETEAM01", "tab")
        app.screen.query_one("#generate-key-file", Input).value = str(key_file)
        await pilot.pause()
        # The key id is read from Apple's file name.
        assert app.screen.query_one("#generate-key-id", Input).value == "FAKEKEY001"
        days = app.screen.query_one("#generate-days", Input)
        days.value = "30"
        days.focus()
        await pilot.press("enter")
        await settle(pilot)

        token = app.screen.query_one("#developer-token-value", Input).value
        claims = jwt.decode(token, key.public_key(), algorithms=["ES256"],
                            options={"verify_exp": False, "verify_iat": False})
        assert claims == {"iss": "FAKETEAM01", "iat": int(NOW), "exp": int(NOW) + 30 * 86400}
        assert jwt.get_unverified_header(token)["kid"] == "FAKEKEY001"
        details = str(app.screen.query_one("#developer-details", Static).render())
        assert "kid FAKEKEY001" in details
        assert "expires in 30 days" in details
        assert "-empty" in app.screen.query_one(".generate-form--error").classes


@pytest.mark.parametrize(("content", "expected"), [
    (b"not a key at all\n", "is not a PKCS#8 PEM private key"),
    (None, "AuthKey_FAKEKEY001.p8"),
])
async def test_bad_key_file_shows_an_inline_error(tmp_path: Path, content: bytes | None,
                                                  expected: str) -> None:
    key_file = tmp_path / "AuthKey_FAKEKEY001.p8"
    if content is not None:
        key_file.write_bytes(content)
    app = make_host()
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        app.screen.query_one("#generate-team-id", Input).value = "FAKETEAM01"
        app.screen.query_one("#generate-key-file", Input).value = str(key_file)
        await pilot.pause()
        await pilot.click("#generate-run")
        await settle(pilot)
        error = app.screen.query_one(".generate-form--error", Static)
        assert "-empty" not in error.classes
        assert expected in str(error.render())
        assert app.screen.query_one("#developer-token-value", Input).value == ""


async def test_key_file_under_an_unknown_home_is_an_inline_error() -> None:
    app = make_host()
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        app.screen.query_one("#generate-team-id", Input).value = "FAKETEAM01"
        app.screen.query_one("#generate-key-file", Input).value = (
            "~no-such-user-amratings/AuthKey_FAKEKEY001.p8")
        await pilot.pause()
        await pilot.click("#generate-run")
        await settle(pilot)
        error = app.screen.query_one(".generate-form--error", Static)
        assert "does not name a home directory" in str(error.render())


async def test_generate_with_missing_fields_says_which() -> None:
    app = make_host()
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        error = str(app.screen.query_one(".generate-form--error", Static).render())
        assert "team ID, key ID, key file" in error


async def test_in_the_app_saved_tokens_reach_the_app() -> None:
    app_module = pytest.importorskip("tui.app")
    # No tokens at all: the app opens the token setup screen by itself.
    app = app_module.AmRatingsApp(AppConfig(), transport=simulation(), load_tokens=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TokenSetupScreen)
        developer = make_demo_developer_token(days=30)  # real clock: the app's screen has no pin
        await save(pilot, FAKE_USER_TOKEN, developer=developer, where="session")
        assert not isinstance(app.screen, TokenSetupScreen)
        assert app.tokens.developer.value == developer
        assert app.tokens.user == StoredToken("user", FAKE_USER_TOKEN, TokenSource.SESSION)


# ------------------------------------------------------- check results layout, app paths


def test_step_name_and_request_never_touch() -> None:
    from tui.tokens.check import TokenCheckStep
    from tui.widgets.tokens.check_results import describe_step

    step = TokenCheckStep(name="Music user token", token="user", outcome="passed", method="GET",
                          path="/v1/me/storefront", status=200, elapsed=0.087)
    assert describe_step(step, 16).plain.startswith(
        "✓ passed  Music user token  GET /v1/me/storefront  HTTP 200")
    step.name = "A step name longer than the column"
    assert "column  GET /v1/me/storefront" in describe_step(step, 16).plain


async def test_check_results_columns_are_apart_in_the_picture() -> None:
    import browser_kit

    host = make_host(pair(EXPIRING_DEVELOPER_TOKEN, REVOKED_USER_TOKEN), transport=simulation())
    async with host.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        text = screen_text(host)
        drawn = "\n".join(browser_kit.svg_lines(host.export_screenshot()))
        for picture in (text, drawn):
            assert "Developer token   GET /v1/test" in picture
            assert "Music user token  GET /v1/me/storefront" in picture


@pytest.mark.parametrize("opened_by", ["f2", "palette", "missing token"])
async def test_every_way_in_checks_tokens_on_the_apps_transport(opened_by: str) -> None:
    from tui.app import AmRatingsApp

    sim = simulation()
    tokens = None if opened_by == "missing token" else pair(EXPIRING_DEVELOPER_TOKEN,
                                                            FAKE_USER_TOKEN)
    clock = lambda: NOW  # noqa: E731
    app = AmRatingsApp(AppConfig(), transport=sim, tokens=tokens, load_tokens=False,
                       clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        if opened_by == "f2":
            await pilot.press("f2")
        elif opened_by == "palette":
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"Token setup")
            await pilot.pause(0.5)
            await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TokenSetupScreen)
        assert screen._transport is sim and screen._clock is clock
        screen.query_one("#developer-token-value", Input).value = EXPIRING_DEVELOPER_TOKEN
        screen.query_one("#user-token-value", Input).value = FAKE_USER_TOKEN
        await pilot.press("ctrl+t")
        await settle(pilot)
        # The check went through the app's simulation, not the network.
        assert [path for _, path in sim.requests] == ["/v1/test", "/v1/me/storefront"]
        assert "Both tokens work." in screen_text(app)
