"""Issue 10, section 1, the CLI half: text a hostile server, a token, the environment or a
typed path controls reaches the terminal as text. Each surface is attacked through a real
process (and, for server text, a real loopback server); the checks read the raw bytes the
process wrote to stdout and stderr."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile_text import ALL, NO_DOTS, PAYLOADS, assert_terminal_safe
from loopback import Behaviour, LoopbackServer

from tui.api.simulated import DEMO_USER_TOKEN, make_demo_developer_token

REPO = Path(__file__).resolve().parents[2]
DEV = make_demo_developer_token()
PIECE = 16


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    """``python -m tui ARGS`` with its stdout and stderr as raw bytes."""
    return subprocess.run([sys.executable, "-m", "tui", *args], env=env, capture_output=True,
                          timeout=60, cwd=REPO)


def safe_output(result: subprocess.CompletedProcess[bytes]) -> tuple[str, str]:
    """stdout and stderr, after checking that neither holds a character a terminal acts on
    (nor a traceback)."""
    out = assert_terminal_safe(result.stdout)
    err = assert_terminal_safe(result.stderr)
    assert "Traceback" not in out + err
    return out, err


def shows_every_payload(text: str) -> None:
    """Each payload is there, made visible (its content is kept, not dropped)."""
    for name, _payload, visible in PAYLOADS:
        assert visible in text, f"{name}: {visible!r} not shown"


def shows_printable_parts(text: str) -> None:
    """For Apple's error fields, which the service layer flattens to one line (controls become
    spaces): what is printable is kept, markup included, as typed."""
    for part in ("PWNED-TITLE", "SElKQUNLRUQ=", "[link=https://evil.example/]click me[/link]",
                 "[/x] [/] [bold", "gnp.exe"):
        assert part in text, part


def leaked(text: str, *secrets: str) -> list[str]:
    return [s[i:i + PIECE] for s in secrets for i in range(len(s) - PIECE + 1)
            if s[i:i + PIECE] in text]


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def hostile_jwt(text: str) -> str:
    """A JWT-shaped developer token whose header and claims carry ``text``."""
    header = {"alg": "ES256" + text, "kid": "KID" + text, "typ": "JWT"}
    claims = {"iss": "ISS" + text, "iat": 1, "exp": 2, "origin": ["https://o" + text],
              "other": text}
    return f"{b64(header)}.{b64(claims)}.c2lnbmF0dXJl"


@pytest.fixture
def env(isolated_env: dict[str, str], loopback: LoopbackServer) -> dict[str, str]:
    return {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": DEV,
            "APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN,
            "APPLE_MUSIC_API_BASE_URL": loopback.url}


def storefront(name: str, ident: str) -> Behaviour:
    body = {"data": [{"id": ident, "type": "storefronts", "attributes": {"name": name}}]}
    return Behaviour(200, json.dumps(body), {"content-type": "application/json"},
                     times=None, path_contains="/v1/me/storefront")


def apple_error(status: int, text: str, **match: Any) -> Behaviour:
    body = {"errors": [{"id": "X", "status": str(status), "code": "C" + text, "title": text,
                        "detail": text}]}
    return Behaviour(status, json.dumps(body), {"content-type": "application/json"},
                     times=None, **match)


# ---------------------------------------------------------------------- token check


def test_token_check_storefront_text_is_sanitized_and_redacted(
        env: dict[str, str], loopback: LoopbackServer) -> None:
    # The storefront's name echoes both tokens: neither may be printed, whole or in part.
    loopback.add(storefront(ALL + " " + DEV + " " + DEMO_USER_TOKEN, ALL))
    result = run(["token", "check"], env)
    out, err = safe_output(result)
    assert result.returncode == 0, err
    shows_every_payload(out)
    assert leaked(out + err, DEV, DEMO_USER_TOKEN) == []
    assert "redacted" in out


def test_token_check_json_keeps_content_escaped(env: dict[str, str],
                                               loopback: LoopbackServer) -> None:
    loopback.add(storefront(ALL + " " + DEV + " " + DEMO_USER_TOKEN, "us" + ALL))
    result = run(["token", "check", "--json"], env)
    out, err = safe_output(result)
    assert result.returncode == 0, err
    payload = json.loads(out)
    shown = payload["steps"][1]["storefront"]
    assert ALL in shown and "us" + ALL in shown  # the content, escaped only by JSON
    assert leaked(out + err, DEV, DEMO_USER_TOKEN) == []


def test_token_check_apple_error_fields(env: dict[str, str], loopback: LoopbackServer) -> None:
    loopback.add(apple_error(401, ALL, path_contains="/v1/test"))
    result = run(["token", "check", "-v"], env)
    out, _err = safe_output(result)
    assert result.returncode == 1
    shows_printable_parts(out)
    result = run(["token", "check", "--json"], env)
    out, _ = safe_output(result)
    shows_printable_parts(json.loads(out)["steps"][0]["detail"])


# ---------------------------------------------------------------------- token claims


def test_token_status_prints_claims_as_text(isolated_env: dict[str, str]) -> None:
    env = {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": hostile_jwt(ALL),
           "APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN}
    out, err = safe_output(run(["token", "status"], env))
    shows_every_payload(out + err)
    out, _ = safe_output(run(["token", "status", "--json"], env))
    assert json.loads(out)["developer"]["kid"] == "KID" + ALL


def test_401_local_note_shows_claims_as_text(env: dict[str, str],
                                             loopback: LoopbackServer) -> None:
    env = {**env, "APPLE_MUSIC_DEVELOPER_TOKEN": hostile_jwt(ALL)}
    loopback.add(apple_error(401, ALL))
    result = run(["get", "i.NJv00rkTEaLK51"], env)
    _out, err = safe_output(result)
    assert result.returncode == 1
    assert "locally" in err  # the note on what is wrong with the developer token itself
    shows_printable_parts(err)  # Apple's fields
    shows_every_payload(err)  # the claims, in the local note


def test_get_json_keeps_apple_detail(env: dict[str, str], loopback: LoopbackServer) -> None:
    loopback.add(apple_error(400, ALL))
    result = run(["get", "i.NJv00rkTEaLK51", "--json"], env)
    out, err = safe_output(result)
    shows_printable_parts(json.dumps(json.loads(out)))
    shows_printable_parts(err)


# ---------------------------------------------------------------------- environment, config


@pytest.mark.parametrize("where", ["flag", "config"])
def test_base_url_in_the_warning(env: dict[str, str], loopback: LoopbackServer,
                                 where: str) -> None:
    url = f"{loopback.url}/{ALL}"
    if where == "config":
        config = Path(env["XDG_CONFIG_HOME"]) / "amratings" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(f"base_url = {json.dumps(url)}\n", encoding="utf-8")
        result = run(["token", "check"], {k: v for k, v in env.items()
                                          if k != "APPLE_MUSIC_API_BASE_URL"})
    else:
        result = run(["--base-url", url, "token", "check"], env)
    out, err = safe_output(result)
    assert "\\x1b]52;c;SElKQUNLRUQ=" in out + err  # the URL is named, made visible


def test_keyring_backend_name(isolated_env: dict[str, str], tmp_path: Path) -> None:
    # A keyring backend that names itself with escapes (a third-party backend is any code).
    module = tmp_path / "hostile_keyring.py"
    module.write_text(
        "from keyring.backend import KeyringBackend\n"
        "class Keyring(KeyringBackend):\n"
        f"    __module__ = {NO_DOTS!r}\n"
        "    priority = 1\n"
        "    def set_password(self, service, username, password):\n"
        "        pass\n"
        "    def delete_password(self, service, username):\n"
        "        pass\n"
        "    def get_password(self, service, username):\n"
        f"        raise RuntimeError({NO_DOTS!r})\n", encoding="utf-8")
    env = {**isolated_env, "PYTHON_KEYRING_BACKEND": "hostile_keyring.Keyring",
           "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])}
    out, err = safe_output(run(["token", "status"], env))
    assert "\\x1b]52;c;SElKQUNLRUQ=" in out + err
    env["PYTHON_KEYRING_BACKEND"] = f"nope{NO_DOTS}.Keyring"
    out, err = safe_output(run(["token", "status"], env))
    assert "[/x]" in out + err


def test_key_file_path(isolated_env: dict[str, str], tmp_path: Path) -> None:
    path = str(tmp_path / f"AuthKey_{ALL.replace('/', '-')}.p8")
    result = run(["token", "generate", "--team-id", "TESTTEAM01", "--key-id", "TESTKEY001",
                  "--key-file", path], isolated_env)
    _out, err = safe_output(result)
    assert result.returncode == 2
    assert "\\x1b]52;c;SElKQUNLRUQ=" in err


# ---------------------------------------------------------------------- transport errors


@pytest.fixture
def malformed_header_server() -> Iterator[str]:
    """A raw server answering with a header line h11 refuses (and quotes in its error)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Bad " + NO_DOTS.encode()
                             + b"\r\nContent-Length: 2\r\n\r\n{}")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_h11_error_text_and_verbose_lines(env: dict[str, str],
                                          malformed_header_server: str) -> None:
    env = {**env, "APPLE_MUSIC_API_BASE_URL": malformed_header_server}
    result = run(["get", "i.NJv00rkTEaLK51", "-v"], env)
    _out, err = safe_output(result)
    assert result.returncode == 1
    assert "[/x]" in err and "illegal header line" in err
