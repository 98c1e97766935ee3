"""The sign-in server (``tui/tokens/login.py``) over real sockets, without a browser: what it
serves, what it refuses, when it stops. The browser side is in tests/cli/test_login_browser.py."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tui.api.errors import ConfigurationError
from tui.tokens.login import (
    MUSICKIT_URL,
    MUSICKIT_URL_ENV,
    LoginNotice,
    LoginServer,
    LoginStartError,
    content_security_policy,
    has_display,
    musickit_url,
    ssh_tunnel_command,
    token_problem,
)
from tui.tokens.redact import fingerprint
from tui.tokens.store import TokenStoreError

DEV = "FAKE-DEV-TOKEN-LEAKCHECK-0123456789abcdef"
USER = "FAKE-MUSIC-USER-TOKEN-LEAKCHECK-0123456789abcdef"
SECRET = "test-secret-path-0123456789"
NONCE = "test-nonce-0123456789"


class Recorder:
    """The store callable and notify callable a server is given, recording every call."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.stored: list[str] = []
        self.notices: list[LoginNotice] = []
        self.fail = fail

    def store(self, token: str) -> str:
        if self.fail is not None:
            raise self.fail
        self.stored.append(token)
        return "the test store"

    def notify(self, notice: LoginNotice) -> None:
        self.notices.append(notice)


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def server(rec: Recorder) -> Iterator[LoginServer]:
    with LoginServer(DEV, rec.store, secret=SECRET, nonce=NONCE, notify=rec.notify) as running:
        yield running


