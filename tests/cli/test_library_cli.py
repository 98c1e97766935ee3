"""``amratings library | search | apply`` and the many-id ``get | set | clear`` end to end, as
subprocesses against a real loopback HTTP server: every command in every output form,
interruption by SIGINT / SIGTERM mid-walk, a pipe closed early, apply twice, the progress bar,
and the fault matrix on the library endpoints."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from typing import Any

import pytest
from loopback import REPO, Behaviour, LoopbackServer, run_cli, run_cli_many

from tui.api.simulated import DEMO_USER_TOKEN, make_demo_developer_token

DEV = make_demo_developer_token()
FIELDS = ["id", "type", "name", "artist", "album", "catalog_id", "value", "rating"]


@pytest.fixture
def env(isolated_env: dict[str, str], loopback: LoopbackServer) -> dict[str, str]:
    return {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": DEV,
            "APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN,
            "APPLE_MUSIC_API_BASE_URL": loopback.url}


def clean(result: Any) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert "unexpected error" not in result.stderr


def listed(server: LoopbackServer, kind: str = "songs") -> list[str]:
    return [i.id for i in server.sim.library.library[kind] if not i.hidden]


def ratings(server: LoopbackServer, rating_type: str, ids: list[str]) -> list[int | None]:
    return [server.sim.rating_of(rating_type, i) for i in ids]


# ------------------------------------------------------------------------------- library


def test_library_every_form(env: dict[str, str], loopback: LoopbackServer) -> None:
    forms = [["library", "--json"], ["library", "--jsonl"], ["library", "--csv"], ["library"]]
    as_json, as_jsonl, as_csv, as_text = run_cli_many([(argv, env) for argv in forms])
    for result in (as_json, as_jsonl, as_csv, as_text):
        clean(result)
        assert result.returncode == 0, result.stderr
        assert result.stderr.count("\n") == 1  # the non-Apple base URL warning, no bar
    expected = listed(loopback)
    rows = json.loads(as_json.stdout)
    assert [r["id"] for r in rows] == expected
    assert list(rows[0]) == FIELDS
    assert rows[0] == {"id": "i.7PJNN4mfXlD68R", "type": "library-songs", "name": "Neon Harbor",
                       "artist": "Juno Marlow", "album": "Paper Lights",
                       "catalog_id": "907242702", "value": 1, "rating": "like"}
    assert [r["value"] for r in rows] == ratings(loopback, "library-songs", expected)
    assert [json.loads(line) for line in as_jsonl.stdout.splitlines()] == rows
    table = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert list(table[0]) == [*FIELDS, "error"]
    assert [r["id"] for r in table] == expected
    assert table[1]["value"] == "-1" and table[1]["rating"] == "dislike"
    assert all(r["error"] == "" for r in table)
    lines = as_text.stdout.splitlines()
    assert lines[0].split() == ["ID", "RATING", "NAME", "ARTIST", "ALBUM"]
    assert lines[1].startswith("i.7PJNN4mfXlD68R  Liked") and "Neon Harbor" in lines[1]
    assert len(lines) == len(expected) + 1


def test_library_rated_max_and_types(env: dict[str, str], loopback: LoopbackServer) -> None:
    runs = [["library", "--rated", "liked", "--jsonl"],
            ["library", "--rated", "unrated", "--max", "7", "--json"],
            ["library", "--type", "library-albums", "--rated", "disliked", "--json"],
            ["library", "--type", "library-playlists", "--rated", "rated", "--csv"],
            ["library", "--type", "library-music-videos", "--json"]]
    liked, unrated, albums, playlists, videos = run_cli_many([(argv, env) for argv in runs])
    for result in (liked, unrated, albums, playlists, videos):
        clean(result)
        assert result.returncode == 0, result.stderr
    liked_rows = [json.loads(line) for line in liked.stdout.splitlines()]
    expected = [i for i, v in zip(listed(loopback),
                                  ratings(loopback, "library-songs", listed(loopback)),
                                  strict=True) if v == 1]
    assert [r["id"] for r in liked_rows] == expected
    unrated_rows = json.loads(unrated.stdout)
    assert len(unrated_rows) == 7 and all(r["value"] is None for r in unrated_rows)
    assert {r["value"] for r in json.loads(albums.stdout)} == {-1}
    assert {r["rating"] for r in csv.DictReader(io.StringIO(playlists.stdout))} == \
        {"like", "dislike"}
    assert [r["id"] for r in json.loads(videos.stdout)] == listed(loopback, "music-videos")


@pytest.mark.parametrize("argv", [["library", "--type", "songs"],
                                  ["library", "--rated", "loved"],
                                  ["library", "--max", "0"],
                                  ["library", "--json", "--csv"]])
def test_library_bad_input_exit_2(env: dict[str, str], loopback: LoopbackServer,
                                  argv: list[str]) -> None:
    result = run_cli(argv, env)
    clean(result)
    assert result.returncode == 2 and loopback.seen == []
    if "songs" in argv:
        assert "library-songs" in result.stderr


def test_library_empty_is_no_rows_exit_0(env: dict[str, str], loopback: LoopbackServer) -> None:
    loopback.sim.library_size = 0
    result = run_cli(["library", "--json"], env)
    clean(result)
    assert result.returncode == 0 and json.loads(result.stdout) == []


def test_library_verbose_shows_parallel_pages(env: dict[str, str],
                                              loopback: LoopbackServer) -> None:
    result = run_cli(["-v", "library", "--jsonl"], env)
    clean(result)
    requests = [line for line in result.stderr.splitlines() if line.startswith("> GET")]
    assert sum("/v1/me/library/songs?limit=100&offset=" in r for r in requests) == 12
    assert sum("/v1/me/ratings/library-songs?ids=" in r for r in requests) == 12


# ------------------------------------------------------------------------------- faults


@pytest.fixture
def big(isolated_env: dict[str, str]) -> Any:
    server = LoopbackServer().start()
    server.sim.library_size = 10_000
    try:
        yield server, {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": DEV,
                       "APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN,
                       "APPLE_MUSIC_API_BASE_URL": server.url}
    finally:
        server.stop()


@pytest.mark.parametrize("status", [429, 500])
def test_fault_on_page_37_of_100_retried_every_row(big: Any, status: int) -> None:
    server, env = big
    server.add(Behaviour(status, '{"message":"API capacity exceeded"}', times=2,
                         path_contains="offset=3600"))
    result = run_cli(["library", "--jsonl"], env, timeout=120)
    clean(result)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == listed(server)


@pytest.mark.parametrize("status", [429, 500])
def test_fault_on_page_37_forever_names_what_is_missing(big: Any, status: int) -> None:
    server, env = big
    server.add(Behaviour(status, "", times=None, path_contains="offset=3600"))
    result = run_cli(["library", "--json"], env, timeout=120)
    clean(result)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("amratings: error")]
    assert len(errors) == 1 and "items 3601-3700 of 10000 (page 37) were not read" in errors[0]
    assert f"HTTP {status}" in errors[0]
    missing = {i.id for i in server.sim.library.library["songs"][3600:3700]}
    expected = [i for i in listed(server) if i not in missing]
    assert [r["id"] for r in json.loads(result.stdout)] == expected


def test_fault_on_a_rating_batch_prints_rows_with_the_error(env: dict[str, str],
                                                           loopback: LoopbackServer) -> None:
    first = listed(loopback)[0]
    loopback.add(Behaviour(500, "", times=None, path_contains=f"ids={first}"))
    result = run_cli(["library", "--csv"], env)
    clean(result)
    assert result.returncode == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(listed(loopback))
    failed = [r for r in rows if r["error"]]
    assert failed and failed[0]["id"] == first and failed[0]["value"] == ""
    assert "ServerError 500" in failed[0]["error"]
    assert any(f"({len(failed)} ids)" in line for line in result.stderr.splitlines())


def test_first_page_failure_exit_1(env: dict[str, str], loopback: LoopbackServer) -> None:
    loopback.add(Behaviour(403, '{"errors":[{"id":"x","title":"Forbidden","status":"403",'
                                '"code":"40300"}]}', times=None))
    result = run_cli(["library", "--json"], env)
    clean(result)
    assert result.returncode == 1 and json.loads(result.stdout) == []
    assert "library-songs listing could not be read" in result.stderr
    assert "music user token" in result.stderr


# ------------------------------------------------------------------------------- interruption


def start(argv: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tui", *argv], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_requests(server: LoopbackServer, count: int, process: subprocess.Popen[str],
                      timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(server.seen) < count:
        assert process.poll() is None, "the command ended before the signal"
        assert time.monotonic() < deadline, "the walk did not start"
        time.sleep(0.02)


@pytest.mark.parametrize("form,signum", [("--json", signal.SIGINT), ("--jsonl", signal.SIGINT),
                                         ("--csv", signal.SIGTERM), ("text", signal.SIGINT),
                                         ("--json", signal.SIGTERM)])
def test_interrupted_walk_prints_what_arrived_and_exits_130(
        isolated_env: dict[str, str], tmp_path: Any, form: str, signum: int) -> None:
    server = LoopbackServer(latency=0.05).start()
    server.sim.library_size = 5000
    env = {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": DEV,
           "APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN, "APPLE_MUSIC_API_BASE_URL": server.url}
    # Files, not pipes: a full pipe would stop the walk before the signal.
    out_path, err_path = tmp_path / "out", tmp_path / "err"
    try:
        with out_path.open("w") as out_file, err_path.open("w") as err_file:
            process = subprocess.Popen(
                [sys.executable, "-m", "tui", "library", *([] if form == "text" else [form])],
                env=env, cwd=REPO, stdout=out_file, stderr=err_file, text=True)
            wait_for_requests(server, 20, process)
            process.send_signal(signum)
            process.wait(timeout=30)
        out, err = out_path.read_text(), err_path.read_text()
        expected = listed(server)
    finally:
        server.stop()
    assert process.returncode == 130, err
    assert "Traceback" not in err and "interrupted;" in err
    if form == "--json":
        ids = [r["id"] for r in json.loads(out)]
    elif form == "--jsonl":
        ids = [json.loads(line)["id"] for line in out.splitlines()]
    elif form == "--csv":
        ids = [r["id"] for r in csv.DictReader(io.StringIO(out))]
    else:
        ids = [line.split()[0] for line in out.splitlines()[1:]]
    assert 0 < len(ids) < len(expected)
    assert ids == expected[:len(ids)]  # a prefix, in library order, nothing lost
    assert f"interrupted; {len(ids)} rows printed" in err


def test_interrupted_get_prints_the_results_that_arrived(isolated_env: dict[str, str]) -> None:
    server = LoopbackServer(latency=0.2).start()
    env = {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": DEV,
           "APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN, "APPLE_MUSIC_API_BASE_URL": server.url}
    ids = [f"i.x{n:05d}" for n in range(2000)]
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "tui", "get", "--type", "library-songs", "--json",
             "--batch-size", "50", "--concurrency", "2", "-"], env=env, cwd=REPO,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert process.stdin is not None
        process.stdin.write(" ".join(ids))
        process.stdin.close()
        wait_for_requests(server, 6, process)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        assert process.stdout is not None and process.stderr is not None
        out, err = process.stdout.read(), process.stderr.read()
    finally:
        server.stop()
    assert process.returncode == 130, err
    got = json.loads(out)
    assert 0 < len(got) < len(ids)
    assert [r["id"] for r in got] == ids[:len(got)]


def test_pipe_closed_early_ends_quietly(env: dict[str, str]) -> None:
    for argv in (["library", "--jsonl"], ["library"], ["library", "--csv"]):
        process = start(argv, env)
        assert process.stdout is not None
        first = process.stdout.readline()
        process.stdout.close()
        err = process.stderr.read() if process.stderr else ""
        process.wait(timeout=30)
        assert first
        assert process.returncode == 141, err
        assert "Traceback" not in err and "Broken" not in err and "error" not in err


def test_shell_pipe_to_head(env: dict[str, str]) -> None:
    result = subprocess.run(
        f"'{sys.executable}' -m tui library --jsonl | head -n 3; "
        "echo \"status ${PIPESTATUS[0]}\"",
        shell=True, executable="/bin/bash", env=env, cwd=REPO, capture_output=True, text=True,
        timeout=60)
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and lines[-1] in ("status 141", "status 0")
    assert result.stderr.count("\n") <= 1 and "Traceback" not in result.stderr


# ------------------------------------------------------------------------------- progress bar


def run_on_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run with stderr on a pseudo-terminal (stdout a file); return status, stdout, stderr."""
    import tempfile

    leader, follower = pty.openpty()
    with tempfile.TemporaryFile("w+") as out_file:
        process = subprocess.Popen([sys.executable, "-m", "tui", *argv], env=env, cwd=REPO,
                                   stdout=out_file, stderr=follower, text=True)
        os.close(follower)
        chunks = []
        while True:
            ready, _, _ = select.select([leader], [], [], 30)
            if not ready:
                break
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        process.wait(timeout=30)
        os.close(leader)
        out_file.seek(0)
        out = out_file.read()
    return process.returncode, out, b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_only_on_a_terminal_and_not_with_quiet(isolated_env: dict[str, str]
                                                            ) -> None:
    server = LoopbackServer(latency=0.02).start()
    env = {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": DEV,
           "APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN, "APPLE_MUSIC_API_BASE_URL": server.url,
           "COLUMNS": "120", "TERM": "xterm"}
    try:
        status, out, err = run_on_terminal(["library", "--jsonl"], env)
        assert status == 0
        assert "library-songs" in err and "items" in err and "pages" in err
        assert len(out.splitlines()) == len(listed(server))
        assert "items" not in out  # the bar never reaches stdout
        status, out, quiet_err = run_on_terminal(["-q", "library", "--jsonl"], env)
        assert status == 0 and "items" not in quiet_err and "pages" not in quiet_err
        status, out, set_err = run_on_terminal(
            ["set", "--type", "library-songs", *listed(server)[:30], "like"], env)
        assert status == 0 and "liking" in set_err
    finally:
        server.stop()


