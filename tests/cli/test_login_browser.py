"""``token login`` in a real headless Chromium, with a stub MusicKit served from loopback.

The page is opened, its button clicked, and the stub's fake token travels back to the server
through the page's own script, as it would from Apple's. Every refusal is made from a real
page too: a wrong nonce, a second post, a foreign origin (a page on another port), a path
without the secret and an oversize body. ``SAVE_SCREENSHOTS=DIR`` also saves the page's
screenshot into DIR (``screenshots/`` holds the committed one).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chromium_kit import chromium
from tests.loopback import LoopbackServer
from tests.musickit_stub import FAKE_MUSIC_USER_TOKEN, MusicKitStub
from tui.api.simulated import make_demo_developer_token
from tui.tokens.login import MUSICKIT_URL_ENV, LoginNotice, LoginServer
from tui.tokens.redact import fingerprint

REPO = Path(__file__).resolve().parents[2]
FAKE = FAKE_MUSIC_USER_TOKEN
SCREENSHOT_NAME = "token-login-page.png"


class Recorder:
    """Stands in for the keyring: records what would be stored there."""

    def __init__(self) -> None:
        self.stored: list[str] = []
        self.notices: list[LoginNotice] = []

    def store(self, token: str) -> str:
        self.stored.append(token)
        return "the keyring"

    def notify(self, notice: LoginNotice) -> None:
        self.notices.append(notice)

    def refusals(self) -> list[str]:
        return [n.message for n in self.notices if n.level == "refused"]


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


#: Runs in the page: fetch(url, init) and report the status and body (or the failure).
FETCH = """
const [url, init, done] = arguments;
fetch(url, init).then(
  async (r) => done({status: r.status, type: r.type, body: await r.text()}),
  (e) => done({error: String(e)}));
"""


def fetch(driver: Any, url: str, **init: Any) -> dict[str, Any]:
    result: dict[str, Any] = driver.execute_async_script(FETCH, url, init)
    return result


def post_token(driver: Any, body: str, url: str = "token", **extra: Any) -> dict[str, Any]:
    return fetch(driver, url, method="POST", body=body,
                 headers={"Content-Type": "application/json"}, **extra)


def status_text(driver: Any) -> str:
    text: str = driver.find_element("id", "status").text
    return text


def save_screenshot(driver: Any, tmp_path: Path) -> Path:
    path = tmp_path / SCREENSHOT_NAME
    assert driver.save_screenshot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    target = os.environ.get("SAVE_SCREENSHOTS")
    if target:
        shutil.copyfile(path, Path(target) / SCREENSHOT_NAME)
    return path


@pytest.fixture
def stub() -> Iterator[MusicKitStub]:
    with MusicKitStub() as running:
        yield running


def test_sign_in_through_a_real_browser_and_every_refusal(stub: MusicKitStub,
                                                          tmp_path: Path) -> None:
    developer = make_demo_developer_token()
    rec = Recorder()
    with chromium() as driver:
        with LoginServer(developer, rec.store, musickit=stub.script_url,
                         notify=rec.notify) as server:
            # A foreign site that somehow knows the secret path and the nonce still cannot
            # post: as JSON the browser's CORS preflight is turned away, and as a "simple"
            # text/plain post the Origin header gives it away.
            driver.get(f"{stub.origin}/foreign.html")
            nonce = server._nonce
            body = json.dumps({"nonce": nonce, "token": FAKE})
            assert "error" in post_token(driver, body, url=f"{server.url}token")
            opaque = fetch(driver, f"{server.url}token", method="POST", body=body,
                           mode="no-cors", headers={"Content-Type": "text/plain"})
            assert opaque.get("type") == "opaque"
            wait_for(lambda: any("another origin" in m for m in rec.refusals()), "the refusal")
            assert f"from another origin ('{stub.origin}')" in rec.refusals()[-1]
            assert rec.stored == []

            # Without the secret path: 404 for the page and for the post.
            driver.get(f"{server.origin}/")
            assert "Not found" in driver.page_source
            assert post_token(driver, body, url="/token")["status"] == 404
            assert fetch(driver, f"/{server.secret}x/")["status"] == 404

            driver.get(server.url)
            wait_for(lambda: driver.find_element("id", "sign-in").is_enabled(),
                     "the button to be enabled")
            assert status_text(driver).startswith("Ready.")
            options = driver.execute_script("return window.__musickitOptions")
            assert options == {"developerToken": developer,
                               "app": {"name": "amratings", "build": "1.0"}}
            page_nonce = driver.find_element("id", "login").get_attribute("data-nonce")
            assert page_nonce == nonce

            # Refused from the page itself: wrong nonce, oversize body, not JSON, a token
            # that does not look like one.
            wrong = post_token(driver, json.dumps({"nonce": "guess", "token": FAKE}))
            assert wrong["status"] == 403 and "one-time nonce" in wrong["body"]
            big = post_token(driver, json.dumps({"nonce": nonce, "token": FAKE,
                                                 "pad": "x" * 40_000}))
            assert big["status"] == 413 and "the limit is 16384" in big["body"]
            junk = post_token(driver, "token=" + FAKE)
            assert junk["status"] == 400 and "not JSON" in junk["body"]
            odd = post_token(driver, json.dumps({"nonce": nonce, "token": "<b>x</b> 12345678"}))
            assert odd["status"] == 400 and "never has" in odd["body"]
            assert rec.stored == [] and server.wait(0) is None

            # The page's CSP is enforced: a script from an origin it does not list is blocked.
            blocked = driver.execute_async_script("""
                const done = arguments[1];
                document.addEventListener("securitypolicyviolation",
                    (e) => done("blocked " + e.blockedURI), {once: true});
                const s = document.createElement("script");
                s.src = arguments[0];
                s.onload = () => done("loaded");
                document.head.appendChild(s);
            """, f"http://localhost:{stub.origin.rsplit(':', 1)[1]}/musickit.js")
            assert blocked.startswith("blocked http://localhost:")

            # The real thing: click, MusicKit (the stub) authorizes, the page posts.
            driver.find_element("id", "sign-in").click()
            wait_for(lambda: status_text(driver).startswith("Done"), "the done message")
            shown = status_text(driver)
            assert shown == (f"Done: the music user token ({fingerprint(FAKE)}) is stored in "
                             "the keyring. You can close this tab.")
            assert driver.find_element("id", "status").get_attribute("class") == "ok"
            assert rec.stored == [FAKE]
            result = server.wait(5)
            assert result is not None and result.outcome == "stored"
            visible = driver.find_element("tag name", "body").text
            assert FAKE not in visible and developer not in visible
            assert FAKE not in driver.current_url
            save_screenshot(driver, tmp_path)

            # Only the first valid post: the same nonce again is refused.
            again = post_token(driver, json.dumps({"nonce": nonce, "token": FAKE + "2"}))
            assert again["status"] == 403 and "already over" in again["body"]
            assert rec.stored == [FAKE]
        # Stopped: the page can no longer reach it.
        assert not server.running
        assert "error" in post_token(driver, json.dumps({"nonce": nonce, "token": FAKE}))
    assert rec.stored == [FAKE]
    assert stub.requests.count("/musickit.js") == 1


def _read_until(stream: Any, needle: str, timeout: float = 30) -> list[str]:
    """Lines from ``stream`` up to the one containing ``needle``."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"{needle!r} never came; got {lines!r}")