def request(server: LoginServer, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        conn.close()


def post(server: LoginServer, payload: Any, *, origin: str | None = "same",
         raw: bytes | None = None) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if origin == "same":
        headers["Origin"] = server.origin
    elif origin is not None:
        headers["Origin"] = origin
    body = raw if raw is not None else json.dumps(payload).encode()
    status, _, answer = request(server, "POST", f"/{SECRET}/token", body, headers)
    return status, json.loads(answer)["message"]


def refused(rec: Recorder) -> list[str]:
    return [n.message for n in rec.notices if n.level == "refused"]


# ---------------------------------------------------------------------- what it serves


def test_listens_on_loopback_only_with_the_secret_in_the_url(server: LoginServer) -> None:
    assert server._server.server_address[0] == "127.0.0.1"
    assert server.url == f"http://127.0.0.1:{server.port}/{SECRET}/"
    assert server.origin == f"http://127.0.0.1:{server.port}"


def test_random_secret_and_nonce_are_long_and_differ_per_server(rec: Recorder) -> None:
    with LoginServer(DEV, rec.store) as one, LoginServer(DEV, rec.store) as two:
        assert len(one.secret) >= 32 and one.secret != two.secret
        assert one._nonce != two._nonce and len(one._nonce) >= 32
        assert one.port != two.port


def test_the_page_carries_token_name_and_nonce_with_protective_headers(
        server: LoginServer) -> None:
    status, headers, body = request(server, "GET", f"/{SECRET}/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["server"] == "amratings"
    assert headers["cache-control"] == "no-store"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["content-security-policy"].startswith(
        "script-src 'self' https://js-cdn.music.apple.com;")
    page = body.decode()
    assert f'data-developer-token="{DEV}"' in page
    assert 'data-app-name="amratings"' in page and f'data-nonce="{NONCE}"' in page
    assert f'<script src="{MUSICKIT_URL}"></script>' in page
    assert '<script src="login.js"></script>' in page
    # No inline script: the CSP would block it, and it would need 'unsafe-inline'.
    assert page.count("<script") == 2 and "<script>" not in page
    status, headers, script = request(server, "GET", f"/{SECRET}/login.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert b"MusicKit.configure" in script and b"authorize()" in script
    assert headers["cache-control"] == "no-store"


def test_the_page_escapes_what_it_embeds(rec: Recorder) -> None:
    with LoginServer('"><script>alert(1)</script>', rec.store, app_name="a<b>&\"c",
                     secret=SECRET) as server:
        page = request(server, "GET", f"/{SECRET}/")[2].decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert 'data-app-name="a&lt;b&gt;&amp;&quot;c"' in page


def test_without_the_secret_path_everything_is_404(server: LoginServer, rec: Recorder) -> None:
    for method, path in [("GET", "/"), ("GET", "/token"), ("GET", "/login.js"),
                         ("GET", f"/{SECRET[:-1]}/"), ("GET", f"/{SECRET}x/"),
                         ("GET", f"/x/{SECRET}/"), ("GET", "/favicon.ico"),
                         ("POST", "/token"), ("POST", f"/{SECRET[:-1]}/token"),
                         ("PUT", "/"), ("DELETE", "/x"), ("OPTIONS", "/token"),
                         ("HEAD", "/")]:
        body = json.dumps({"nonce": NONCE, "token": USER}).encode() if method == "POST" else None
        status, _, _ = request(server, method, path, body,
                               {"Origin": server.origin} if body else None)
        assert status == 404, (method, path)
    assert rec.stored == []


def test_secret_without_trailing_slash_redirects_to_the_page(server: LoginServer) -> None:
    status, headers, _ = request(server, "GET", f"/{SECRET}")
    assert status == 308 and headers["location"] == f"/{SECRET}/"


# ---------------------------------------------------------------------- the token post


def test_the_first_valid_post_is_stored_and_ends_the_wait(server: LoginServer,
                                                          rec: Recorder) -> None:
    assert server.wait(0) is None
    status, message = post(server, {"nonce": NONCE, "token": USER})
    assert status == 200
    assert message == (f"Done: the music user token ({fingerprint(USER)}) is stored in the test "
                       "store. You can close this tab.")
    assert USER not in message
    assert rec.stored == [USER]
    result = server.wait(5)
    assert result is not None and result.outcome == "stored" and result.token == USER
    assert result.stored_in == "the test store"
    assert USER not in repr(result) and fingerprint(USER) in repr(result)
    assert [n.message for n in rec.notices] == [
        f"received the music user token {fingerprint(USER)}; stored it in the test store"]


def test_a_post_without_origin_is_accepted(server: LoginServer, rec: Recorder) -> None:
    assert post(server, {"nonce": NONCE, "token": USER}, origin=None)[0] == 200
    assert rec.stored == [USER]


def test_a_second_post_is_refused_even_with_the_nonce(server: LoginServer, rec: Recorder) -> None:
    assert post(server, {"nonce": NONCE, "token": USER})[0] == 200
    status, message = post(server, {"nonce": NONCE, "token": USER + "X"})
    assert status == 403
    assert message == "Refused a token post the sign-in is already over; nothing was stored."
    assert rec.stored == [USER]
    assert server.result is not None and server.result.token == USER


@pytest.mark.parametrize("nonce", ["wrong", "", None, NONCE + "x", 12])
def test_a_wrong_or_missing_nonce_is_403(server: LoginServer, rec: Recorder,
                                         nonce: Any) -> None:
    payload = {"token": USER} if nonce is None else {"nonce": nonce, "token": USER}
    status, message = post(server, payload)
    assert status == 403
    assert "without this page's one-time nonce; nothing was stored" in message
    assert rec.stored == [] and server.wait(0) is None
    assert refused(rec) == ["refused a token post without this page's one-time nonce; "
                            "nothing was stored"]


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://localhost:1",
                                    "https://127.0.0.1", "http://127.0.0.1"])
def test_a_foreign_origin_is_403(server: LoginServer, rec: Recorder, origin: str) -> None:
    status, message = post(server, {"nonce": NONCE, "token": USER}, origin=origin)
    assert status == 403 and "from another origin" in message
    assert rec.stored == []
    # The server is still waiting for the real page.
    assert post(server, {"nonce": NONCE, "token": USER})[0] == 200


def test_an_oversize_body_is_413_and_not_parsed(server: LoginServer, rec: Recorder) -> None:
    big = json.dumps({"nonce": NONCE, "token": USER, "pad": "x" * 20_000}).encode()
    status, message = post(server, None, raw=big)
    assert status == 413
    assert message.startswith(f"Refused a token post of {len(big)} bytes (the limit is 16384)")
    assert rec.stored == [] and refused(rec)


def test_a_huge_declared_length_is_refused_without_reading(server: LoginServer,
                                                           rec: Recorder) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(f"POST /{SECRET}/token HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999"
                     "\r\n\r\n".encode())
        answer = sock.recv(65536).decode()
    assert answer.startswith("HTTP/1.0 413")
    assert rec.stored == []


def test_a_body_that_is_not_json_is_400(server: LoginServer, rec: Recorder) -> None:
    status, message = post(server, None, raw=b"token=" + USER.encode())
    assert status == 400 and message == "Refused a token post that is not JSON; nothing was stored."
    assert post(server, None, raw=b"\xff\xfe")[0] == 400
    assert post(server, [NONCE, USER])[1].endswith("not a JSON object; nothing was stored.")
    assert rec.stored == []


@pytest.mark.parametrize(("token", "why"), [
    ("", "no music user token in the request"),
    (None, "no music user token in the request"),
    (12345, "no music user token in the request"),
    ("short", "too short"),
    ("A" * 5000, "too long"),
    ("has spaces in it 0123456789", "characters a music user token never has"),
    ("<img src=x onerror=alert(1)>0123456789", "characters a music user token never has"),
    (DEV, "it is the developer token"),
    ("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl", "it is a JWT"),
])
def test_a_token_that_does_not_look_like_one_is_refused_and_the_wait_goes_on(
        server: LoginServer, rec: Recorder, token: Any, why: str) -> None:
    status, message = post(server, {"nonce": NONCE, "token": token})
    assert status == 400
    assert message.startswith("Refused the token the page sent: ") and why in message
    assert message.endswith("nothing was stored.")
    assert rec.stored == [] and server.wait(0) is None
    assert why in refused(rec)[0]
    # The nonce is still good: the page can try again.
    assert post(server, {"nonce": NONCE, "token": USER})[0] == 200


def test_a_store_failure_is_told_to_page_and_terminal_and_ends_the_wait() -> None:
    rec = Recorder(fail=TokenStoreError("keyring unavailable: locked", hint="use --file"))
    with LoginServer(DEV, rec.store, secret=SECRET, nonce=NONCE, notify=rec.notify) as server:
        status, message = post(server, {"nonce": NONCE, "token": USER})
        result = server.wait(5)
    assert status == 500
    assert message == ("The music user token arrived but could not be stored: keyring "
                       "unavailable: locked. (use --file) See the terminal.")
    assert result is not None and result.outcome == "store_failed"
    assert result.token == USER and result.error is not None
    assert result.error.message == "keyring unavailable: locked"
    assert rec.notices == []  # the owner reports result.error itself


# ---------------------------------------------------------------------- stopping


def test_stop_closes_the_port_and_cancels_the_wait(rec: Recorder) -> None:
    server = LoginServer(DEV, rec.store, secret=SECRET).start()
    port = server.port
    assert request(server, "GET", f"/{SECRET}/")[0] == 200
    server.stop()
    result = server.wait(0)
    assert result is not None and result.outcome == "cancelled"
    assert not server.running
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    server.stop()  # twice is fine


def test_a_token_taken_before_the_stop_wins_over_it(server: LoginServer) -> None:
    assert post(server, {"nonce": NONCE, "token": USER})[0] == 200
    server.stop()
    assert server.result is not None and server.result.outcome == "stored"


def test_the_with_block_stops_it_even_on_an_error(rec: Recorder) -> None:
    with pytest.raises(RuntimeError), LoginServer(DEV, rec.store) as server:
        port = server.port
        raise RuntimeError
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_a_taken_port_is_a_clear_error(server: LoginServer, rec: Recorder) -> None:
    with pytest.raises(LoginStartError) as caught:
        LoginServer(DEV, rec.store, port=server.port)
    assert f"cannot listen on 127.0.0.1, port {server.port}" in caught.value.message
    assert caught.value.hint and "--port" in caught.value.hint


def test_a_silent_connection_does_not_hold_the_stop(rec: Recorder) -> None:
    server = LoginServer(DEV, rec.store).start()
    with socket.create_connection(("127.0.0.1", server.port), timeout=2):
        server.stop()
    assert not server.running


# ---------------------------------------------------------------------- helpers


def test_musickit_url_override_must_be_https_or_loopback_http() -> None:
    assert musickit_url({}) == MUSICKIT_URL
    assert musickit_url({MUSICKIT_URL_ENV: "http://127.0.0.1:9/mk.js"}) == "http://127.0.0.1:9/mk.js"
    assert musickit_url({MUSICKIT_URL_ENV: "https://cdn.example/mk.js"}) == \
        "https://cdn.example/mk.js"
    for bad in ("http://evil.example/mk.js", "file:///tmp/mk.js", "javascript:alert(1)"):
        with pytest.raises(ConfigurationError) as caught:
            musickit_url({MUSICKIT_URL_ENV: bad})
        assert MUSICKIT_URL_ENV in caught.value.message


def test_csp_allows_self_apple_and_an_overriding_test_host_only() -> None:
    assert content_security_policy(MUSICKIT_URL).startswith(
        "script-src 'self' https://js-cdn.music.apple.com; object-src 'none';")
    csp = content_security_policy("http://127.0.0.1:4242/musickit.js")
    assert csp.startswith("script-src 'self' https://js-cdn.music.apple.com "
                          "http://127.0.0.1:4242; ")
    assert "unsafe" not in csp


def test_token_shape() -> None:
    assert token_problem(USER) is None
    assert token_problem("Ag" + "a1B2+/=" * 40) is None
    assert token_problem(DEV, DEV) == "it is the developer token, not a music user token"


def test_ssh_tunnel_line() -> None:
    env = {"SSH_CONNECTION": "10.0.0.5 52000 192.168.1.20 22", "USER": "ana"}
    assert ssh_tunnel_command(8123, env) == "ssh -L 8123:127.0.0.1:8123 ana@192.168.1.20"
    env["SSH_CONNECTION"] = "10.0.0.5 52000 192.168.1.20 2222"
    assert ssh_tunnel_command(8123, env) == \
        "ssh -L 8123:127.0.0.1:8123 -p 2222 ana@192.168.1.20"
    assert ssh_tunnel_command(8123, {"USER": "ana"}) is None
    # What the environment says is used only when it has the right shape.
    hostile = {"SSH_CONNECTION": "1 2 \x1b]52;c;eA==\x07 22\x1b[2J", "USER": "a\x1b[31mb"}
    assert ssh_tunnel_command(8123, hostile) == "ssh -L 8123:127.0.0.1:8123 USER@HOST"
    assert ssh_tunnel_command(8123, {"SSH_CONNECTION": "x", "USER": "ana"}) == \
        "ssh -L 8123:127.0.0.1:8123 ana@HOST"
    assert ssh_tunnel_command(8123, {"SSH_CONNECTION": "1 2 fe80::1 22", "USER": "a.b-c"}) == \
        "ssh -L 8123:127.0.0.1:8123 a.b-c@fe80::1"


def test_display_detection() -> None:
    assert not has_display({}, "linux")
    assert has_display({"DISPLAY": ":0"}, "linux")
    assert has_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert has_display({}, "darwin") and has_display({}, "win32")


def test_the_server_module_needs_no_textual() -> None:
    import subprocess
    import sys

    code = ("import sys, tui.tokens.login, tui.tokens.login_page; "
            "assert not [m for m in sys.modules if m.startswith('textual')], 'textual loaded'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