# ------------------------------------------------------------------------------- search


def test_search_every_form(env: dict[str, str], loopback: LoopbackServer) -> None:
    runs = [["search", "neon", "harbor", "--json"], ["search", "neon", "--jsonl", "--limit", "2"],
            ["search", "neon", "--csv", "--type", "albums"], ["search", "harbor"],
            ["search", "harbor", "--library", "--type", "library-songs,library-albums",
             "--json"],
            ["search", "zzzzqqq"]]
    results = run_cli_many([(argv, env) for argv in runs])
    for result in results:
        clean(result)
        assert result.returncode == 0, result.stderr
    exact, two, albums, text, library, none = results
    rows = json.loads(exact.stdout)
    assert rows[0] == {"id": "907242702", "type": "songs", "name": "Neon Harbor",
                       "artist": "Juno Marlow", "album": "Paper Lights",
                       "catalog_id": "907242702", "value": 1, "rating": "like"}
    kinds = [json.loads(line)["type"] for line in two.stdout.splitlines()]
    assert kinds.count("songs") == 2 and set(kinds) <= {"songs", "albums", "music-videos"}
    assert {r["type"] for r in csv.DictReader(io.StringIO(albums.stdout))} == {"albums"}
    assert text.stdout.splitlines()[0].split() == ["ID", "TYPE", "RATING", "NAME", "ARTIST",
                                                   "ALBUM"]
    assert {r["type"] for r in json.loads(library.stdout)} <= {"library-songs",
                                                               "library-albums"}
    assert json.loads(library.stdout)[0]["id"] == "i.7PJNN4mfXlD68R"
    assert none.stdout == "" and "no matches" in none.stderr
    paths = loopback.paths()
    assert any(p.startswith("/v1/catalog/us/search?") and "types=songs%2Calbums%2Cmusic-videos"
               in p for p in paths)
    assert "/v1/me/storefront" in paths


