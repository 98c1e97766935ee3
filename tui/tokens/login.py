"""Sign in with Apple Music from the terminal: a loopback page that asks MusicKit JS for a music
user token and posts it back.

Only MusicKit issues music user tokens; on the web, MusicKit JS in a page that knows the
developer token. :class:`LoginServer` is that page's server. It receives a secret, so:

- it listens on 127.0.0.1 only, and answers 404 to every request outside a path made of an
  unguessable secret (``/<secret>/``, ``/<secret>/login.js``, ``/<secret>/token``);
- the token post must carry the page's one-time nonce and a same-origin ``Origin`` (or none);
  anything else is 403 and nothing is stored;
- only the first valid post is taken: its token is stored (through the ``store`` callable the
  caller gives), the page is told "done", and :meth:`LoginServer.wait` returns so the owner
  stops the server; it also stops after a timeout or on cancel, and as a context manager it
  never outlives its ``with`` block;
- a body over :data:`MAX_BODY` bytes, a body that is not JSON and a token that does not look
  like a music user token are refused with a clear message, on the page and to ``notify``;
- the page (which holds the developer token, as MusicKit needs it) goes out with
  ``Cache-Control: no-store``, ``Referrer-Policy: no-referrer`` and a Content-Security-Policy
  that allows scripts only from itself and MusicKit's host;
- the music user token is never logged or put in a URL: messages name its fingerprint.

No textual here: the CLI (``amratings token login``) and the token setup screen both drive it.
"""

from __future__ import annotations

import hmac
import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import urlsplit

from tui.api.errors import AmRatingsError, ConfigurationError
from tui.tokens.redact import fingerprint, redact

#: Where MusicKit JS v3 lives (Apple's CDN).
MUSICKIT_URL = "https://js-cdn.music.apple.com/musickit/v3/musickit.js"
#: For tests only: load a stand-in MusicKit script from this URL instead of Apple's CDN (https,
#: or http to a loopback address). The page's CSP then allows that script's origin as well.
MUSICKIT_URL_ENV = "AMRATINGS_MUSICKIT_URL"
#: How long the server waits for the browser by default (``--timeout``), in seconds.
DEFAULT_TIMEOUT = 300.0
#: The largest token post accepted, in bytes (a music user token is a few hundred characters).
MAX_BODY = 16 * 1024
#: The name MusicKit shows on Apple's sign-in sheet.
APP_NAME = "amratings"
#: The only address the server listens on.
HOST = "127.0.0.1"

#: Characters a music user token is made of (base64, URL-safe base64, and a few separators).
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9+/=._~-]+")
_MIN_TOKEN, _MAX_TOKEN = 16, 4096
#: An oversize body up to this size is read and dropped before the refusal is sent.
_DRAIN_LIMIT = 1024 * 1024
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: What a login name and an IP address may be made of, to be put in the printed ssh line.
_LOGIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}")
_IP_ADDRESS = re.compile(r"[0-9A-Fa-f.:]{2,45}")

Outcome = Literal["stored", "store_failed", "cancelled"]


@dataclass(frozen=True)
class LoginNotice:
    """Something the person at the terminal should see while the server runs.

    ``level``: "refused" (a request was turned away; ``message`` says why) or "info".
    Never contains a token: a received token is named by its fingerprint.
    """

    level: Literal["refused", "info"]
    message: str


@dataclass(frozen=True)
class LoginResult:
    """How the login ended.

    - ``outcome``: "stored" (``token`` arrived and ``stored_in`` says where it went),
      "store_failed" (it arrived but could not be stored: ``error``) or "cancelled" (stopped
      before any token: cancel, timeout, the owner leaving).
    - ``token``: the music user token (keep it out of any output; show ``fingerprint``).
    """

    outcome: Outcome
    token: str | None = None
    stored_in: str | None = None
    error: AmRatingsError | None = None

    def __repr__(self) -> str:
        shown = fingerprint(self.token) if self.token else None
        return (f"LoginResult(outcome={self.outcome!r}, token={shown!r}, "
                f"stored_in={self.stored_in!r}, error={self.error!r})")

    @property
    def fingerprint(self) -> str | None:
        """The token's fingerprint (``sha256:1a2b3c4d``), or None."""
        return fingerprint(self.token) if self.token else None


class LoginRefused(AmRatingsError):
    """A token post the server turned away (shown on the page and to ``notify``)."""

    exit_code = 1
    kind = "Sign-in refused"

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message, status=status)


