"""The Token setup screen: enter, decode, check, generate, sign in and keep the two tokens.

Shown at launch when a token is missing and reachable any time from the app. Everything slow
runs in a worker: the keyring (it can hang over SSH) and saving in thread workers, the token
check in an exclusive async worker. The tokens are shown whole only inside their inputs while
the user has asked to reveal them; everywhere else a fingerprint stands for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Collapsible, Header, Input, Static

from tui.messages import TokensChanged
from tui.sanitize import safe_content
from tui.session import Session
from tui.widgets.footer import AppFooter
from tui.widgets.tokens import (
    GenerateTokenForm,
    LoginView,
    StorageChoice,
    TokenCheckView,
    TokenDetails,
    TokenInput,
)
from tui.widgets.wording import app_keys, in_app

if TYPE_CHECKING:
    from tui.tokens.login import LoginNotice, LoginResult, LoginServer
    from tui.tokens.redact import Secret
    from tui.tokens.store import KeyringStatus, StoredToken, TokenKind, TokenPair

#: Sources that are already somewhere the user chose: an unchanged token from one of these is
#: passed on as it is instead of being copied into the chosen store.
_KEEP_AS_IS = frozenset({"env", "keyring", "file", "demo"})


class TokenSetupScreen(Screen[object]):
    """Two masked token inputs, the decoded developer token, storage choice, check, generate.

    From the ``session``: its ``tokens``, what the app found at launch (their sources show
    under the inputs); its ``transport`` for "Check tokens" (tests, the demo's shared
    simulation; None: the client comes from :func:`tui.backend.make_client`); its ``clock``,
    "now" as epoch seconds for decoding, checks and generation, so tests and screenshots can
    pin time.
    ``login_server``: builds the :class:`~tui.tokens.login.LoginServer` for "Sign in with
    Apple Music" (tests pin its port and secret); ``login_timeout``: seconds it waits.

    On save it posts :class:`~tui.messages.TokensChanged` to the app and dismisses itself with
    the new :class:`~tui.tokens.store.TokenPair`.
    """

    SUB_TITLE = "Token setup"
    #: Below 70 columns the titles go above their fields instead of beside them (50x14 works).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (70, "-wide")]
    #: Below 20 rows the title bar goes, as on the browser: every row is needed for the form.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (20, "-tall")]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="token_setup.back"),
        # Not F2: the app opens this screen with F2, and a double press must not save.
        Binding("f5,ctrl+y", "save", "Save", id="token_setup.save"),
        Binding("ctrl+t", "check", "Check tokens", id="token_setup.check"),
        Binding("ctrl+r", "toggle_reveal", "Reveal", id="token_setup.reveal"),
        Binding("ctrl+g", "generate", "Generate", id="token_setup.generate"),
        Binding("ctrl+l", "login", "Sign in", id="token_setup.login"),
    ]

    DEFAULT_CSS = """
    TokenSetupScreen {
        #token-setup-body { padding: 0 1; }
        #token-setup-body > TokenInput { margin: 1 0 0 0; }
        #reveal { margin: 0 0 0 18; }
        #login { margin: 1 0 1 18; }
        StorageChoice { margin: 1 0 0 0; }
        #token-setup-actions { height: auto; margin: 1 0 0 18; }
        #token-setup-actions Button { margin: 0 2 0 0; }
        #token-setup-message { height: auto; padding: 0 0 0 18; }
        #token-setup-message.-empty { display: none; }
        #token-setup-message.-error { color: $text-error; }
        #generate { margin: 1 0 0 0; padding: 0; border-top: none; }
        #generate Contents { padding: 0 0 0 1; }
        &.-short Header { display: none; }
        &.-narrow {
            #token-setup-body { padding: 0; }
            TokenInput > Horizontal, StorageChoice { layout: vertical; }
            .token-input--title, StorageChoice > Label { width: 1fr; }
            .token-input--caption, TokenDetails, #token-setup-message { padding: 0; }
            #reveal, #token-setup-actions, #login { margin-left: 0; }
            #token-setup-actions Button { margin: 0 1 0 0; }
            GenerateTokenForm Grid { grid-size: 1; grid-columns: 1fr; }
            GenerateTokenForm > Horizontal { padding: 0; }
        }
    }
    """

    def __init__(
        self,
        session: Session,
        *,
        login_server: Callable[..., LoginServer] | None = None,
        login_timeout: float | None = None,
    ) -> None:
        super().__init__()
        self._config = session.config
        self._tokens = session.tokens
        self._transport = session.transport
        self._clock = session.clock
        self._saving = False
        self._login_factory = login_server
        self._login_timeout = login_timeout
        #: The sign-in server while one runs (stopped on cancel, timeout, leaving the screen).
        self._login: LoginServer | None = None
        if self._config.demo:
            self.sub_title = "Token setup · DEMO"

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        developer, user = self._start_values()
        yield Header()
        with VerticalScroll(id="token-setup-body"):
            yield TokenInput("Developer token", value=developer[0], source=developer[1],
                             placeholder="paste the JWT (eyJ…) or generate one below",
                             id="developer-token")
            yield TokenDetails(id="developer-details")
            yield TokenInput("Music user token", value=user[0], source=user[1],
                             placeholder="paste the token from MusicKit", id="user-token")
            yield TokenDetails(id="user-details")
            yield Button("Sign in with Apple Music", id="login", compact=True)
            yield LoginView(id="login-view")
            yield Checkbox("Show tokens", id="reveal", compact=True)
            yield StorageChoice(file_path=_token_file_label(), id="storage")
            with Horizontal(id="token-setup-actions"):
                yield Button("Save", variant="primary", id="save", compact=True)
                yield Button("Check tokens", id="check", compact=True)
                yield Button("Back", id="back", compact=True)
            yield Static("", id="token-setup-message", classes="-empty")
            yield TokenCheckView(id="check-results")
            with Collapsible(title="Generate a developer token from a .p8 key",
                             collapsed=True, id="generate"):
                yield GenerateTokenForm(clock=self._clock, id="generate-form")
        yield AppFooter()

    def on_mount(self) -> None:
        self._decode_developer(self._developer.value)
        self._decode_user(self._user.value)
        # Start where typing is needed: the first empty token.
        target = self._user if self._developer.value and not self._user.value else self._developer
        target.input.focus()
        if self._config.demo:
            self.query_one(StorageChoice).session_only(
                "Demo: tokens are kept for this session only; nothing is written to the keyring "
                "or a file.")
        else:
            self._load_keyring_status()

    # ------------------------------------------------------------------ live decoding

    @on(Input.Changed, "#developer-token-value")
    def _developer_changed(self, event: Input.Changed) -> None:
        self._decode_developer(event.value.strip())
        # The user token's findings depend on it (the same token pasted into both inputs).
        self._decode_user(self._user.value)

    @on(Input.Changed, "#user-token-value")
    def _user_changed(self, event: Input.Changed) -> None:
        self._decode_user(event.value.strip())

    @on(Input.Submitted, "#developer-token-value")
    def _developer_submitted(self) -> None:
        self._user.input.focus()

    @on(Input.Submitted, "#user-token-value")
    def _user_submitted(self) -> None:
        self.query_one(StorageChoice).query_one("RadioSet").focus()

    def _decode_developer(self, value: str) -> None:
        details = self.query_one("#developer-details", TokenDetails)
        if not value:
            details.show(None)
            return
        # Imported on first use: PyJWT is not needed for the first frame.
        from tui.tokens.inspect import inspect_developer_token
        from tui.widgets.tokens.token_details import describe_developer_report

        details.show(describe_developer_report(inspect_developer_token(value, now=self._now()),
                                               app_keys(self.app)))

    def _decode_user(self, value: str) -> None:
        details = self.query_one("#user-details", TokenDetails)
        if not value:
            details.show(None)
            return
        from tui.tokens.inspect import inspect_user_token
        from tui.widgets.tokens.token_details import describe_user_report

        report = inspect_user_token(value, developer_token=self._developer.value or None)
        details.show(describe_user_report(report, app_keys(self.app)))

    # ------------------------------------------------------------------ reveal

    def action_toggle_reveal(self) -> None:
        """Show or hide both tokens in their inputs."""
        self.query_one("#reveal", Checkbox).toggle()

    @on(Checkbox.Changed, "#reveal")
    def _reveal_changed(self, event: Checkbox.Changed) -> None:
        for token_input in self.query(TokenInput):
            token_input.reveal = event.value

    # ------------------------------------------------------------------ keyring status

    @work(thread=True, exclusive=True, group="keyring-status")
    def _load_keyring_status(self) -> None:
        # A thread, because asking the keyring can block for seconds (or forever) over SSH;
        # store.keyring_status bounds it with its own timeout.
        from tui.tokens import store

        try:
            status: KeyringStatus = store.keyring_status(timeout=store.keyring_timeout())
        except Exception as exc:  # a status probe must never crash the screen
            self.app.call_from_thread(self._show_keyring, None, f"{type(exc).__name__}: {exc}")
            return
        self.app.call_from_thread(self._show_keyring, status, None)

    def _show_keyring(self, status: KeyringStatus | None, failure: str | None) -> None:
        storage = self.query_one(StorageChoice)
        if status is not None:
            storage.show_keyring_status(status)
        else:
            storage.show_keyring_failure(failure or "unknown error")

    # ------------------------------------------------------------------ check

    def action_check(self) -> None:
        """Ask Apple (or the simulation) whether the tokens as typed work."""
        developer, user = self._developer.value, self._user.value
        if not developer and not user:
            self.query_one(TokenCheckView).show_problem(
                "Enter a developer token (and a music user token) to check them.")
            return
        from tui.tokens.redact import Secret

        self._run_check(Secret(developer), Secret(user))

    @work(exclusive=True, group="token-check")
    async def _run_check(self, developer: Secret, user: Secret) -> None:
        # Secrets, not strings: this frame is on the stack during the check's requests.
        view = self.query_one(TokenCheckView)
        view.show_running()
        self.call_after_refresh(self._show_from_top, view)
        # Imported here: httpx and pydantic load only when the first check runs.
        from tui.api.errors import AmRatingsError
        from tui.backend import make_client
        from tui.tokens.check import check_tokens
        from tui.tokens.redact import redact

        try:
            client = make_client(self._config, developer.reveal(), user.reveal(),
                                 transport=self._transport)
            try:
                check = await check_tokens(client, now=self._now())
            finally:
                await client.aclose()
        except AmRatingsError as exc:
            view.show_problem(f"Could not check: {exc.one_line()}")
            return
        except Exception as exc:  # shown inline: a traceback helps nobody here
            view.show_problem("Could not check: "
                              + redact(f"{type(exc).__name__}: {exc}",
                                       (developer.reveal(), user.reveal())))
            return
        view.show_check(check)
        self.call_after_refresh(self._show_from_top, view)

    # ------------------------------------------------------------------ generate

    def action_generate(self) -> None:
        """Open the generate form and put the cursor in its first field."""
        self.query_one("#generate", Collapsible).collapsed = False
        self.call_after_refresh(self._focus_generate_form)

    def _focus_generate_form(self) -> None:
        first = self.query_one("#generate-team-id", Input)
        first.focus()
        self.query_one("#generate", Collapsible).scroll_visible(animate=False)

    @on(GenerateTokenForm.Generated)
    def _generated(self, event: GenerateTokenForm.Generated) -> None:
        self._developer.set_value(event.token)
        self._developer.input.focus()
        self._say("Generated a developer token; check it, then save to keep it.")

    # ------------------------------------------------------------------ sign in

    @on(Button.Pressed, "#login")
    def _login_pressed(self) -> None:
        self.action_login()

    def action_login(self) -> None:
        """Serve the MusicKit sign-in page on loopback and wait (in a worker) for the token."""
        if self._login is not None:
            return  # one sign-in at a time; Escape cancels the running one
        from tui.tokens.redact import Secret

        view = self.query_one(LoginView)
        # In a Secret, not a plain local: the worker below lives as long as the sign-in, and a
        # crash report prints each frame's locals.
        developer = Secret(self._developer.value)
        if not developer:
            view.show_problem("Enter or generate a developer token first: MusicKit needs it "
                              "to sign in.")
            return
        from tui.api.errors import AmRatingsError
        from tui.tokens.inspect import inspect_developer_token
        from tui.tokens.login import musickit_url

        errors = [f.message for f in inspect_developer_token(developer.reveal() or "",
                                                          now=self._now()).findings
                  if f.severity == "error"]
        if errors:
            view.show_problem("The developer token cannot work, so MusicKit would refuse it: "
                              + " ".join(errors))
            return
        try:
            script = musickit_url()
        except AmRatingsError as exc:
            view.show_problem(_sentences("Cannot sign in", exc.message, exc.hint))
            return
        self._run_login(developer, self.query_one(StorageChoice).where, script)

    @work(exclusive=True, group="token-login")
    async def _run_login(self, developer: Secret, where: str, script: str) -> None:
        from tui.api.errors import AmRatingsError
        from tui.tokens.login import (
            DEFAULT_TIMEOUT,
            LoginServer,
            duration_text,
            has_display,
            over_ssh,
            ssh_tunnel_command,
        )

        view = self.query_one(LoginView)
        factory = self._login_factory or LoginServer
        timeout = self._login_timeout or DEFAULT_TIMEOUT
        try:
            server = factory(developer.reveal() or "", _login_store(where), musickit=script,
                             notify=self._login_notice)
        except AmRatingsError as exc:
            view.show_problem(_sentences("Cannot sign in", exc.message, exc.hint))
            return
        self._login = server
        self.query_one("#login", Button).disabled = True
        server.start()
        try:
            ssh_line = ssh_tunnel_command(server.port) if over_ssh() else None
            opened = False
            if ssh_line is None and has_display():
                opened = await asyncio.to_thread(_open_browser, server.url)
            view.show_waiting(server.url, ssh_line=ssh_line, opened=opened,
                              timeout_text=duration_text(timeout))
            self.call_after_refresh(view.scroll_visible, animate=False)
            await asyncio.to_thread(server.wait, timeout)
        finally:
            # Also on cancel (Escape, leaving the screen, quitting): the server never outlives
            # the wait. Stopping joins its thread, so it happens off the event loop.
            server.cancel()
            self._login = None
            await asyncio.to_thread(server.stop)
            with contextlib.suppress(NoMatches):  # gone when the screen is closing
                self.query_one("#login", Button).disabled = False
        result = server.result
        if result is not None:
            self._login_ended(result, developer, timeout)

    def _login_notice(self, notice: LoginNotice) -> None:
        """Called from the server's threads: refusals go under the waiting lines."""
        if notice.level == "refused":
            self.app.call_from_thread(self.query_one(LoginView).add_notice, notice.message)

    def _login_ended(self, result: LoginResult, developer: Secret, timeout: float) -> None:
        from tui.tokens.login import duration_text

        view = self.query_one(LoginView)
        if result.outcome == "cancelled" or result.token is None:
            view.show_problem(f"No music user token arrived within {duration_text(timeout)}; the "
                              "sign-in page is closed. Sign in again to retry.")
            return
        if result.outcome == "store_failed":
            error = result.error
            reason = (_sentences("it was not stored", error.message, error.hint)
                      if error is not None else "it was not stored.")
            view.show_problem(f"The music user token {result.fingerprint} arrived, but "
                              f"{reason}")
            return
        source = "session" if result.stored_in == _SESSION_ONLY else (
            "file" if result.stored_in and result.stored_in.startswith("the token file")
            else "keyring")
        self._user.replace(result.token, source)
        view.show_done(f"Signed in: the music user token {result.fingerprint} is kept in "
                       f"{result.stored_in}.")
        sources = {} if source == "session" else {"user": source}
        pair = self._pair(self._developer.value, result.token, sources)
        self.app.post_message(TokensChanged(pair, source))
        from tui.tokens.redact import Secret

        self._run_login_check(developer, Secret(result.token))

    @work(exclusive=True, group="token-check")
    async def _run_login_check(self, developer: Secret, user: Secret) -> None:
        """The token check's second step (GET /v1/me/storefront) with the new token (held as
        Secrets: this frame is on the stack during the request)."""
        view = self.query_one(TokenCheckView)
        view.show_running("Checking the new music user token with Apple Music…")
        from tui.api.errors import AmRatingsError
        from tui.backend import make_client
        from tui.tokens.check import TokenCheck, check_music_user_token

        try:
            client = make_client(self._config, developer.reveal(), user.reveal(),
                                 transport=self._transport)
            try:
                step = await check_music_user_token(client)
            finally:
                await client.aclose()
        except AmRatingsError as exc:
            view.show_problem(f"Could not check: {exc.one_line()}")
            return
        view.show_check(TokenCheck([step]))
        self.call_after_refresh(self._show_from_top, self.query_one(LoginView))

    def _cancel_login(self) -> bool:
        """Stop a running sign-in; True when there was one."""
        server = self._login
        if server is None:
            return False
        server.cancel()
        self.workers.cancel_group(self, "token-login")
        self.query_one(LoginView).show_problem("Sign-in cancelled; the sign-in page is closed.")
        return True

    def on_unmount(self) -> None:
        # A backstop: the worker's cleanup stops the server, but never leave one behind.
        if self._login is not None:
            self._login.stop()

    # ------------------------------------------------------------------ save and leave

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#check")
    def _check_pressed(self) -> None:
        self.action_check()

    @on(Button.Pressed, "#back")
    def _back_pressed(self) -> None:
        self.action_back()

    def action_save(self) -> None:
        """Keep the tokens where the user chose, tell the app, and leave."""
        if self._saving:
            return  # a keyring write is under way; a second one would dismiss twice
        developer, user = self._developer.value, self._user.value
        if not developer and not user:
            self._say("Enter a developer token or a music user token first.", error=True)
            return
        where = self.query_one(StorageChoice).where
        if where == "session":
            self._finish(developer, user, {}, where)
            return
        to_store = [(kind, value) for kind, value in (("developer", developer), ("user", user))
                    if value and self._needs_storing(kind, value)]
        self._saving = True
        self._say(f"Saving to the {where}…")
        self._save_persistently(to_store, developer, user, where)

    @work(thread=True, exclusive=True, group="token-save")
    def _save_persistently(self, to_store: list[tuple[str, str]], developer: str, user: str,
                           where: str) -> None:
        # A thread: keyring writes can block as long as reads, and file writes touch the disk.
        # Only plain values cross into it; widgets are read and changed on the event loop.
        from tui.api.errors import AmRatingsError
        from tui.tokens import store

        sources: dict[str, str] = {}
        for kind, value in to_store:
            try:
                saved = store.save_token(kind, value, where,  # type: ignore[arg-type]
                                         timeout=store.keyring_timeout())
                sources[kind] = str(saved)
            except AmRatingsError as exc:
                # Nothing is posted: the app keeps its tokens until a save fully succeeds.
                hint = in_app(exc.hint, app_keys(self.app), in_token_setup=True) \
                    if exc.hint else None
                self.app.call_from_thread(self._save_failed,
                                          _sentences("Not saved", exc.message, hint))
                return
        self.app.call_from_thread(self._finish, developer, user, sources, where)

    def _save_failed(self, message: str) -> None:
        self._saving = False
        self._say(message, error=True)

    def _needs_storing(self, kind: str, value: str) -> bool:
        """Edited tokens, and tokens that only lived in this session, go to the chosen store."""
        field = self._developer if kind == "developer" else self._user
        return value != field.initial_value or (field.initial_source or "none") not in _KEEP_AS_IS

    def _pair(self, developer: str, user: str, sources: dict[str, str]) -> TokenPair:
        """The pair to hand the app: ``sources`` says where each kind was just stored."""
        from tui.tokens.store import StoredToken, TokenPair, TokenSource

        def one(kind: TokenKind, field: TokenInput, value: str) -> StoredToken:
            if not value:
                return StoredToken(kind, None, TokenSource.NONE)
            if kind in sources:
                return StoredToken(kind, value, TokenSource(sources[kind]))
            source = field.initial_source or "none"
            if value == field.initial_value and source in _KEEP_AS_IS:
                return StoredToken(kind, value, TokenSource(source))
            # Typed here and not persisted: it lives as long as this run.
            return StoredToken(kind, value, TokenSource.SESSION)

        return TokenPair(one("developer", self._developer, developer),
                         one("user", self._user, user))

    def _finish(self, developer: str, user: str, sources: dict[str, str], where: str) -> None:
        pair = self._pair(developer, user, sources)
        # Posted to the app, not bubbled from this screen: the screen is about to close, and
        # a message still in its queue would be lost with it.
        self.app.post_message(TokensChanged(pair, where))
        self.dismiss(pair)

    def action_back(self) -> None:
        """Cancel a running sign-in; otherwise leave without saving."""
        if self._cancel_login():
            return
        self.dismiss(None)

    # ------------------------------------------------------------------ helpers

    @property
    def _developer(self) -> TokenInput:
        return self.query_one("#developer-token", TokenInput)

    @property
    def _user(self) -> TokenInput:
        return self.query_one("#user-token", TokenInput)

    def _now(self) -> float:
        return self._clock() if self._clock is not None else time.time()

    def _start_values(self) -> tuple[tuple[str, str | None], tuple[str, str | None]]:
        if self._tokens is None:
            return ("", None), ("", None)
        return ((self._tokens.developer.value or "", self._tokens.developer.source.value),
                (self._tokens.user.value or "", self._tokens.user.source.value))

    def _show_from_top(self, widget: Widget) -> None:
        """Scroll so ``widget`` starts at the top: results are read from their first line."""
        self.query_one("#token-setup-body", VerticalScroll).scroll_to_widget(
            widget, top=True, animate=False)

    def _say(self, message: str | None, *, error: bool = False) -> None:
        """An inline message under the buttons (never only a toast); None clears it."""
        label = self.query_one("#token-setup-message", Static)
        label.update(safe_content(message or ""))  # may quote a keyring error or a path
        label.set_class(not message, "-empty")
        label.set_class(error, "-error")


