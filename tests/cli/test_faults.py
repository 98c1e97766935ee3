"""The fault matrix of issue 6, against a real HTTP server on loopback: for every fault the CLI
exits 0 or 1 as the contract says, with one clear error line and never a traceback."""

from __future__ import annotations

import gzip
import json
import time
from typing import Any

import pytest
from loopback import Behaviour, LoopbackServer, run_cli, run_cli_many
from repo_kit import DISLIKED_ID, LIKED_ID

from tui.api.simulated import DEMO_USER_TOKEN, make_demo_developer_token

DEV = make_demo_developer_token()
LIKED, DISLIKED = LIKED_ID, DISLIKED_ID
ERRORS_500 = json.dumps({"errors": [{"id": "X", "title": "Internal Server Error",
                                     "status": "500", "code": "50000",
                                     "detail": "Something broke"}]})
HTML = "<html><head><title>{} Gateway</title></head><body>nginx</body></html>"


@pytest.fixture
def env(isolated_env: dict[str, str], loopback: LoopbackServer) -> dict[str, str]:
    return {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": DEV,
            "APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN,
            "APPLE_MUSIC_API_BASE_URL": loopback.url}


def error_lines(result: Any) -> list[str]:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert "unexpected error" not in result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("amratings: error")]


FAILURES = [
    ("500-errors-body", Behaviour(500, ERRORS_500, {"content-type": "application/json"},
                                  times=None), "HTTP 500 code 50000", "Something broke", 4),
    ("502-html", Behaviour(502, HTML.format(502), {"content-type": "text/html"}, times=None),
     "HTTP 502", "HTML page", 4),
    ("504-html", Behaviour(504, HTML.format(504), {"content-type": "text/html"}, times=None),
     "HTTP 504", "HTML page", 4),
    ("200-not-json", Behaviour(200, "this is not json", times=None), "not JSON",
     "documented format", 1),
    ("200-wrong-shape", Behaviour(200, '{"results": {"id": 1}}', times=None), "wrong shape",
     "data", 1),
    ("200-value-5", Behaviour(200, json.dumps({"data": [{"id": LIKED, "type": "ratings",
                                                         "attributes": {"value": 5}}]}),
                              times=None), "wrong shape", "1 or -1", 1),
    ("200-html", Behaviour(200, "<!DOCTYPE html><html><body>Login</body></html>",
                           {"content-type": "text/html"}, times=None), "HTML page", "", 1),
    ("429-forever", Behaviour(429, '{"message":"API capacity exceeded"}', times=None),
     "HTTP 429", "API capacity exceeded", 4),
    ("reset-forever", Behaviour(kind="reset", times=None), "reset", "", 4),
    ("gzip-stacked", Behaviour(200, gzip.compress(gzip.compress(b"{}")),
                               {"content-encoding": "gzip, gzip"}, times=None),
     "encoded 2 times over", "gzip", 1),
    ("coding-unknown", Behaviour(200, b"{}", {"content-encoding": "br"}, times=None),
     "did not ask for", "br", 1),
    ("gzip-bomb", Behaviour(200, gzip.compress(b"0" * (8 * 1024 * 1024)),
                            {"content-encoding": "gzip"}, times=None),
     "decoded response is larger than the", "cap", 1),
]


@pytest.mark.parametrize("name,behaviour,words,more,requests", FAILURES,
                         ids=[f[0] for f in FAILURES])
def test_failures_exit_1_with_one_clear_line(env: dict[str, str], loopback: LoopbackServer,
                                            name: str, behaviour: Behaviour, words: str,
                                            more: str, requests: int) -> None:
    loopback.add(behaviour)
    started = time.monotonic()
    result = run_cli(["get", LIKED], env)
    took = time.monotonic() - started
    lines = error_lines(result)
    assert result.returncode == 1, result.stderr
    assert len(lines) == 1, result.stderr
    assert words in lines[0], lines
    assert more in result.stderr
    assert any(line.startswith("hint: ") for line in result.stderr.splitlines())
    assert f"{LIKED}" in result.stdout and "Failed" in result.stdout
    assert len(loopback.seen) == requests, loopback.paths()
    assert took < 20  # bounded retries: well under a minute even when the fault never ends


