"""``amratings token login`` without a browser: what it refuses before serving anything, what it
prints where no browser can open (SSH, no display), the browser it opens otherwise, its timeout,
and that a token posted to it is stored and checked (the browser flow is in
test_login_browser.py)."""

from __future__ import annotations

import http.client
import io
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.loopback import LoopbackServer
from tests.tokens.conftest import FAKE_DEV, home, locked_keyring, memory_keyring
from tui.__main__ import main
from tui.api.simulated import make_demo_developer_token
from tui.tokens.keyrings import MemoryKeyring
from tui.tokens.login import MUSICKIT_URL_ENV
from tui.tokens.redact import fingerprint
from tui.tokens.store import KEYRING_SERVICE, KEYRING_USERNAMES

__all__ = ["home", "locked_keyring", "memory_keyring"]
USER = "FAKE-MUSIC-USER-TOKEN-LEAKCHECK-0123456789abcdef"
Result = tuple[int, str, str]


@pytest.fixture
def cli(home: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``amratings ARGS`` in this process; returns (exit status, stdout, stderr)."""

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """webbrowser.open records the URL instead of starting a browser."""
    urls: list[str] = []

    def fake_open(url: str, *args: Any, **kwargs: Any) -> bool:
        urls.append(url)
        return True

    import webbrowser

    monkeypatch.setattr(webbrowser, "open", fake_open)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    return urls


def dev_env() -> dict[str, str]:
    return {"APPLE_MUSIC_DEVELOPER_TOKEN": make_demo_developer_token()}


# ---------------------------------------------------------------------- refused up front


def test_no_developer_token_exits_2_before_serving(cli: Callable[..., Result],
                                                   opened: list[str]) -> None:
    code, out, err = cli("token", "login", "--file")
    assert code == 2 and out == ""
    assert "amratings: error: no developer token found" in err
    assert "MusicKit needs one to sign in" in err and "token generate" in err
    assert "http://127.0.0.1" not in err and opened == []


@pytest.mark.parametrize(("token", "why"), [
    (FAKE_DEV, "Not a JWT."),
    (make_demo_developer_token(now=time.time() - 100 * 86400, days=90), "Expired"),
    (make_demo_developer_token(alg="HS256"), "alg is HS256, not ES256."),
])
def test_a_locally_broken_developer_token_exits_2_with_the_reason(
        cli: Callable[..., Result], opened: list[str], token: str, why: str) -> None:
    code, out, err = cli("token", "login", "--file",
                         env={"APPLE_MUSIC_DEVELOPER_TOKEN": token})
    assert code == 2 and out == ""
    assert f"the developer token ({fingerprint(token)}) cannot work" in err
    assert why in err and "http://127.0.0.1" not in err
    assert token not in err and opened == []


def test_demo_is_refused(cli: Callable[..., Result]) -> None:
    code, _, err = cli("--demo", "token", "login")
    assert code == 2 and "does not work with --demo" in err


def test_a_musickit_url_from_elsewhere_is_refused(cli: Callable[..., Result]) -> None:
    code, _, err = cli("token", "login", "--file",
                       env={**dev_env(), MUSICKIT_URL_ENV: "http://evil.example/mk.js"})
    assert code == 2 and f"{MUSICKIT_URL_ENV} must be an https URL" in err


def test_no_keyring_exits_1_before_serving_and_suggests_file(cli: Callable[..., Result],
                                                             opened: list[str]) -> None:
    code, _, err = cli("token", "login", env=dev_env())
    assert code == 1
    assert "keyring unavailable: the keyring is disabled (null backend)" in err
    assert "token set user --file" in err and opened == []


@pytest.mark.parametrize("args", [["--port", "0"], ["--port", "70000"], ["--port", "x"],
                                  ["--timeout", "0"], ["--timeout", "inf"]])
def test_bad_options_exit_2(cli: Callable[..., Result], args: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli("token", "login", *args)
    assert caught.value.code == 2


# ---------------------------------------------------------------------- where the page opens


def test_with_a_display_it_opens_the_browser(cli: Callable[..., Result], opened: list[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":0")
    code, out, err = cli("token", "login", "--file", "--timeout", "0.3", env=dev_env())
    assert len(opened) == 1
    url = opened[0]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/[A-Za-z0-9_-]{32}/", url)
    assert f"Opened the sign-in page in your browser: {url}" in err
    assert "ssh -L" not in err
    # Nobody signed in: it gives up after --timeout and says so.
    assert code == 1 and out == ""
    assert "no music user token arrived within 0.3 s; the sign-in page is closed" in err


def test_no_browser_and_no_display_print_the_url(cli: Callable[..., Result], opened: list[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = cli("token", "login", "--file", "--timeout", "0.2", env=dev_env())
    assert opened == [] and code == 1
    assert "open this URL in a browser on this machine:" in err
    monkeypatch.setenv("DISPLAY", ":0")
    code, _, err = cli("token", "login", "--file", "--no-browser", "--timeout", "0.2",
                       env=dev_env())
    assert opened == [] and code == 1
    assert re.search(r"^     http://127\.0\.0\.1:\d+/\S+/$", err, re.M)


def test_over_ssh_it_prints_the_tunnel_line(cli: Callable[..., Result], opened: list[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":0")  # forwarded X must not make it open a remote browser
    port = _free_port()
    code, _, err = cli("token", "login", "--file", "--port", str(port), "--timeout", "0.2",
                       env={**dev_env(), "SSH_CONNECTION": "10.1.2.3 50000 10.9.8.7 22",
                            "USER": "ana"})
    assert opened == [] and code == 1
    assert f"     ssh -L {port}:127.0.0.1:{port} ana@10.9.8.7\n" in err
    assert re.search(rf"^     http://127\.0\.0\.1:{port}/\S+/$", err, re.M)
    assert "this runs over SSH, so open the page from your laptop" in err


def test_a_taken_port_exits_1(cli: Callable[..., Result], opened: list[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = cli("token", "login", "--file", "--port", str(port), env=dev_env())
    assert code == 1 and f"cannot listen on 127.0.0.1, port {port}" in err


def test_origin_claim_that_excludes_the_page_is_warned(cli: Callable[..., Result],
                                                       opened: list[str]) -> None:
    token = make_demo_developer_token(extra={"origin": ["https://example.com"]})
    code, _, err = cli("token", "login", "--file", "--no-browser", "--timeout", "0.2",
                       env={"APPLE_MUSIC_DEVELOPER_TOKEN": token})
    assert code == 1
    assert "limited to the origins https://example.com; MusicKit will refuse it" in err
    hostile = make_demo_developer_token(extra={"origin": ["https://a.example\x1b]0;pwned\x07"]})
    _, _, err = cli("token", "login", "--file", "--no-browser", "--timeout", "0.2",
                    env={"APPLE_MUSIC_DEVELOPER_TOKEN": hostile})
    assert "\x1b" not in err and "'https://a.example\\x1b]0;pwned\\x07'" in err


# ---------------------------------------------------------------------- a token arrives


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _post_when_up(port: int, answers: list[tuple[int, str]], token: str = USER) -> None:
    """Play the page: fetch it, then post its nonce and ``token`` (as a browser would)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/")
            conn.getresponse().read()
            break
        except OSError:
            time.sleep(0.05)
    secret = _secret_from_output.get(port)
    while secret is None and time.monotonic() < deadline:
        time.sleep(0.05)
        secret = _secret_from_output.get(port)
    assert secret is not None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", f"/{secret}/")
    page = conn.getresponse().read().decode()
    nonce = re.search(r'data-nonce="([^"]+)"', page)
    assert nonce is not None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("POST", f"/{secret}/token", json.dumps({"nonce": nonce[1], "token": token}),
                 {"Origin": f"http://127.0.0.1:{port}", "Content-Type": "application/json"})
    answer = conn.getresponse()
    answers.append((answer.status, json.loads(answer.read())["message"]))


#: The secret path each run printed, found by a patched webbrowser.open (port -> secret).
_secret_from_output: dict[int, str] = {}


def _run_with_a_page(cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
                     args: list[str], env: dict[str, str],
                     token: str = USER) -> tuple[Result, list[tuple[int, str]]]:
    port = _free_port()
    answers: list[tuple[int, str]] = []

    def fake_open(url: str, *a: Any, **k: Any) -> bool:
        _secret_from_output[port] = url.rstrip("/").rsplit("/", 1)[1]
        return True

    import webbrowser

    monkeypatch.setattr(webbrowser, "open", fake_open)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    page = threading.Thread(target=_post_when_up, args=(port, answers, token), daemon=True)
    page.start()
    result = cli("token", "login", "--port", str(port), "--timeout", "30", *args, env=env)
    page.join(10)
    return result, answers


def test_a_posted_token_goes_to_the_keyring_and_is_checked(
        cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
        memory_keyring: MemoryKeyring) -> None:
    api = LoopbackServer(user_tokens=[USER]).start()
    try:
        (code, out, err), answers = _run_with_a_page(
            cli, monkeypatch, [], {**dev_env(), "APPLE_MUSIC_API_BASE_URL": api.url})
    finally:
        api.stop()
    assert code == 0, err
    assert memory_keyring.entries[(KEYRING_SERVICE, KEYRING_USERNAMES["user"])] == USER
    assert answers == [(200, f"Done: the music user token ({fingerprint(USER)}) is stored in "
                             "the keyring. You can close this tab.")]
    assert f"Stored the music user token ({fingerprint(USER)}) in the keyring." in out
    assert "GET /v1/me/storefront -> HTTP 200" in out and "PASSED" in out
    assert USER not in out + err


def test_a_token_apple_refuses_is_stored_but_exits_1(
        cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
        memory_keyring: MemoryKeyring) -> None:
    api = LoopbackServer(user_tokens=["some-other-token-0123456789"]).start()
    try:
        (code, out, err), _ = _run_with_a_page(
            cli, monkeypatch, [], {**dev_env(), "APPLE_MUSIC_API_BASE_URL": api.url})
    finally:
        api.stop()
    assert code == 1
    assert f"Stored the music user token ({fingerprint(USER)}) in the keyring." in out
    assert "HTTP 403" in out and "FAILED" in out and "Apple rejected the music user token" in out
    assert USER not in out + err


def test_a_store_failure_exits_1_and_says_why(
        cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
        home: dict[str, str]) -> None:
    # A directory where the token file should be: --file refuses to use it.
    from tui.tokens.store import token_file_path

    token_file_path().mkdir(parents=True)
    (code, out, err), answers = _run_with_a_page(cli, monkeypatch, ["--file"], dev_env())
    assert code == 1 and out == "", err
    assert answers and answers[0][0] == 500
    assert "could not be stored" in answers[0][1]
    assert re.search(rf"^amratings: error: the music user token \({fingerprint(USER)}\) "
                     r"arrived but was not stored: token file \S+ is not a regular file",
                     err, re.M)
    assert USER not in out + err
