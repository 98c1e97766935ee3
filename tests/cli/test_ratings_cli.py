"""``amratings get|set|clear`` end to end, as a subprocess, against a real loopback HTTP server
and against ``--demo``: the command-line contract of issue 2 section 4."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from loopback import Behaviour, LoopbackServer, run_cli, run_cli_many
from repo_kit import DISLIKED_ID, LIKED_ID, UNRATED_ID

from tui.api.simulated import DEMO_USER_TOKEN, make_demo_developer_token
from tui.api.types import RATING_TYPE_NAMES

DEV = make_demo_developer_token()
LIKED, DISLIKED, UNRATED = LIKED_ID, DISLIKED_ID, UNRATED_ID


@pytest.fixture
def env(isolated_env: dict[str, str], loopback: LoopbackServer) -> dict[str, str]:
    """Tokens the loopback simulation accepts, and its URL as the base URL."""
    return {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": DEV,
            "APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN,
            "APPLE_MUSIC_API_BASE_URL": loopback.url}


def clean(result: Any) -> None:
    """Never a traceback, whatever happened."""
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


def test_get_table_words(env: dict[str, str], loopback: LoopbackServer) -> None:
    result = run_cli(["get", LIKED, DISLIKED, UNRATED], env)
    clean(result)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "TYPE", "RATING"]
    assert [line.split()[0] for line in lines[1:]] == [LIKED, DISLIKED, UNRATED]
    assert lines[1].endswith("Liked") and lines[2].endswith("Disliked")
    assert lines[3].endswith("Not rated")
    assert "warning" in result.stderr and loopback.url in result.stderr


def test_get_json_shape_order_and_duplicates(env: dict[str, str]) -> None:
    result = run_cli(["get", "--json", UNRATED, LIKED, DISLIKED, LIKED], env)
    clean(result)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"id": UNRATED, "type": "library-music-videos", "value": None, "rating": None},
        {"id": LIKED, "type": "library-music-videos", "value": 1, "rating": "like"},
        {"id": DISLIKED, "type": "library-music-videos", "value": -1, "rating": "dislike"},
        {"id": LIKED, "type": "library-music-videos", "value": 1, "rating": "like"},
    ]


@pytest.mark.parametrize("argv", [
    ["--type", "songs", "--timeout", "5", "get", "907242702", "--json"],
    ["get", "907242702", "--json", "--type", "songs"],
    ["--type", "songs", "get", "--json", "907242702"],
    ["-l", "en-US", "--timeout", "5", "get", "--type=songs", "--json", "907242702"],
])
def test_global_options_before_and_after(env: dict[str, str], loopback: LoopbackServer,
                                         argv: list[str]) -> None:
    result = run_cli(argv, env)
    clean(result)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["value"] == 1
    assert loopback.paths()[-1].startswith("/v1/me/ratings/songs/907242702")
    if "-l" in argv:
        assert loopback.paths()[-1].endswith("?l=en-US")


def test_stdin_ids(env: dict[str, str], loopback: LoopbackServer) -> None:
    result = run_cli(["get", "--json", "-", "--batch-size", "2"], env,
                     stdin=f"{LIKED},{DISLIKED}\n  {UNRATED}\t\n")
    clean(result)
    assert result.returncode == 0, result.stderr
    assert [r["id"] for r in json.loads(result.stdout)] == [LIKED, DISLIKED, UNRATED]
    assert all("ids=" in p for p in loopback.paths())
    assert len(loopback.paths()) == 2


def test_empty_stdin_exits_2(env: dict[str, str], loopback: LoopbackServer) -> None:
    result = run_cli(["get", "-"], env, stdin="  \n")
    clean(result)
    assert result.returncode == 2 and loopback.seen == []


def test_set_and_clear(env: dict[str, str], loopback: LoopbackServer) -> None:
    liked = run_cli(["set", "--json", UNRATED, "like"], env)
    clean(liked)
    assert liked.returncode == 0, liked.stderr
    assert json.loads(liked.stdout) == [{"id": UNRATED, "type": "library-music-videos",
                                        "value": 1, "rating": "like"}]
    assert loopback.sim.rating_of("library-music-videos", UNRATED) == 1
    put = loopback.seen[-1]
    assert put.method == "PUT" and put.body == b'{"type":"ratings","attributes":{"value":1}}'
    assert put.headers.get("Content-Type") == "application/json"

    disliked = run_cli(["set", UNRATED, "dislike"], env)
    assert disliked.returncode == 0 and disliked.stdout.splitlines()[1].endswith("Disliked")
    assert loopback.sim.rating_of("library-music-videos", UNRATED) == -1

    cleared = run_cli(["clear", "--json", UNRATED], env)
    clean(cleared)
    assert cleared.returncode == 0
    assert json.loads(cleared.stdout)[0]["cleared"] is True
    assert loopback.seen[-1].method == "DELETE"
    again = run_cli(["clear", UNRATED], env)
    assert again.returncode == 0 and "Already cleared" in again.stdout


def test_bad_ids_exit_2_before_any_request(env: dict[str, str],
                                           loopback: LoopbackServer) -> None:
    argvs = [["get", LIKED, "../etc"], ["get", "a/b"], ["set", "..", "like"],
             ["clear", "x?y"], ["get", "--type", "songs", LIKED], ["get", "x" * 257],
             ["get", "bad\x1bid"], ["set", LIKED, "meh"]]
    results = run_cli_many([(argv, env) for argv in argvs])
    for argv, result in zip(argvs, results, strict=True):
        clean(result)
        assert result.returncode == 2, (argv, result.stderr)
        assert "\x1b" not in result.stderr
    assert loopback.seen == []
    assert "'../etc'" in results[0].stderr and "nothing was sent" in results[0].stderr


@pytest.mark.parametrize("tag", ["x y", "e", "en_US", "en-US-toolongtag", "\x1b]52;c;eA==\x07"])
def test_language_not_a_tag_exits_2_before_any_request(env: dict[str, str],
                                                       loopback: LoopbackServer,
                                                       tag: str) -> None:
    argvs = [["-l", tag, "get", LIKED], ["get", "--language", tag, LIKED],
             ["set", LIKED, "like", f"--language={tag}"], ["-l", tag, "token", "check"]]
    results = run_cli_many([(argv, env) for argv in argvs])
    for argv, result in zip(argvs, results, strict=True):
        clean(result)
        assert result.returncode == 2, (argv, result.stderr)
        assert "is not a language tag like en-US" in result.stderr
        assert "\x1b" not in result.stderr
    assert loopback.seen == []


def test_language_not_a_tag_stops_the_tui_before_it_starts(
        isolated_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import tui.app
    from tui.__main__ import main

    started: list[object] = []
    monkeypatch.setattr(tui.app, "run_app", started.append)
    with pytest.raises(SystemExit) as exit_:
        main(["--demo", "-l", "english"])
    assert exit_.value.code == 2 and started == []
    assert "language 'english' is not a language tag" in capsys.readouterr().err
    main(["--demo", "-l", "zh-Hant-TW"])  # a tag: the app starts
    assert len(started) == 1


def test_bad_type_exit_2_lists_the_nine(env: dict[str, str], loopback: LoopbackServer) -> None:
    result = run_cli(["get", "--type", "song", "1"], env)
    clean(result)
    assert result.returncode == 2
    assert all(name in result.stderr for name in RATING_TYPE_NAMES)
    assert loopback.seen == []


@pytest.mark.parametrize("url", ["http://api.music.apple.com", "http://192.168.1.10:8080",
                                 "ftp://127.0.0.1/"])
def test_http_to_non_loopback_exits_2(env: dict[str, str], url: str) -> None:
    result = run_cli(["--base-url", url, "get", LIKED], env)
    clean(result)
    assert result.returncode == 2
    if url.startswith("http:"):
        assert "https is required" in result.stderr


def test_base_url_trailing_slash_and_prefix_kept(env: dict[str, str],
                                                 loopback: LoopbackServer) -> None:
    for base, prefix in ((loopback.url + "/", ""), (loopback.url + "/local/proxy/", "/local/proxy"),
                         (f"http://localhost:{loopback.port}/p", "/p")):
        result = run_cli(["get", "--base-url", base, LIKED], env)
        clean(result)
        assert result.returncode == 0, result.stderr
        assert loopback.paths()[-1] == f"{prefix}/v1/me/ratings/library-music-videos/{LIKED}"


def test_verbose_lines_redacted(env: dict[str, str], loopback: LoopbackServer) -> None:
    result = run_cli(["-v", "get", LIKED, DISLIKED], env)
    clean(result)
    assert result.returncode == 0
    requests = [line for line in result.stderr.splitlines() if line.startswith("> ")]
    responses = [line for line in result.stderr.splitlines() if line.startswith("< ")]
    assert requests == [f"> GET {loopback.url}/v1/me/ratings/library-music-videos?ids="
                        f"{LIKED}%2C{DISLIKED}"]
    assert len(responses) == 1 and responses[0].startswith("< 200 in ")
    assert DEV not in result.stderr + result.stdout
    assert DEMO_USER_TOKEN not in result.stderr + result.stdout


def test_401_names_the_developer_token(env: dict[str, str]) -> None:
    result = run_cli(["get", LIKED], {**env, "APPLE_MUSIC_DEVELOPER_TOKEN": "bogus-fake-dev"})
    clean(result)
    assert result.returncode == 1
    assert "developer token" in result.stderr and "HTTP 401" in result.stderr
    assert "Failed" in result.stdout


def test_403_names_the_music_user_token(env: dict[str, str]) -> None:
    result = run_cli(["get", "--json", LIKED, DISLIKED],
                     {**env, "APPLE_MUSIC_USER_TOKEN": "expired-fake-user-token"})
    clean(result)
    assert result.returncode == 1
    assert "music user token" in result.stderr and "HTTP 403" in result.stderr
    items = json.loads(result.stdout)
    assert [i["id"] for i in items] == [LIKED, DISLIKED]
    assert items[0]["value"] is None and items[0]["rating"] is None
    error = items[0]["error"]
    assert (error["status"], error["code"], error["title"], error["detail"]) == (
        403, "40300", "Forbidden", "Invalid authentication")
    # One batch error is reported once, not once per id.
    assert result.stderr.count("HTTP 403") == 1


def test_partial_failure_exits_1(env: dict[str, str], loopback: LoopbackServer) -> None:
    loopback.add(Behaviour(status=500, body='{"errors":[{"id":"X","title":"Internal",'
                           '"status":"500","code":"50000"}]}', times=None,
                           path_contains=LIKED))
    result = run_cli(["get", "--json", "--batch-size", "1", LIKED, DISLIKED], env)
    clean(result)
    assert result.returncode == 1
    items = json.loads(result.stdout)
    assert items[0]["error"]["status"] == 500 and items[1]["value"] == -1


def test_missing_tokens_exit_2(isolated_env: dict[str, str], loopback: LoopbackServer) -> None:
    result = run_cli(["get", "--base-url", loopback.url, LIKED], isolated_env)
    clean(result)
    assert result.returncode == 2
    assert "APPLE_MUSIC_DEVELOPER_TOKEN" in result.stderr
    assert loopback.seen == []


@pytest.mark.parametrize("token", ["caf\u00e9-fake-user-token", "two words fake-user"])
def test_unsendable_token_exits_2_without_sending(env: dict[str, str], loopback: LoopbackServer,
                                                 token: str) -> None:
    result = run_cli(["get", LIKED, DISLIKED], {**env, "APPLE_MUSIC_USER_TOKEN": token})
    clean(result)
    assert result.returncode == 2, result.stderr
    assert "music user token" in result.stderr and token not in result.stderr
    assert loopback.seen == []


def test_version(isolated_env: dict[str, str]) -> None:
    result = run_cli(["--version"], isolated_env)
    assert result.returncode == 0 and result.stdout.startswith("amratings ")


# ------------------------------------------------------------------------------- --demo


def test_demo_needs_no_tokens_or_network(isolated_env: dict[str, str]) -> None:
    env = {**isolated_env, "APPLE_MUSIC_API_BASE_URL": "http://192.0.2.1:1"}
    result = run_cli(["get", "--demo", "--json", LIKED, DISLIKED, UNRATED], env)
    clean(result)
    assert result.returncode == 0, result.stderr
    assert [i["value"] for i in json.loads(result.stdout)] == [1, -1, None]
    assert "warning" not in result.stderr


def test_demo_set_clear_and_types(isolated_env: dict[str, str]) -> None:
    for argv, code, words in (
        (["--demo", "set", "--type", "songs", "1151618586", "dislike"], 0, "Disliked"),
        (["--demo", "clear", "--type", "stations", "ra.840950253"], 0, "Cleared"),
        (["--demo", "clear", "--type", "albums", "1440881047"], 0, "Already cleared"),
        (["--demo", "get", "--type", "library-playlists", "p.MoGJYM3CYXW09B"], 0, "Liked"),
        (["--demo", "get", "--type", "artists", "1"], 2, ""),
        (["--demo", "get", "--type", "songs", "i.NJv00rkTEaLK51"], 2, ""),
    ):
        result = run_cli(argv, isolated_env)
        clean(result)
        assert result.returncode == code, (argv, result.stderr)
        assert words in result.stdout


# ------------------------------------------------------------------------------- secrets

FAKE_DEV = "FAKEDEV-LEAKCHECK-0123456789abcdef"
FAKE_USER = "FAKEUSER-LEAKCHECK-0123456789abcdef"


@pytest.fixture
def leak_server() -> Any:
    server = LoopbackServer(developer_tokens=[FAKE_DEV], user_tokens=[FAKE_USER]).start()
    try:
        yield server
    finally:
        server.stop()


def test_redirect_to_another_host_not_followed(env: dict[str, str], loopback: LoopbackServer,
                                               leak_server: LoopbackServer) -> None:
    for argv in (["get", LIKED], ["get", LIKED, DISLIKED], ["set", LIKED, "like"],
                 ["clear", LIKED]):
        loopback.script.clear()
        loopback.add(Behaviour(307, "", {"Location": leak_server.url + "/v1/me/ratings/x"},
                               times=None))
        result = run_cli(argv, env)
        clean(result)
        assert result.returncode == 1, (argv, result.stderr)
        assert "redirect" in result.stderr
    assert leak_server.seen == []
    assert len(loopback.seen) == 4  # one request each: a redirect is neither followed nor retried


def test_non_apple_base_url_warns(env: dict[str, str], loopback: LoopbackServer) -> None:
    warned = run_cli(["get", LIKED], env)
    assert "warning" in warned.stderr and loopback.url in warned.stderr
    demo = run_cli(["--demo", "get", LIKED], env)
    assert "warning" not in demo.stderr


def test_no_token_leaks_from_any_command(isolated_env: dict[str, str], tmp_path: Path) -> None:
    env = {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": FAKE_DEV,
           "APPLE_MUSIC_USER_TOKEN": FAKE_USER}
    # A hostile server reflecting both tokens in its bodies and headers.
    echo = f"dev={FAKE_DEV} user={FAKE_USER}"
    reflected = json.dumps({"errors": [{"id": FAKE_DEV, "title": echo, "status": "403",
                                        "code": "40300", "detail": echo}]})
    runs: list[tuple[list[str], list[Behaviour]]] = [
        (["-v", "get", LIKED, DISLIKED, UNRATED], []),
        (["-v", "get", "--json", LIKED], []),
        (["-v", "set", "--json", UNRATED, "like"], []),
        (["-v", "clear", UNRATED], []),
        (["-v", "get", "--json", LIKED, DISLIKED], [Behaviour(403, reflected, times=None)]),
        (["-v", "set", "--json", LIKED, "like"], [Behaviour(403, reflected, times=None)]),
        (["-v", "clear", "--json", LIKED], [Behaviour(401, echo, times=None)]),
        (["-v", "get", LIKED], [Behaviour(500, echo, {"X-Echo": echo}, times=None)]),
        (["-v", "get", "--json", LIKED], [Behaviour(200, echo, times=None)]),
        (["-v", "get", LIKED], [Behaviour(302, echo, {"Location": f"http://x/?t={FAKE_DEV}"},
                                          times=None)]),
        (["-v", "get", LIKED], [Behaviour(kind="reset")]),
        (["-v", "--timeout", "0.3", "get", LIKED], [Behaviour(200, echo, delay=2)]),
    ]
    # Each run gets its own server so the runs can go side by side.
    servers = [LoopbackServer(developer_tokens=[FAKE_DEV], user_tokens=[FAKE_USER]).start()
               for _ in runs]
    try:
        for server, (_, script) in zip(servers, runs, strict=True):
            server.add(*script)
        # Each run also saves a HAR file (tokens redacted by default): it is checked too.
        hars = [tmp_path / f"run{i}.har" for i in range(len(runs))]
        results = run_cli_many([([*argv, "--har", str(har)],
                                 {**env, "APPLE_MUSIC_API_BASE_URL": server.url})
                                for server, har, (argv, _) in zip(servers, hars, runs,
                                                                  strict=True)])
        seen = [s for server in servers for s in server.seen]
    finally:
        for server in servers:
            server.stop()
    for (argv, _), result, har in zip(runs, results, hars, strict=True):
        clean(result)
        assert result.returncode in (0, 1), (argv, result.stderr)
        for token in (FAKE_DEV, FAKE_USER):
            for stream in (result.stdout, result.stderr, har.read_text()):
                assert token not in stream, (argv, stream)
                assert "LEAKCHECK" not in stream, (argv, stream)
    # The tokens did reach the configured servers, so the check above means something.
    assert results[0].returncode == 0 and "Liked" in results[0].stdout
    assert seen[0].headers["Authorization"] == f"Bearer {FAKE_DEV}"
    assert seen[0].headers["Music-User-Token"] == FAKE_USER
    assert all(FAKE_DEV not in s.path and FAKE_USER not in s.path for s in seen)


def test_missing_user_token_message_has_no_developer_token(isolated_env: dict[str, str],
                                                           leak_server: LoopbackServer) -> None:
    env = {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": FAKE_DEV,
           "APPLE_MUSIC_API_BASE_URL": leak_server.url}
    result = run_cli(["-v", "get", LIKED], env)
    clean(result)
    assert result.returncode == 2 and "music user token" in result.stderr
    assert "LEAKCHECK" not in result.stdout + result.stderr and leak_server.seen == []


def test_locally_expired_token_is_still_sent_and_explained(env: dict[str, str],
                                                          loopback: LoopbackServer) -> None:
    import time

    expired = make_demo_developer_token(now=time.time() - 200 * 86400, days=100)
    result = run_cli(["get", LIKED], {**env, "APPLE_MUSIC_DEVELOPER_TOKEN": expired})
    clean(result)
    assert result.returncode == 1
    assert len(loopback.seen) == 1  # Apple decides; we do not refuse it locally
    assert "HTTP 401" in result.stderr
    assert any(line.startswith("note: locally") for line in result.stderr.splitlines()), (
        result.stderr)
    assert expired not in result.stderr