def musickit_url(environ: Mapping[str, str] | None = None) -> str:
    """The MusicKit JS URL: Apple's, or :data:`MUSICKIT_URL_ENV` when set (tests).

    Raises :class:`~tui.api.errors.ConfigurationError` when the override is neither https nor
    http to a loopback address (a script from anywhere else would see both tokens).
    """
    raw = ((os.environ if environ is None else environ).get(MUSICKIT_URL_ENV) or "").strip()
    if not raw:
        return MUSICKIT_URL
    parts = urlsplit(raw)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host:
        return raw
    if parts.scheme == "http" and host in _LOOPBACK_HOSTS:
        return raw
    raise ConfigurationError(
        f"{MUSICKIT_URL_ENV} must be an https URL, or http to a loopback address",
        hint=f"unset {MUSICKIT_URL_ENV} to load MusicKit JS from Apple ({MUSICKIT_URL})")


def script_origin(url: str) -> str:
    """``scheme://host[:port]`` of a script URL, for the CSP."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(musickit: str) -> str:
    """Scripts only from the page itself and MusicKit's host (plus an overriding test host)."""
    sources = ["'self'", script_origin(MUSICKIT_URL)]
    if script_origin(musickit) not in sources:
        sources.append(script_origin(musickit))
    return (f"script-src {' '.join(sources)}; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'none'")


def token_problem(token: object, developer_token: str | None = None) -> str | None:
    """Why ``token`` does not look like a music user token, or None when it does.

    Music user tokens are opaque base64-like strings of a few hundred characters; a JWT (a
    developer token or a Sign in with Apple identity token), whitespace, markup or an empty
    string means something went wrong in the page.
    """
    if not isinstance(token, str) or not token:
        return "no music user token in the request"
    if len(token) < _MIN_TOKEN:
        return f"too short for a music user token ({len(token)} characters)"
    if len(token) > _MAX_TOKEN:
        return f"too long for a music user token ({len(token)} characters)"
    if not _TOKEN_CHARS.fullmatch(token):
        return ("it contains characters a music user token never has (spaces, quotes, markup "
                "or control characters)")
    if developer_token and token == developer_token.strip():
        return "it is the developer token, not a music user token"
    if token.startswith("eyJ") and token.count(".") == 2:
        return ("it is a JWT; music user tokens are opaque (a developer token or a Sign in "
                "with Apple identity token was sent)")
    return None


def ssh_tunnel_command(port: int, environ: Mapping[str, str] | None = None,
                       user: str | None = None) -> str | None:
    """``ssh -L PORT:127.0.0.1:PORT user@host`` to run on the laptop, or None when not over SSH.

    The host is the address the SSH client connected to (``SSH_CONNECTION``'s third field);
    a server port other than 22 is passed with ``-p``. These come from the environment, so
    each part is used only when it has the shape it should (a login name, an IP address, a
    port number); otherwise a placeholder (``USER``, ``HOST``) says what to fill in.
    """
    env = os.environ if environ is None else environ
    fields = (env.get("SSH_CONNECTION") or "").split()
    if not fields:
        return None
    if user is None:
        user = env.get("USER") or env.get("LOGNAME") or ""
    if not user:
        import getpass

        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = ""
    if not _LOGIN_NAME.fullmatch(user):
        user = "USER"
    # SSH_CONNECTION is "client-ip client-port server-ip server-port".
    server = fields[2] if len(fields) >= 4 and _IP_ADDRESS.fullmatch(fields[2]) else "HOST"
    ssh_port = fields[3] if len(fields) >= 4 and fields[3].isascii() else "22"
    extra = f" -p {ssh_port}" if ssh_port.isdigit() and ssh_port != "22" else ""
    return f"ssh -L {port}:{HOST}:{port}{extra} {user}@{server}"


def duration_text(seconds: float) -> str:
    """How long the server waits, for people: "5 minutes", "90 s"."""
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute" + ("s" if minutes != 1 else "")
    return f"{seconds:g} s"


def over_ssh(environ: Mapping[str, str] | None = None) -> bool:
    """True when this process runs in an SSH session (``SSH_CONNECTION`` set)."""
    return bool(((os.environ if environ is None else environ).get("SSH_CONNECTION") or "").strip())


