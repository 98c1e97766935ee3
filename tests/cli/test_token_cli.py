"""``amratings token ...``: exit codes, output, keyring trouble, and that no token leaks."""

from __future__ import annotations

import io
import json
import logging
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from repo_kit import ROOT as REPO

from tests.loopback import LoopbackServer
from tests.tokens.conftest import (  # fixtures shared with the token unit tests
    FAKE_DEV,
    FAKE_USER,
    KEY_ID,
    TEAM_ID,
    home,
    key_file,
    locked_keyring,
    memory_keyring,
)
from tui.__main__ import main
from tui.api.simulated import DEMO_USER_TOKEN, make_demo_developer_token
from tui.tokens.keyrings import LockedKeyring, MemoryKeyring
from tui.tokens.redact import fingerprint
from tui.tokens.store import KEYRING_SERVICE, KEYRING_USERNAMES, token_file_path

__all__ = ["home", "key_file", "locked_keyring", "memory_keyring"]
Result = tuple[int, str, str]
Cli = Callable[..., Result]
DEV_KEY = (KEYRING_SERVICE, KEYRING_USERNAMES["developer"])
USER_KEY = (KEYRING_SERVICE, KEYRING_USERNAMES["user"])


@pytest.fixture
def cli(home: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run ``amratings ARGS`` in this process; returns (exit status, stdout, stderr)."""

    def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> Result:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def run_cli(args: list[str], env: dict[str, str], *, stdin: str | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python -m tui ARGS`` in a real process of this venv; never raises on a failure."""
    return subprocess.run([sys.executable, "-m", "tui", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


def good_env() -> dict[str, str]:
    return {"APPLE_MUSIC_DEVELOPER_TOKEN": make_demo_developer_token(),
            "APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN}


# ---------------------------------------------------------------------- status


def test_status_ok(cli: Cli) -> None:
    env = good_env()
    code, out, err = cli("token", "status", env=env)
    assert code == 0, err
    assert "Developer token: " + fingerprint(env["APPLE_MUSIC_DEVELOPER_TOKEN"]) in out
    assert "from environment (APPLE_MUSIC_DEVELOPER_TOKEN)" in out
    assert "alg ES256, kid DEMOKEY001, iss DEMOTEAM01" in out
    assert "(expires in 89 days)" in out or "(expires in 90 days)" in out
    assert "Keyring unavailable: the keyring is disabled (null backend)" in out
    assert env["APPLE_MUSIC_DEVELOPER_TOKEN"] not in out + err and DEMO_USER_TOKEN not in out


def test_status_error_finding_exits_1(cli: Cli) -> None:
    expired = make_demo_developer_token(now=time.time() - 100 * 86400, days=90)
    code, out, _ = cli("token", "status", env={**good_env(),
                                               "APPLE_MUSIC_DEVELOPER_TOKEN": expired})
    assert code == 1
    assert "error: Expired (expired 10 days ago)." in out and "why: Apple refuses" in out
    code, out, _ = cli("token", "status", env={**good_env(),
                                               "APPLE_MUSIC_DEVELOPER_TOKEN": FAKE_DEV})
    assert code == 1 and "error: Not a JWT." in out
    hs = make_demo_developer_token(alg="HS256")
    code, out, _ = cli("token", "status", env={**good_env(), "APPLE_MUSIC_DEVELOPER_TOKEN": hs})
    assert code == 1 and "alg is HS256, not ES256." in out


def test_status_warning_only_exits_0(cli: Cli) -> None:
    env = {**good_env(), "APPLE_MUSIC_USER_TOKEN": make_demo_developer_token(days=10)}
    code, out, _ = cli("token", "status", env=env)
    assert code == 0 and "warning: Looks like a JWT." in out


def test_status_missing_exits_2(cli: Cli) -> None:
    code, out, err = cli("token", "status")
    assert code == 2
    assert "Developer token: not set" in out and "Music user token: not set" in out
    assert "problem: keyring unavailable: the keyring is disabled (null backend)" in out
    assert "hint: set APPLE_MUSIC_DEVELOPER_TOKEN" in err
    # Missing wins over an error finding.
    code, _, _ = cli("token", "status", env={"APPLE_MUSIC_DEVELOPER_TOKEN": FAKE_DEV})
    assert code == 2


def test_status_json(cli: Cli, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.entries[USER_KEY] = DEMO_USER_TOKEN
    env = {"APPLE_MUSIC_DEVELOPER_TOKEN": make_demo_developer_token()}
    code, out, _ = cli("token", "status", "--json", env=env)
    data = json.loads(out)
    assert code == 0 and data["ok"] is True and data["missing"] == []
    assert data["developer"]["source"] == "env" and data["developer"]["alg"] == "ES256"
    assert data["developer"]["exp"].endswith("Z") and data["developer"]["findings"] == []
    assert data["user"]["source"] == "keyring"
    assert data["user"]["fingerprint"] == fingerprint(DEMO_USER_TOKEN)
    assert data["keyring"] == {"usable": True, "backend": "tui.tokens.keyrings.MemoryKeyring",
                               "why": None}
    assert DEMO_USER_TOKEN not in out


def test_status_demo_with_option_after_the_subcommand(cli: Cli) -> None:
    code, out, _ = cli("token", "status", "--demo", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["developer"]["source"] == data["user"]["source"] == "demo"
    assert data["keyring"] is None


# ---------------------------------------------------------------------- set / forget


def test_set_from_stdin_into_the_keyring(cli: Cli, memory_keyring: MemoryKeyring) -> None:
    code, out, err = cli("token", "set", "user", stdin=f"  {FAKE_USER}\n\n")
    assert code == 0, err
    assert memory_keyring.entries[USER_KEY] == FAKE_USER
    assert out == f"Stored the music user token ({fingerprint(FAKE_USER)}) in the keyring.\n"
    jwt_token = make_demo_developer_token()
    code, out, err = cli("token", "set", "developer", stdin=jwt_token)
    assert code == 0, err
    assert memory_keyring.entries[DEV_KEY] == jwt_token


def test_set_developer_not_a_jwt_without_a_terminal_needs_force(
        cli: Cli, memory_keyring: MemoryKeyring) -> None:
    code, out, err = cli("token", "set", "developer", stdin=FAKE_USER)
    assert code == 2 and out == ""
    assert "the value is not a JWT" in err and "nothing was stored" in err
    assert "--force" in err and "amratings token set user" in err
    assert memory_keyring.entries == {}
    code, out, err = cli("token", "set", "developer", "--force", stdin=FAKE_DEV)
    assert code == 0
    assert "looks wrong (error): Not a JWT." in err  # stored as asked, with a warning
    assert memory_keyring.entries[DEV_KEY] == FAKE_DEV


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "stored"), [("y\n", True), ("yes\n", True), ("\n", False),
                                                ("n\n", False), ("", False)])
def test_set_developer_not_a_jwt_on_a_terminal_asks(
        cli: Cli, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], answer: str, stored: bool) -> None:
    import getpass

    monkeypatch.setattr(getpass, "getpass", lambda prompt="": FAKE_DEV)
    monkeypatch.setattr(sys, "stdin", _Terminal(answer))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code = main(["token", "set", "developer"])
    out, err = capsys.readouterr()
    assert "the value is not a JWT" in err and "Store it anyway? [y/N]" in err
    assert FAKE_DEV not in out + err
    if stored:
        assert code == 0 and memory_keyring.entries[DEV_KEY] == FAKE_DEV
    else:
        assert code == 2 and memory_keyring.entries == {} and "nothing was stored" in err


def test_set_refuses_empty(cli: Cli, memory_keyring: MemoryKeyring) -> None:
    code, out, err = cli("token", "set", "developer", stdin=" \n\t\n")
    assert code == 2 and out == ""
    assert "no developer token given (empty input)" in err
    assert memory_keyring.entries == {}


def test_set_without_keyring_exits_1_and_offers_alternatives(cli: Cli) -> None:
    code, out, err = cli("token", "set", "user", stdin=FAKE_USER)
    assert code == 1 and out == ""
    assert ("amratings: error: keyring unavailable: the keyring is disabled (null backend) "
            "(backend found: keyring.backends.null.Keyring)") in err
    assert "APPLE_MUSIC_USER_TOKEN" in err and "amratings token set user --file" in err
    assert "Traceback" not in err
    assert not token_file_path().exists()  # never silently falls back to the file


def test_set_file_is_0600(cli: Cli) -> None:
    code, out, err = cli("token", "set", "user", "--file", stdin=FAKE_USER)
    assert code == 0, err
    path = token_file_path()
    assert f"in {path} (mode 0600)" in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    code, out, _ = cli("token", "status", "--json")
    assert json.loads(out)["user"]["source"] == "file"


def test_set_warns_when_the_environment_shadows_it(cli: Cli,
                                                   memory_keyring: MemoryKeyring) -> None:
    code, _, err = cli("token", "set", "user", stdin=FAKE_USER,
                       env={"APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN})
    assert code == 0
    assert "from environment (APPLE_MUSIC_USER_TOKEN) takes precedence" in err
    assert "hint: unset APPLE_MUSIC_USER_TOKEN" in err


def test_set_and_forget_refuse_demo(cli: Cli, memory_keyring: MemoryKeyring) -> None:
    assert cli("token", "set", "user", "--demo", stdin=FAKE_USER)[0] == 2
    assert cli("token", "--demo", "forget", "all")[0] == 2
    assert memory_keyring.entries == {}


def test_forget(cli: Cli, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.entries[DEV_KEY] = FAKE_DEV
    cli("token", "set", "user", "--file", stdin=FAKE_USER)
    code, out, _ = cli("token", "forget", "all")
    assert code == 0
    assert out.splitlines() == [
        "Removed the developer token from the keyring (tui.tokens.keyrings.MemoryKeyring).",
        f"Removed the music user token from {token_file_path()}."]
    assert memory_keyring.entries == {} and not token_file_path().exists()
    code, out, err = cli("token", "forget", "user",
                         env={"APPLE_MUSIC_USER_TOKEN": DEMO_USER_TOKEN})
    assert code == 0 and out == "No stored music user token to remove.\n"
    assert "APPLE_MUSIC_USER_TOKEN is still set" in err


def test_forget_with_a_locked_keyring_exits_1(cli: Cli, locked_keyring: LockedKeyring) -> None:
    code, _, err = cli("token", "forget", "developer")
    assert code == 1
    assert "warning: keyring unavailable: the keyring is locked" in err
    assert "a token may remain" in err


def test_token_without_subcommand(cli: Cli) -> None:
    code, _, err = cli("token")
    assert code == 2 and "choose a token subcommand" in err


# ---------------------------------------------------------------------- check


def test_check_demo(cli: Cli) -> None:
    code, out, _ = cli("--demo", "token", "check")
    assert code == 0
    assert "GET /v1/test -> HTTP 200" in out and "GET /v1/me/storefront -> HTTP 200" in out
    assert "PASSED" in out and "storefront United States (us)" in out


def test_check_over_loopback(cli: Cli, loopback: LoopbackServer) -> None:
    env = good_env()
    code, out, err = cli("token", "check", "--base-url", loopback.url, env=env)
    assert code == 0, out + err
    assert "sending your tokens to http://127.0.0.1" in err  # not Apple: say so
    code, out, _ = cli("token", "check", "--json", "--base-url", loopback.url,
                       env={**env, "APPLE_MUSIC_USER_TOKEN": FAKE_USER})
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    assert [s["status"] for s in data["steps"]] == [200, 403]
    assert data["steps"][1]["code"] == "40300"
    assert data["tokens"]["user"]["fingerprint"] == fingerprint(FAKE_USER)
    assert FAKE_USER not in out
    code, out, _ = cli("token", "check", "--base-url", loopback.url,
                       env={**env, "APPLE_MUSIC_DEVELOPER_TOKEN": FAKE_DEV})
    assert code == 1
    assert "GET /v1/test -> HTTP 401" in out and "FAILED" in out
    assert "GET /v1/me/storefront: SKIPPED" in out
    assert "Apple rejected the developer token" in out


def test_check_missing_exits_2(cli: Cli) -> None:
    code, out, err = cli("token", "check")
    assert code == 2 and "MISSING" in out and "hint: set APPLE_MUSIC_DEVELOPER_TOKEN" in err


def test_check_bad_base_url_exits_2(cli: Cli) -> None:
    code, _, err = cli("token", "check", "--base-url", "http://example.com", env=good_env())
    assert code == 2 and "https is required" in err


# ---------------------------------------------------------------------- generate


def test_generate_prints_a_verifiable_token(cli: Cli, key_file: Path) -> None:
    code, out, err = cli("token", "generate", "--team-id", TEAM_ID, "--key-id", KEY_ID,
                         "--key-file", str(key_file), "--days", "30",
                         "--origin", "https://a.example", "--origin", "https://b.example")
    assert code == 0, err
    token = out.strip()
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    claims = jwt.decode(token, key.public_key(), algorithms=["ES256"])  # type: ignore[union-attr]
    assert claims["iss"] == TEAM_ID and claims["exp"] - claims["iat"] == 30 * 86400
    assert claims["origin"] == ["https://a.example", "https://b.example"]
    assert jwt.get_unverified_header(token)["kid"] == KEY_ID
    assert f"made a developer token {fingerprint(token)}" in err and token not in err


def test_generate_save(cli: Cli, key_file: Path, memory_keyring: MemoryKeyring) -> None:
    code, out, err = cli("token", "generate", "--team-id", TEAM_ID, "--key-id", KEY_ID,
                         "--key-file", str(key_file), "--save")
    assert code == 0, err
    token = memory_keyring.entries[DEV_KEY]
    assert token not in out + err and fingerprint(token) in out
    assert "(expires in 180 days) in the keyring" in out


def _stored_file_token() -> str:
    path = token_file_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token: str = json.loads(path.read_text())["developer"]
    return token


def test_generate_save_without_keyring_falls_back_to_the_file(cli: Cli, key_file: Path) -> None:
    # No terminal to ask: the token the user asked to keep goes to the 0600 file, said clearly.
    code, out, err = cli("token", "generate", "--team-id", TEAM_ID, "--key-id", KEY_ID,
                         "--key-file", str(key_file), "--save")
    assert code == 0, err
    path = token_file_path()
    assert ("amratings: warning: keyring unavailable: the keyring is disabled (null backend)"
            in err)
    assert f"storing the new token in {path} (mode 0600) instead" in err
    assert "amratings token forget developer" in err
    token = _stored_file_token()
    assert jwt.get_unverified_header(token)["kid"] == KEY_ID
    assert f"Stored a new developer token {fingerprint(token)}" in out
    assert f"in {path} (mode 0600)." in out and token not in out + err
    code, out, _ = cli("token", "generate", "--team-id", TEAM_ID, "--key-id", KEY_ID,
                       "--key-file", str(key_file), "--save", "--file")
    assert code == 0 and "(mode 0600)" in out


@pytest.mark.parametrize(("answer", "stored"), [("\n", True), ("y\n", True), ("n\n", False),
                                                ("", False)])
def test_generate_save_without_keyring_on_a_terminal_asks(
        key_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        home: dict[str, str], answer: str, stored: bool) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal(answer))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code = main(["token", "generate", "--team-id", TEAM_ID, "--key-id", KEY_ID,
                 "--key-file", str(key_file), "--save"])
    out, err = capsys.readouterr()
    assert "keyring unavailable" in err
    assert f"Store the new token in {token_file_path()} (mode 0600) instead? [Y/n]" in err
    if stored:
        assert code == 0 and fingerprint(_stored_file_token()) in out
    else:
        assert code == 1 and out == "" and not token_file_path().exists()
        assert "`--save --file`" in err and "without --save to print the token" in err


def test_generate_save_with_neither_keyring_nor_file_says_how_to_keep_it(
        cli: Cli, key_file: Path) -> None:
    token_file_path().parent.mkdir(parents=True, exist_ok=True)
    token_file_path().mkdir()  # the file cannot be written
    code, out, err = cli("token", "generate", "--team-id", TEAM_ID, "--key-id", KEY_ID,
                         "--key-file", str(key_file), "--save")
    assert code == 1 and out == ""
    assert "keyring unavailable" in err and "hint: run again without --save" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("args", "words"), [
    (["--key-file", "/nonexistent/AuthKey_TESTKEY001.p8"], "does not exist"),
    (["--team-id", "SHORT"], "not a 10-character Team ID"),
    (["--key-id", "TESTKEY0012"], "not a 10-character Key ID"),
    (["--days", "200"], "15,777,000 s (about 182.6 days)"),
    (["--file"], "--file only applies with --save"),
])
def test_generate_bad_input_exits_2(cli: Cli, key_file: Path, args: list[str],
                                    words: str) -> None:
    base = {"--team-id": TEAM_ID, "--key-id": KEY_ID, "--key-file": str(key_file)}
    argv = ["token", "generate"]
    for name, value in base.items():
        if name not in args:
            argv += [name, value]
    code, out, err = cli(*argv, *args)
    assert code == 2 and out == "" and words in err and "Traceback" not in err


def test_generate_not_a_p256_key_exits_2(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "AuthKey_TESTKEY001.p8"
    bad.write_text("FAKE-NOT-A-KEY")
    code, _, err = cli("token", "generate", "--team-id", TEAM_ID, "--key-id", KEY_ID,
                       "--key-file", str(bad))
    assert code == 2 and "not a PKCS#8 PEM private key" in err and "hint:" in err


def test_generate_warns_about_a_key_id_mismatch(cli: Cli, key_file: Path) -> None:
    code, _, err = cli("token", "generate", "--team-id", TEAM_ID, "--key-id", "OTHERKEY01",
                       "--key-file", str(key_file))
    assert code == 0 and "named for key TESTKEY001" in err


# ---------------------------------------------------------------------- keyring trouble in a
# real process: bounded time, one line, no traceback


def _subprocess_env(home: dict[str, str], **extra: str) -> dict[str, str]:
    return {**home, **extra}


def test_hanging_keyring_is_bounded_in_a_real_process(home: dict[str, str]) -> None:
    env = _subprocess_env(home, PYTHON_KEYRING_BACKEND="tui.tokens.keyrings.HangingKeyring",
                          AMRATINGS_KEYRING_TIMEOUT="0.5")
    started = time.monotonic()
    done = run_cli(["token", "set", "user"], env, stdin=FAKE_USER, timeout=30)
    assert time.monotonic() - started < 15
    assert done.returncode == 1
    assert "keyring unavailable: no answer from the keyring" in done.stderr
    assert "--file" in done.stderr and "Traceback" not in done.stderr
    done = run_cli(["token", "status"], env, timeout=30)
    assert done.returncode == 2 and "no answer from the keyring" in done.stdout


@pytest.mark.parametrize("backend", ["nonexistent_module.Keyring",
                                     "tui.tokens.keyrings.UnviableKeyring"])
def test_bad_keyring_backend_in_a_real_process(home: dict[str, str], backend: str) -> None:
    env = _subprocess_env(home, PYTHON_KEYRING_BACKEND=backend)
    done = run_cli(["token", "set", "developer", "--force"], env, stdin=FAKE_DEV)
    assert done.returncode == 1
    assert f"keyring unavailable: PYTHON_KEYRING_BACKEND='{backend}' cannot be used" in \
        done.stderr
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------------- leakage


def _leak_check(texts: list[str], secrets: list[str]) -> None:
    for secret in secrets:
        for text in texts:
            assert secret not in text
        # Not even the signature or a long piece of one.
        for piece in (secret[-20:], secret[:24]):
            for text in texts:
                assert piece not in text


def test_no_command_leaks_a_token(home: dict[str, str], tmp_path: Path, key_file: Path) -> None:
    fake_jwt = make_demo_developer_token(team_id="LEAKTEAM01", key_id="LEAKKEY001")
    server = LoopbackServer(developer_tokens=[FAKE_DEV], user_tokens=[FAKE_USER]).start()
    try:
        keyring_file = tmp_path / "keyring.json"
        outputs: list[str] = []
        secrets = [FAKE_DEV, FAKE_USER, fake_jwt]
        for dev in (FAKE_DEV, fake_jwt):
            env = _subprocess_env(
                home, PYTHON_KEYRING_BACKEND="tui.tokens.keyrings.JsonFileKeyring",
                AMRATINGS_TEST_KEYRING_FILE=str(keyring_file))
            runs: list[tuple[list[str], str | None]] = [
                (["token", "set", "developer", "--force"], dev),
                (["token", "set", "user", "-v"], FAKE_USER),
                (["token", "status"], None),
                (["token", "status", "--json", "-v"], None),
                (["token", "check", "-v", "--base-url", server.url], None),
                (["token", "check", "--json", "--base-url", server.url], None),
                (["-v", "token", "check", "--base-url", server.url], None),
                (["token", "forget", "all", "-v"], None),
                (["token", "set", "developer", "--file", "--force"], dev),
                (["token", "set", "user", "--file"], "FAKE-WRONG-USER-TOKEN-LEAKCHECK"),
                (["token", "check", "-v", "--base-url", server.url], None),  # a 403 answer
                (["token", "status", "-v"], None),
            ]
            for argv, stdin in runs:
                done = run_cli(argv, env, stdin=stdin)
                assert "Traceback" not in done.stderr, (argv, done.stderr)
                outputs += [done.stdout, done.stderr]
            with_env = {**env, "APPLE_MUSIC_DEVELOPER_TOKEN": dev,
                        "APPLE_MUSIC_USER_TOKEN": FAKE_USER}
            for argv in (["token", "status", "-v"], ["token", "check", "-v", "--base-url",
                                                      server.url]):
                done = run_cli(argv, with_env)
                outputs += [done.stdout, done.stderr]
        done = run_cli(["token", "generate", "--team-id", TEAM_ID, "--key-id", KEY_ID,
                        "--key-file", str(key_file), "--save", "-v"], env)
        assert done.returncode == 0, done.stderr
        outputs += [done.stdout, done.stderr]
        generated = json.loads(keyring_file.read_text())["amratings/developer-token"]
        secrets += [generated, "FAKE-WRONG-USER-TOKEN-LEAKCHECK"]
        # The requests really carried the tokens: the leak check is not vacuous.
        sent = [s.headers.get("Authorization", "") for s in server.seen]
        assert f"Bearer {FAKE_DEV}" in sent and f"Bearer {fake_jwt}" in sent
        assert any("-v" in o or "> GET" in o for o in outputs)
        _leak_check(outputs, secrets)
    finally:
        server.stop()


def test_log_records_are_scrubbed(cli: Cli, loopback: LoopbackServer, tmp_path: Path) -> None:
    """With every library logging at debug level into a file, no token reaches the file."""
    from tui.cli.common import _LOG_FILTER

    log_path = tmp_path / "amratings.log"
    handler = logging.FileHandler(log_path)
    handler.addFilter(_LOG_FILTER)
    loggers = [logging.getLogger(n) for n in ("httpx", "httpcore", "tui", "keyring")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    try:
        dev = make_demo_developer_token(team_id="LOGTEAM001")
        env = {"APPLE_MUSIC_DEVELOPER_TOKEN": dev, "APPLE_MUSIC_USER_TOKEN": FAKE_USER}
        cli("token", "check", "-v", "--base-url", loopback.url, env=env)
        cli("token", "status", "-v", env=env)
        # A token that reached a log message through a library is scrubbed by the filter.
        logging.getLogger("httpx").debug("header Authorization: Bearer %s", dev)
        logging.getLogger("tui").warning("user token %s", FAKE_USER)
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)
        handler.close()
    text = log_path.read_text()
    assert "HTTP Request: GET" in text  # the file really received the libraries' records
    assert dev not in text and FAKE_USER not in text
    assert fingerprint(dev) in text