@pytest.mark.parametrize("argv", [["search", "neon", "--limit", "26"],
                                  ["search", "neon", "--type", "library-songs"],
                                  ["search", "neon", "--library", "--type", "songs"],
                                  ["search", " "], ["search", "x", "--type", "song"]])
def test_search_bad_input_exit_2(env: dict[str, str], loopback: LoopbackServer,
                                 argv: list[str]) -> None:
    result = run_cli(argv, env)
    clean(result)
    assert result.returncode == 2 and loopback.seen == []


# ------------------------------------------------------------------------------- get


def test_get_names_include_extend_every_form(env: dict[str, str],
                                             loopback: LoopbackServer) -> None:
    ids = ["907242702", "1440857781", "1"]
    runs = [["get", "--type", "songs", "--names", "--json", *ids],
            ["get", "--type", "songs", "--names", "--csv", *ids],
            ["get", "--type", "songs", "--names", "--jsonl", *ids],
            ["get", "--type", "songs", "--names", *ids],
            ["-v", "get", "--type", "library-songs", "--include", "content,catalog",
             "--extend", "inFavorites", "--jsonl", "i.7PJNN4mfXlD68R", "i.xrXvO5vFv0VrNA"],
            ["get", "--type", "songs", "--csv", *ids]]
    as_json, as_csv, as_jsonl, as_text, verbose, plain_csv = run_cli_many(
        [(argv, env) for argv in runs])
    for result in (as_json, as_csv, as_jsonl, as_text, verbose, plain_csv):
        clean(result)
        assert result.returncode == 0, result.stderr
    rows = json.loads(as_json.stdout)
    assert rows == [
        {"id": "907242702", "type": "songs", "name": "Neon Harbor", "artist": "Juno Marlow",
         "album": "Paper Lights", "value": 1, "rating": "like"},
        {"id": "1440857781", "type": "songs", "name": "Static Rain",
         "artist": "The Hollow Tides", "album": "Static Rain", "value": -1,
         "rating": "dislike"},
        {"id": "1", "type": "songs", "name": None, "artist": None, "album": None,
         "value": None, "rating": None}]
    assert [json.loads(line) for line in as_jsonl.stdout.splitlines()] == rows
    table = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert list(table[0]) == ["id", "type", "name", "artist", "album", "value", "rating",
                              "error"]
    assert table[0]["name"] == "Neon Harbor" and table[2]["name"] == ""
    assert list(csv.DictReader(io.StringIO(plain_csv.stdout)))[1] == {
        "id": "1440857781", "type": "songs", "value": "-1", "rating": "dislike", "error": ""}
    header = as_text.stdout.splitlines()[0].split()
    assert header == ["ID", "TYPE", "RATING", "NAME", "ARTIST", "ALBUM"]
    requests = [line for line in verbose.stderr.splitlines() if line.startswith("> GET")]
    assert requests and all("include=content%2Ccatalog" in r and "extend=inFavorites" in r
                            for r in requests)
    assert any("/v1/catalog/us/songs?ids=907242702%2C1440857781%2C1" in p
               for p in loopback.paths())