def _token_file_label() -> str:
    """The token file path, with the home directory shortened to ``~``."""
    try:
        from tui.tokens.store import token_file_path

        path = token_file_path()
    except OSError:
        return "tokens.json"
    try:
        return "~/" + str(Path(path).relative_to(Path.home()))
    except ValueError:
        return str(path)


#: Where a signed-in token is kept when the user chose "this session only".
_SESSION_ONLY = "this session only (nothing was written)"


def _login_store(where: str) -> Callable[[str], str]:
    """What the sign-in server calls (in its thread) with the token: store it where the user
    chose on the screen, as ``token set user`` would; say where it went."""

    def store(token: str) -> str:
        if where not in ("keyring", "file"):
            return _SESSION_ONLY
        from tui.tokens import store as token_store

        token_store.save_token("user", token, "file" if where == "file" else "keyring",
                               timeout=token_store.keyring_timeout())
        return "the keyring" if where == "keyring" else f"the token file ({_token_file_label()})"

    return store


def _open_browser(url: str) -> bool:
    """Open ``url`` in the local browser (in a thread: it may take a moment)."""
    import webbrowser

    try:
        return bool(webbrowser.open(url))
    except Exception:  # a broken BROWSER setting must not end the sign-in
        return False


def _sentences(lead: str, message: str, hint: str | None) -> str:
    """"Not saved: keyring unavailable: locked. Unlock it, or …" from an error's parts."""
    text = f"{lead}: {message.rstrip('.')}."
    if hint:
        text += f" {hint[0].upper()}{hint[1:].rstrip('.')}."
    return text
