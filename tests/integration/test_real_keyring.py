"""The token commands against a real Secret Service: gnome-keyring inside dbus-run-session.

The unit tests use in-memory keyrings; only this test shows that keyring's SecretService backend
(secretstorage over D-Bus) really stores, finds and deletes our two entries, that ``token
status`` reports the keyring as the source, and that a lookup works with nothing but the keyring.
Everything lives in a temporary HOME with a throwaway login keyring, so no real keyring is read,
unlocked or changed.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tui.api.simulated import SimulatedAppleMusic, make_demo_developer_token
from tui.tokens.redact import fingerprint

from .server import serve
from .support import clean_env, installed_amratings, require_tools

pytestmark = pytest.mark.keyring_integration

HERE = Path(__file__).resolve().parent
SECRET_SERVICE = "keyring.backends.SecretService.Keyring"
#: Liked in the simulation's seeded library (library-music-videos, the default type).
LIKED_ID = "i.NJv00rkTEaLK51"


def _secretstorage_importable() -> None:
    # keyring silently drops its SecretService backend when secretstorage is missing, and the
    # CLI would then report "keyring unavailable" instead of exercising the real thing.
    try:
        import secretstorage  # noqa: F401
    except ImportError as exc:
        pytest.fail(f"secretstorage is not importable ({exc}); keyring's SecretService "
                    "backend needs it", pytrace=False)


def _run_session(tmp_path: Path, tokens: dict[str, str],
                 steps: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Run ``steps`` inside one dbus-run-session with an unlocked throwaway keyring."""
    tools = require_tools({"dbus-run-session": "dbus-daemon",
                           "gnome-keyring-daemon": "gnome-keyring",
                           "secret-tool": "libsecret-tools"})
    home = tmp_path / "home"
    env = clean_env(home)
    runtime = tmp_path / "run"
    env.update(
        PYTHON_KEYRING_BACKEND=SECRET_SERVICE,
        XDG_RUNTIME_DIR=str(runtime),
        KEYRING_PASSWORD=secrets.token_hex(8),
        # A first D-Bus activation can be slow on a loaded CI machine; the default 3 s keyring
        # timeout is meant for hangs over SSH, not for this.
        AMRATINGS_KEYRING_TIMEOUT="15",
    )
    token_file = tmp_path / "tokens.json"
    token_file.touch(mode=0o600)
    token_file.write_text(json.dumps(tokens), "utf-8")
    steps_file = tmp_path / "steps.json"
    steps_file.write_text(json.dumps(steps), "utf-8")
    done = subprocess.run(
        [tools["dbus-run-session"], "--", "bash", str(HERE / "keyring_session.sh"),
         sys.executable, str(HERE / "keyring_steps.py"), str(token_file), str(steps_file)],
        env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    # dbus-daemon complains it cannot raise its fd limit when not privileged: harmless noise.
    assert done.returncode == 0, f"keyring session failed: {done.stderr[-2000:]}"
    results = json.loads(done.stdout)
    for token in tokens.values():
        assert token not in done.stdout and token not in done.stderr
    return {r["name"]: r for r in results}


def _status(result: dict[str, Any]) -> dict[str, Any]:
    assert result["stdout"].strip(), f"no JSON from token status: {result['stderr']}"
    data: dict[str, Any] = json.loads(result["stdout"])
    return data


def test_token_set_status_lookup_forget_through_gnome_keyring(tmp_path: Path) -> None:
    _secretstorage_importable()
    amratings = installed_amratings()
    developer = make_demo_developer_token()
    user = f"fake-music-user-token-KEYRING-IT-{secrets.token_hex(6)}"
    tokens = {"developer": developer, "user": user}
    # The simulation accepts exactly these two tokens, so a successful lookup proves that the
    # CLI sent what it read back from the keyring.
    sim = SimulatedAppleMusic(developer_tokens=[developer], user_tokens=[user])

    def cli(name: str, *args: str, stdin: str | None = None) -> dict[str, Any]:
        return {"name": name, "argv": [amratings, *args], "stdin": stdin}

    def lookup(name: str) -> dict[str, Any]:
        return {"name": name,
                "argv": ["secret-tool", "lookup", "service", "amratings", "username", name],
                "compare_stdout": "developer" if name == "developer-token" else "user"}

    with serve(sim) as server:
        get = ("--base-url", server.url, "get", "--json", LIKED_ID)
        steps = [
            cli("status-before", "token", "status", "--json"),
            cli("set-developer", "token", "set", "developer", stdin="developer"),
            cli("set-user", "token", "set", "user", stdin="user"),
            cli("status-stored", "token", "status", "--json"),
            lookup("developer-token"),
            lookup("music-user-token"),
            cli("get-stored", *get),
            cli("forget-all", "token", "forget", "all"),
            cli("status-forgotten", "token", "status", "--json"),
            cli("get-forgotten", *get),
            {**lookup("developer-token"), "name": "developer-token-after-forget"},
        ]
        r = _run_session(tmp_path, tokens, steps)
        requests_sent = list(server.requests)

    for name, result in r.items():
        assert not result["leaked"], f"a token appeared whole in the output of {name}"

    before = _status(r["status-before"])
    assert r["status-before"]["rc"] == 2, "both tokens missing must exit 2"
    assert before["keyring"]["usable"] is True, before["keyring"]
    assert before["keyring"]["backend"] == SECRET_SERVICE
    assert before["developer"]["source"] == before["user"]["source"] == "none"

    for kind in ("developer", "user"):
        step = r[f"set-{kind}"]
        assert step["rc"] == 0, step["stderr"]
        assert "in the keyring" in step["stdout"]
        assert fingerprint(tokens[kind]) in step["stdout"]

    stored = _status(r["status-stored"])
    assert r["status-stored"]["rc"] == 0, r["status-stored"]["stderr"]
    for kind in ("developer", "user"):
        assert stored[kind]["source"] == "keyring", stored[kind]
        assert stored[kind]["fingerprint"] == fingerprint(tokens[kind])
    assert stored["developer"]["kid"] == "DEMOKEY001"

    # The secrets really sit in gnome-keyring (libsecret reads them back), under the service
    # and usernames the store documents.
    assert r["developer-token"]["rc"] == 0 and r["developer-token"]["stdout_matches"] is True
    assert r["music-user-token"]["rc"] == 0 and r["music-user-token"]["stdout_matches"] is True

    got = r["get-stored"]
    assert got["rc"] == 0, got["stderr"]
    (row,) = json.loads(got["stdout"])
    assert row["id"] == LIKED_ID and row["value"] == 1 and row["rating"] == "like", row
    assert any(LIKED_ID in path for _, path, _ in requests_sent)
    assert all(has_user_token for _, _, has_user_token in requests_sent)

    assert r["forget-all"]["rc"] == 0, r["forget-all"]["stderr"]
    assert r["forget-all"]["stdout"].count("from the keyring") == 2, r["forget-all"]["stdout"]
    forgotten = _status(r["status-forgotten"])
    assert r["status-forgotten"]["rc"] == 2
    assert forgotten["developer"]["source"] == forgotten["user"]["source"] == "none"
    assert forgotten["keyring"]["usable"] is True

    # With the keyring emptied and no env vars, the lookup has no tokens: exit 2, nothing sent.
    assert r["get-forgotten"]["rc"] == 2
    assert "no developer token found" in r["get-forgotten"]["stderr"]
    assert len(requests_sent) == 1, requests_sent
    assert r["developer-token-after-forget"]["rc"] != 0
    assert r["developer-token-after-forget"]["stdout"] == ""


def test_the_session_harness_uses_no_real_keyring(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Cheap guard that needs no tools: the harness must never inherit a desktop session's bus
    # or keyring, or the test above could write into a developer's real login keyring.
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus")
    monkeypatch.setenv("GNOME_KEYRING_CONTROL", "/run/user/1000/keyring")
    monkeypatch.setenv("APPLE_MUSIC_USER_TOKEN", "from-the-developer-shell")
    env = clean_env(tmp_path / "home")
    assert env["HOME"] == str(tmp_path / "home")
    assert "DBUS_SESSION_BUS_ADDRESS" not in env
    assert "GNOME_KEYRING_CONTROL" not in env
    assert not any(k.startswith("APPLE_MUSIC_") for k in env)