@pytest.mark.parametrize("option", ["--include", "--extend"])
@pytest.mark.parametrize("value", ["a b", "x&y=1", "catalog;rm", ","])
def test_include_extend_bad_names_exit_2(env: dict[str, str], loopback: LoopbackServer,
                                         option: str, value: str) -> None:
    result = run_cli(["get", option, value, "i.NJv00rkTEaLK51"], env)
    clean(result)
    assert result.returncode == 2 and loopback.seen == []


def test_get_names_lookup_failure_exit_1_rows_still_printed(env: dict[str, str],
                                                           loopback: LoopbackServer) -> None:
    loopback.add(Behaviour(500, "", times=None, path_contains="/v1/me/library/"))
    result = run_cli(["get", "--type", "library-songs", "--names", "--json",
                      "i.7PJNN4mfXlD68R"], env)
    clean(result)
    assert result.returncode == 1
    assert json.loads(result.stdout) == [{"id": "i.7PJNN4mfXlD68R", "type": "library-songs",
                                          "name": None, "artist": None, "album": None,
                                          "value": 1, "rating": "like"}]
    assert "HTTP 500" in result.stderr


# ------------------------------------------------------------------------------- set / clear


def test_set_and_clear_many_every_form(env: dict[str, str], loopback: LoopbackServer) -> None:
    ids = listed(loopback)[:25]
    result = run_cli(["set", "--type", "library-songs", "--jsonl", "--concurrency", "3",
                      *ids[:10], "-", "like"], env, stdin=" ".join(ids[10:]))
    clean(result)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ids
    assert ratings(loopback, "library-songs", ids) == [1] * 25
    puts = [s for s in loopback.seen if s.method == "PUT"]
    assert len(puts) == 25
    disliked = run_cli(["set", "--type", "library-songs", "--json", *ids[:3], "dislike"], env)
    assert [r["value"] for r in json.loads(disliked.stdout)] == [-1, -1, -1]
    cleared = run_cli(["clear", "--type", "library-songs", "--json", *ids[:5]], env)
    clean(cleared)
    assert [r["cleared"] for r in json.loads(cleared.stdout)] == [True] * 5
    text = run_cli(["clear", "--type", "library-songs", *ids[:2]], env)
    assert [line.split(None, 2)[2] for line in text.stdout.splitlines()[1:]] == \
        ["Already cleared"] * 2


