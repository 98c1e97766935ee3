"""``--har FILE`` on the command line, against a real server on loopback: the file is valid HAR
1.2 whatever the command and its outcome, retries are entries, tokens appear only when asked."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from har_spec import problems
from loopback import Behaviour, LoopbackServer, run_cli

from tui.api.simulated import DEMO_USER_TOKEN, make_demo_developer_token

DEV = make_demo_developer_token()
LIKED, DISLIKED = "i.NJv00rkTEaLK51", "i.B0VNN8Bf9dYXOV"


@pytest.fixture
def env(isolated_env: dict[str, str], loopback: LoopbackServer) -> dict[str, str]:
    return {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": DEV,
            "APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN,
            "APPLE_MUSIC_API_BASE_URL": loopback.url}


def read_har(path: Path) -> dict[str, Any]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert problems(doc) == []
    return doc


def test_retries_each_make_an_entry(env: dict[str, str], loopback: LoopbackServer,
                                    tmp_path: Path) -> None:
    loopback.add(Behaviour(503, "busy", times=2))
    har = tmp_path / "run.har"
    result = run_cli(["get", "--json", LIKED, "--har", str(har)], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["rating"] == "like"  # stdout stays pure JSON
    assert f"saved 3 requests to {str(har)!r}" in result.stderr
    entries = read_har(har)["log"]["entries"]
    assert [e["response"]["status"] for e in entries] == [503, 503, 200]
    assert [e["_attempt"] for e in entries] == [1, 2, 3]
    assert len(loopback.seen) == 3
    text = har.read_text()
    assert DEV not in text and DEMO_USER_TOKEN not in text
    assert all(e["_redacted"] for e in entries)
    assert stat.S_IMODE(har.stat().st_mode) == 0o644


def test_failed_command_still_writes_the_file(env: dict[str, str], loopback: LoopbackServer,
                                              tmp_path: Path) -> None:
    loopback.add(Behaviour(403, json.dumps({"errors": [{"status": "403", "code": "40300",
                                                        "title": "Forbidden"}]}), times=None))
    har = tmp_path / "failed.har"
    result = run_cli(["--har", str(har), "set", LIKED, "like"], env)
    assert result.returncode == 1
    entry = read_har(har)["log"]["entries"][0]
    assert entry["request"]["method"] == "PUT" and entry["response"]["status"] == 403
    assert json.loads(entry["request"]["postData"]["text"])["attributes"] == {"value": 1}


def test_include_tokens_on_request_only(env: dict[str, str], tmp_path: Path) -> None:
    har = tmp_path / "tokens.har"
    result = run_cli(["--har", str(har), "--har-include-tokens", "get", LIKED, DISLIKED], env)
    assert result.returncode == 0, result.stderr
    assert "WITH the real tokens" in result.stderr
    assert DEV not in result.stderr + result.stdout
    entry = read_har(har)["log"]["entries"][0]
    headers = {h["name"].lower(): h["value"] for h in entry["request"]["headers"]}
    assert headers["authorization"] == f"Bearer {DEV}"
    assert headers["music-user-token"] == DEMO_USER_TOKEN
    assert "_redacted" not in entry
    assert stat.S_IMODE(har.stat().st_mode) == 0o600


def test_token_check_and_demo_are_recorded(env: dict[str, str], tmp_path: Path) -> None:
    har = tmp_path / "check.har"
    result = run_cli(["token", "check", "--har", str(har)], env)
    assert result.returncode == 0, result.stderr
    urls = [e["request"]["url"] for e in read_har(har)["log"]["entries"]]
    assert urls[0].endswith("/v1/test") and urls[1].endswith("/v1/me/storefront")

    demo = tmp_path / "demo.har"
    result = run_cli(["--demo", "--har", str(demo), "clear", LIKED], env)
    assert result.returncode == 0, result.stderr
    assert [e["request"]["method"] for e in read_har(demo)["log"]["entries"]] == ["DELETE"]


def test_unwritable_file_is_refused_before_sending(env: dict[str, str],
                                                   loopback: LoopbackServer,
                                                   tmp_path: Path) -> None:
    for target in (tmp_path / "missing" / "x.har", tmp_path):
        result = run_cli(["--har", str(target), "get", LIKED], env)
        assert result.returncode == 2
        assert "cannot write the HAR file" in result.stderr and "Traceback" not in result.stderr
    assert loopback.seen == []
    result = run_cli(["--har-include-tokens", "get", LIKED], env)
    assert result.returncode == 2 and "needs --har FILE" in result.stderr