def test_the_command_signs_in_stores_checks_and_stops(stub: MusicKitStub, tmp_path: Path,
                                                      isolated_env: dict[str, str]) -> None:
    api = LoopbackServer(user_tokens=[FAKE]).start()
    developer = make_demo_developer_token()
    env = {**isolated_env, "APPLE_MUSIC_DEVELOPER_TOKEN": developer,
           MUSICKIT_URL_ENV: stub.script_url, "APPLE_MUSIC_API_BASE_URL": api.url}
    env.pop("DISPLAY", None)
    env.pop("SSH_CONNECTION", None)
    proc = subprocess.Popen([sys.executable, "-m", "tui", "token", "login", "--file",
                             "--no-browser", "--timeout", "60"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        head = _read_until(proc.stderr, "http://127.0.0.1:")
        url = head[-1].strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        port = int(url.split(":")[2].split("/")[0])
        with chromium() as driver:
            driver.get(url)
            wait_for(lambda: driver.find_element("id", "sign-in").is_enabled(), "the button")
            driver.find_element("id", "sign-in").click()
            wait_for(lambda: status_text(driver).startswith("Done"), "the done message")
            assert "You can close this tab." in status_text(driver)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        api.stop()
    err = "".join(head) + err
    assert proc.returncode == 0, out + err
    token_file = Path(env["XDG_CONFIG_HOME"]) / "amratings" / "tokens.json"
    assert json.loads(token_file.read_text()) == {"user": FAKE}
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    print_ = fingerprint(FAKE)
    assert f"Stored the music user token ({print_}) in {token_file} (mode 0600)." in out
    assert (f"Music user token ({print_}): GET /v1/me/storefront -> HTTP 200") in out
    assert "PASSED" in out and "storefront" in out
    assert f"received the music user token {print_}" in err
    assert FAKE not in out + err and developer not in out + err
    # The check went to the API with the new token, and nothing else did.
    assert api.paths() == ["/v1/me/storefront"]
    assert api.seen[0].headers.get("Music-User-Token") == FAKE
    # The command has ended and its server with it.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