@pytest.mark.parametrize("argv", [["set", "i.NJv00rkTEaLK51"], ["set", "like"],
                                  ["set", "i.NJv00rkTEaLK51", "i.B0VNN8Bf9dYXOV", "love"],
                                  ["set", "i.NJv00rkTEaLK51", "bad/id", "like"],
                                  ["clear", "i.NJv00rkTEaLK51", "907242702"],
                                  ["set", "--csv", "i.NJv00rkTEaLK51", "like"]])
def test_set_clear_bad_input_exit_2(env: dict[str, str], loopback: LoopbackServer,
                                    argv: list[str]) -> None:
    result = run_cli(argv, env)
    clean(result)
    assert result.returncode == 2 and loopback.seen == []


def test_set_many_partial_failure_exit_1(env: dict[str, str], loopback: LoopbackServer) -> None:
    loopback.add(Behaviour(500, "", times=None, method="PUT", path_contains="i.B0VNN8Bf9dYXOV"))
    result = run_cli(["set", "--json", "i.NJv00rkTEaLK51", "i.B0VNN8Bf9dYXOV",
                      "i.Pz7Lk0aW3qYd1M", "dislike"], env)
    clean(result)
    assert result.returncode == 1
    rows = json.loads(result.stdout)
    assert [r.get("error", {}).get("status") for r in rows] == [None, 500, None]
    assert "amratings: error (i.B0VNN8Bf9dYXOV)" in result.stderr