def has_display(environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """True when a local browser can be shown: always on macOS and Windows, with ``DISPLAY``
    or ``WAYLAND_DISPLAY`` elsewhere."""
    import sys

    env = os.environ if environ is None else environ
    name = platform or sys.platform
    if name == "darwin" or name.startswith("win"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # A port given with --port may be in TIME_WAIT from a previous run.
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a browser hanging up mid-request is not worth a traceback on the terminal


class LoginServer:
    """The loopback server for one sign-in. Start it, show :attr:`url`, :meth:`wait`, stop.

    - ``developer_token``: put in the page for MusicKit.
    - ``store``: called once, with the first valid token, in a server thread; returns where it
      went ("the keyring") or raises :class:`~tui.api.errors.AmRatingsError`.
    - ``port``: 0 for a free one. ``secret``, ``nonce``: random unless given (tests pin them).
    - ``musickit``: the MusicKit JS URL (:func:`musickit_url`).
    - ``notify``: told about refusals and arrivals, from server threads.

    Use it as a context manager (``with LoginServer(...) as server:``) so it always stops.
    """

    def __init__(
        self,
        developer_token: str,
        store: Callable[[str], str],
        *,
        port: int = 0,
        app_name: str = APP_NAME,
        app_build: str = "1.0",
        musickit: str = MUSICKIT_URL,
        secret: str | None = None,
        nonce: str | None = None,
        notify: Callable[[LoginNotice], None] | None = None,
        max_body: int = MAX_BODY,
    ) -> None:
        self._developer_token = developer_token
        self._store = store
        self._app_name = app_name
        self._app_build = app_build
        self._musickit = musickit
        self.secret = secret or secrets.token_urlsafe(24)
        self._nonce = nonce or secrets.token_urlsafe(24)
        self._notify = notify
        self._max_body = max_body
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._result: LoginResult | None = None
        self._stopped = False
        try:
            self._server = _Server((HOST, port), self._handler_class())
        except OSError as exc:
            raise LoginStartError(port, exc) from None
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name="amratings-login", daemon=True)

    # ------------------------------------------------------------------ life cycle

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT``: the page's origin, the only ``Origin`` a post may carry."""
        return f"http://{HOST}:{self.port}"

    @property
    def url(self) -> str:
        """The page: ``http://127.0.0.1:PORT/<secret>/`` (no token in it, ever)."""
        return f"{self.origin}/{self.secret}/"

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._thread.is_alive() and not self._stopped

    def start(self) -> LoginServer:
        """Serve in a daemon thread (it cannot keep the process alive)."""
        self._thread.start()
        return self

    def wait(self, timeout: float | None = DEFAULT_TIMEOUT) -> LoginResult | None:
        """Block until a token was taken (or failed to store) or :meth:`cancel`; None when
        ``timeout`` seconds pass first. The server keeps running until :meth:`stop`."""
        self._done.wait(timeout)
        return self._result

    @property
    def result(self) -> LoginResult | None:
        """How it ended so far; after :meth:`stop` never None (a token that made it before
        the stop wins over the stop's "cancelled")."""
        return self._result

    def cancel(self) -> None:
        """End the wait as "cancelled" (unless a token was already taken)."""
        with self._lock:
            if self._result is None:
                self._result = LoginResult("cancelled")
            self._done.set()

    def stop(self) -> None:
        """Cancel if still waiting, stop serving and close the socket. Safe to call twice."""
        self.cancel()
        if self._stopped:
            return
        self._stopped = True
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> LoginServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ the requests

    def _say(self, level: Literal["refused", "info"], message: str) -> None:
        if self._notify is not None:
            self._notify(LoginNotice(level, message))

    def _page(self) -> bytes:
        from tui.tokens.login_page import render_page

        return render_page(developer_token=self._developer_token,
                           developer_fingerprint=fingerprint(self._developer_token),
                           app_name=self._app_name, app_build=self._app_build,
                           nonce=self._nonce, musickit_url=self._musickit).encode("utf-8")

    def _receive(self, origin: str | None, length: str | None,
                 read: Callable[[int], bytes]) -> tuple[int, str]:
        """Judge one token post; returns the HTTP status and the message for the page."""
        if origin is not None and origin != self.origin:
            raise LoginRefused(403, f"refused a token post from another origin ({origin!r}); "
                                    "nothing was stored")
        try:
            size = int(length) if length is not None else -1
        except ValueError:
            size = -1
        if size < 0:
            raise LoginRefused(411, "refused a token post without a valid Content-Length; "
                                    "nothing was stored")
        if size > self._max_body:
            # Read (and drop) a bounded amount, so closing does not reset the connection
            # before the browser has read the refusal; a huge body is simply cut off.
            if size <= _DRAIN_LIMIT:
                read(size)
            raise LoginRefused(413, f"refused a token post of {size} bytes (the limit is "
                                    f"{self._max_body}); nothing was stored")
        body = read(size)
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise LoginRefused(400, "refused a token post that is not JSON; nothing was "
                                    "stored") from None
        if not isinstance(data, dict):
            raise LoginRefused(400, "refused a token post that is not a JSON object; nothing "
                                    "was stored")
        nonce = data.get("nonce")
        with self._lock:
            if (not isinstance(nonce, str)
                    or not hmac.compare_digest(nonce.encode(), self._nonce.encode())
                    or self._result is not None):
                why = ("the sign-in is already over" if self._result is not None
                       else "without this page's one-time nonce")
                raise LoginRefused(403, f"refused a token post {why}; nothing was stored")
            token = data.get("token")
            problem = token_problem(token, self._developer_token)
            if problem is not None:
                raise LoginRefused(400, "refused the token the page sent: "
                                        f"{redact(problem, [str(token)])}; nothing was stored")
            assert isinstance(token, str)
            try:
                where = self._store(token)
            except AmRatingsError as exc:
                self._result = LoginResult("store_failed", token=token, error=exc)
                message = redact(exc.one_line(), [token, self._developer_token])
                hint = f" ({exc.hint})" if exc.hint else ""
                # Not told to notify: the owner reports the result's error itself.
                return 500, (f"The music user token arrived but could not be stored: "
                             f"{message}.{hint} See the terminal.")
            self._result = LoginResult("stored", token=token, stored_in=where)
        self._say("info", f"received the music user token {fingerprint(token)}; stored it in "
                          f"{where}")
        return 200, (f"Done: the music user token ({fingerprint(token)}) is stored in {where}. "
                     "You can close this tab.")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        login = self

        class Handler(BaseHTTPRequestHandler):
            # One request per connection: nothing lingers once the sign-in is over.
            protocol_version = "HTTP/1.0"
            #: A connection that sends nothing is dropped after this many seconds.
            timeout = 10

            def version_string(self) -> str:
                return "amratings"  # no Python version for whoever probes the port

            def log_message(self, format: str, *args: Any) -> None:
                pass  # request lines carry the secret path; nothing is logged

            def _route(self) -> str | None:
                """"page", "script" or "token" for a path under the secret, else None."""
                path = self.path.split("?", 1)[0].split("#", 1)[0]
                parts = path.split("/")
                if len(parts) < 2 or not hmac.compare_digest(parts[1].encode(),
                                                              login.secret.encode()):
                    return None
                if len(parts) == 2:
                    return "bare"
                return {"": "page", "login.js": "script", "token": "token"}.get(
                    "/".join(parts[2:]))

            def _send(self, status: int, body: bytes, content_type: str,
                      extra: Mapping[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("Referrer-Policy", "no-referrer")
                self.send_header("X-Content-Type-Options", "nosniff")
                self.send_header("Content-Security-Policy",
                                 content_security_policy(login._musickit))
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                self.wfile.flush()

            def _json(self, status: int, message: str) -> None:
                body = json.dumps({"ok": status == 200, "message": message}).encode()
                self._send(status, body, "application/json")

            def _not_found(self) -> None:
                self._send(404, b"Not found\n", "text/plain; charset=utf-8")

            def do_GET(self) -> None:
                route = self._route()
                if route == "page":
                    self._send(200, login._page(), "text/html; charset=utf-8")
                elif route == "script":
                    from tui.tokens.login_page import LOGIN_SCRIPT

                    self._send(200, LOGIN_SCRIPT.encode(), "text/javascript; charset=utf-8")
                elif route == "bare":
                    self._send(308, b"", "text/plain", {"Location": f"/{login.secret}/"})
                elif route == "token":
                    self._send(405, b"POST only\n", "text/plain", {"Allow": "POST"})
                else:
                    self._not_found()

            def do_POST(self) -> None:
                route = self._route()
                if route != "token":
                    self._not_found()
                    return
                try:
                    status, message = login._receive(
                        self.headers.get("Origin"), self.headers.get("Content-Length"),
                        self.rfile.read)
                except LoginRefused as refused:
                    login._say("refused", refused.message)
                    self._json(refused.status or 400, _sentence(refused.message))
                    return
                except OSError:
                    return  # the browser went away mid-body: nothing was stored
                self._json(status, message)
                # Only now, with the answer on its way: the owner stops the server next.
                login._done.set()

            def _other(self) -> None:
                if self._route() is None:
                    self._not_found()
                else:
                    self._send(405, b"Method not allowed\n", "text/plain",
                               {"Allow": "GET" if self._route() != "token" else "POST"})

            do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _other

        return Handler


class LoginStartError(AmRatingsError):
    """The server could not listen (the port given with ``--port`` is taken, say)."""

    exit_code = 1
    kind = "Sign-in server not started"

    def __init__(self, port: int, exc: OSError) -> None:
        where = f"port {port}" if port else "a free port"
        super().__init__(f"cannot listen on {HOST}, {where}: {exc.strerror or exc}",
                         hint="choose another port with --port, or leave it out for a free one"
                         if port else None)


def _sentence(text: str) -> str:
    """"Refused a token post …." with a capital and a full stop, for the page."""
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."