def test_failures_in_json_and_for_set_and_clear(env: dict[str, str],
                                                loopback: LoopbackServer) -> None:
    loopback.add(Behaviour(200, "<html>proxy login</html>", times=None))
    got = run_cli(["get", "--json", LIKED, DISLIKED], env)
    assert got.returncode == 1 and len(error_lines(got)) == 1
    items = json.loads(got.stdout)
    assert [i["id"] for i in items] == [LIKED, DISLIKED]
    assert all(i["error"]["title"] == "Malformed response" for i in items)
    loopback.script.clear()
    loopback.add(Behaviour(502, HTML.format(502), times=None))
    argvs = [["set", "--json", LIKED, "like"], ["clear", "--json", LIKED]]
    for result in run_cli_many([(argv, env) for argv in argvs]):
        assert result.returncode == 1 and len(error_lines(result)) == 1
        assert json.loads(result.stdout)[0]["error"]["status"] == 502


@pytest.mark.parametrize("first", [
    [Behaviour(429), Behaviour(429)],
    [Behaviour(503, HTML.format(503))],
    [Behaviour(kind="reset")],
], ids=["429-twice", "503-once", "reset-once"])
def test_transient_then_success_exits_0(env: dict[str, str], loopback: LoopbackServer,
                                        first: list[Behaviour]) -> None:
    loopback.add(*first)
    result = run_cli(["get", "--json", LIKED, DISLIKED], env)
    assert result.returncode == 0, result.stderr
    assert error_lines(result) == []
    assert [i["value"] for i in json.loads(result.stdout)] == [1, -1]
    assert len(loopback.seen) == len(first) + 1


def test_retry_after_honoured(env: dict[str, str], loopback: LoopbackServer) -> None:
    loopback.add(Behaviour(429, "", {"Retry-After": "1"}))
    started = time.monotonic()
    result = run_cli(["-v", "set", LIKED, "dislike"], env)
    assert result.returncode == 0, result.stderr
    assert error_lines(result) == []
    assert len(loopback.seen) == 2
    assert time.monotonic() - started >= 1.0
    # The second attempt started about a second after the first answer.
    assert "(attempt 2)" in result.stderr


def test_slower_than_timeout(env: dict[str, str], loopback: LoopbackServer) -> None:
    loopback.add(Behaviour(200, "{}", delay=5, times=None))
    started = time.monotonic()
    result = run_cli(["--timeout", "0.5", "get", LIKED], env)
    took = time.monotonic() - started
    lines = error_lines(result)
    assert result.returncode == 1 and len(lines) == 1
    assert "within the timeout" in lines[0] and "--timeout" in result.stderr
    assert took < 4.5


def test_host_that_does_not_resolve(env: dict[str, str]) -> None:
    result = run_cli(["--base-url", "https://no-such-host.invalid", "get", LIKED], env)
    lines = error_lines(result)
    assert result.returncode == 1 and len(lines) == 1
    assert "no-such-host.invalid" in lines[0]
    assert "does not resolve" in lines[0]
    assert "host name" in result.stderr.split("hint: ", 1)[1]


def test_tls_to_plain_http_port(env: dict[str, str], loopback: LoopbackServer) -> None:
    started = time.monotonic()
    result = run_cli(["--base-url", f"https://127.0.0.1:{loopback.port}", "get", LIKED], env)
    lines = error_lines(result)
    assert result.returncode == 1 and len(lines) == 1
    assert "TLS handshake failed" in lines[0]
    assert "use http://" in result.stderr  # the hint says what to do
    assert len(loopback.seen) <= 1  # a TLS failure is not retried
    assert time.monotonic() - started < 10


PIPED_COMMANDS = [
    ["get", "--type", "songs", *[str(900000 + n) for n in range(400)]],
    ["get", "--json", "--type", "songs", *[str(900000 + n) for n in range(400)]],
    ["library"], ["library", "--json"], ["search", "neon"],
    ["token", "status"], ["token", "check"], ["token", "status", "--json"],
]


@pytest.mark.parametrize("argv", PIPED_COMMANDS, ids=[" ".join(a[:3]) for a in PIPED_COMMANDS])
def test_every_command_ends_quietly_when_the_reader_goes_away(
        isolated_env: dict[str, str], argv: list[str]) -> None:
    # `amratings ... | true`: the reader is gone before the first write. Every command ends
    # with the conventional 141 and nothing on stderr (no "unexpected error", no "this is a
    # bug"), whichever writer (table, JSON, token report) hit the closed pipe.
    import shlex
    import subprocess
    import sys

    from repo_kit import ROOT

    line = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "tui", "--demo", *argv])
    result = subprocess.run(f"{line} | true; echo \"status ${{PIPESTATUS[0]}}\" >&2",
                            shell=True, executable="/bin/bash", env=isolated_env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.stderr.splitlines() == ["status 141"], result.stderr