# ------------------------------------------------------------------------------- apply


def test_apply_twice_sends_nothing_the_second_time(env: dict[str, str], loopback: LoopbackServer,
                                                   tmp_path: Any) -> None:
    export = run_cli(["library", "--type", "library-albums", "--json"], env)
    rows = json.loads(export.stdout)
    rows[0]["value"], rows[0]["rating"] = None, None            # clear
    rows[1]["value"], rows[1]["rating"] = 1, "like"             # disliked -> like
    unrated = next(r for r in rows if r["value"] is None and r is not rows[0])
    unrated["value"], unrated["rating"] = -1, "dislike"
    wanted = {r["id"]: r["value"] for r in rows}
    path = tmp_path / "albums.json"
    path.write_text(json.dumps(rows))
    before = len(loopback.seen)
    dry = run_cli(["apply", "--dry-run", "--json", str(path)], env)
    clean(dry)
    assert dry.returncode == 0, dry.stderr
    assert {s.method for s in loopback.seen[before:]} == {"GET"}
    plan = json.loads(dry.stdout)
    assert [p["action"] for p in plan[:2]] == ["clear", "like"]
    assert all(not p["done"] for p in plan)
    assert "would like 1, would dislike 1, would clear 1" in dry.stderr

    first = run_cli(["apply", str(path)], env)
    clean(first)
    assert first.returncode == 0, first.stderr
    assert "liked 1, disliked 1, cleared 1, already right" in first.stderr
    changes = [s for s in loopback.seen if s.method in ("PUT", "DELETE")]
    assert len(changes) == 3
    for item_id, value in wanted.items():
        assert loopback.sim.rating_of("library-albums", item_id) == value
    before = len(loopback.seen)
    second = run_cli(["apply", "--jsonl", str(path)], env)
    clean(second)
    assert second.returncode == 0
    assert {s.method for s in loopback.seen[before:]} == {"GET"}
    assert {json.loads(line)["action"] for line in second.stdout.splitlines()} == {"keep"}
    assert "liked 0, disliked 0, cleared 0" in second.stderr


def test_apply_reads_csv_and_jsonl_from_stdin_and_get_exports(env: dict[str, str],
                                                              loopback: LoopbackServer) -> None:
    export = run_cli(["library", "--type", "library-playlists", "--csv"], env)
    table = list(csv.DictReader(io.StringIO(export.stdout)))
    table[0]["value"], table[0]["rating"] = "-1", "dislike"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(table[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    result = run_cli(["apply", "-"], env, stdin=buffer.getvalue())
    clean(result)
    assert result.returncode == 0, result.stderr
    assert loopback.sim.rating_of("library-playlists", table[0]["id"]) == -1
    got = run_cli(["get", "--type", "songs", "--jsonl", "907242702", "1151618586"], env)
    lines = [json.loads(line) for line in got.stdout.splitlines()]
    lines[1]["value"], lines[1]["rating"] = 1, "like"
    applied = run_cli(["apply", "-"], env, stdin="\n".join(json.dumps(x) for x in lines))
    clean(applied)
    assert applied.returncode == 0, applied.stderr
    assert loopback.sim.rating_of("songs", "1151618586") == 1


def test_apply_skips_rows_recording_a_failed_lookup(env: dict[str, str],
                                                    loopback: LoopbackServer) -> None:
    rows = [{"id": "i.NJv00rkTEaLK51", "type": "library-music-videos", "value": None,
             "rating": None, "error": {"status": 500}}]
    result = run_cli(["apply", "-"], env, stdin=json.dumps(rows))
    clean(result)
    assert result.returncode == 0 and "skipped 1 rows" in result.stderr
    assert loopback.sim.rating_of("library-music-videos", "i.NJv00rkTEaLK51") == 1


@pytest.mark.parametrize("content,words", [
    ("", "empty"), ("[1, 2]", "not an object"), ('[{"id": "x"}]', "type"),
    ('[{"id": "i.a", "type": "library-songs", "value": 2}]', "1, -1 or null"),
    ('[{"id": "a/b", "type": "library-songs", "value": 1}]', "invalid id"),
    ('[{"id": "i.a", "type": "song", "value": 1}]', "unknown rating type"),
    ('[{"id": "i.a", "type": "library-songs", "value": 1},'
     ' {"id": "i.a", "type": "library-songs", "value": -1}]', "another rating"),
    ("name,other\nx,y\n", "header"), ("[{", "JSON array"), ('{"id": 1}\nnope', "line 2"),
])
def test_apply_bad_file_exit_2(env: dict[str, str], loopback: LoopbackServer, content: str,
                               words: str) -> None:
    result = run_cli(["apply", "-"], env, stdin=content)
    clean(result)
    assert result.returncode == 2, result.stderr
    assert words in result.stderr and loopback.seen == []


def test_apply_missing_file_exit_2(env: dict[str, str], loopback: LoopbackServer) -> None:
    result = run_cli(["apply", "/nonexistent/export.json"], env)
    clean(result)
    assert result.returncode == 2 and "cannot read" in result.stderr


def test_demo_shows_the_library(isolated_env: dict[str, str]) -> None:
    runs = [["--demo", "library", "--json"], ["--demo", "search", "neon", "--json"],
            ["--demo", "get", "--names", "--type", "library-songs", "--json",
             "i.7PJNN4mfXlD68R"]]
    library, search, names = run_cli_many([(argv, isolated_env) for argv in runs])
    for result in (library, search, names):
        clean(result)
        assert result.returncode == 0, result.stderr
    rows = json.loads(library.stdout)
    assert 1100 < len(rows) < 1200
    assert {r["value"] for r in rows} == {1, -1, None}
    assert json.loads(search.stdout)[0]["name"] == "Neon Harbor"
    assert json.loads(names.stdout)[0]["name"] == "Neon Harbor"
