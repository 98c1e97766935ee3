"""``amratings --demo serve`` in a real headless Chromium: the page loads (from this machine
only: no web font service or CDN), the app in it shows the DEMO banner, typing sample ids and
Enter shows the rating badges, a screenshot of the page is saved, and in the request inspector
copy as curl opens a browser tab while the HAR export arrives as a download.

The text is read from xterm.js's own screen buffer (the terminal in the page draws on a canvas,
so its text is not in the DOM): a script installed before the page's scripts keeps a reference
to the terminal object when textual-serve's page creates it.

Set ``AMRATINGS_SCREENSHOT_DIR=screenshots`` to refresh ``screenshots/web-demo.png``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium_kit import chromium, require_chromium
from har_spec import problems

from tui.api.simulated import DEMO_USER_TOKEN

try:
    import textual_serve  # noqa: F401  (the optional extra; the test extra includes it)
except ImportError:
    if os.environ.get("CI"):
        raise
    pytest.skip("needs textual-serve: pip install -e '.[test]'", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
#: Where the screenshot goes (read before the fixtures isolate the environment).
SCREENSHOT_DIR = os.environ.get("AMRATINGS_SCREENSHOT_DIR")
SAMPLE = "i.NJv00rkTEaLK51 i.B0VNN8Bf9dYXOV i.Pz7Lk0aW3qYd1M"
#: Runs before any script of the page: keeps the xterm.js Terminal that textual.js assigns to
#: ``this.terminal``, and lets the assignment happen as usual.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    if (value && value.buffer && value.buffer.active) { window.__terminal = value; }
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true,
                                             enumerable: true});
  },
});
"""
SCREEN_TEXT = """
const t = window.__terminal;
if (!t) { return null; }
const lines = [];
for (let i = 0; i < t.rows; i++) {
  const line = t.buffer.active.getLine(i);
  lines.push(line ? line.translateToString(true) : "");
}
return lines.join("\\n");
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(isolated_env: dict[str, str]) -> Iterator[str]:
    """``amratings --demo serve`` on a free loopback port; its whole process group (the server
    and the app each page started) is stopped afterwards, whatever happened."""
    require_chromium()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "--demo", "serve", "--port", str(port)],
        cwd=ROOT, env=isolated_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"serve exited: {process.stderr.read().decode()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("serve did not listen within 30 s")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/"
    finally:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        if process.stderr:
            process.stderr.close()


def wait_for(driver: Any, predicate: Callable[[str], bool], what: str,
             timeout: float = 45) -> str:
    """The terminal's text once ``predicate`` holds for it; fails (never hangs) otherwise."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = driver.execute_script(SCREEN_TEXT) or ""
        if predicate(text):
            return text
        time.sleep(0.3)
    pytest.fail(f"{what} did not appear within {timeout:.0f} s; the page shows:\n{text}")


def test_demo_in_a_real_browser(served: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    with chromium(1280, 800) as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                               {"source": CATCH_TERMINAL})
        driver.get(served)
        assert driver.title == "amratings --demo"  # the page itself loaded
        # Everything the page asked for came from this server (no CDN, no font service).
        asked = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        assert asked and all(url.startswith(served.rstrip("/")) or url.startswith("ws")
                             for url in asked), asked
        text = wait_for(driver, lambda t: "DEMO" in t and "simulated Apple Music API" in t,
                        "the DEMO banner")
        assert "amratings" in text
        keys = driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
        keys.send_keys(SAMPLE)
        wait_for(driver, lambda t: "i.Pz7Lk0aW3qYd1M" in t, "the typed ids")
        keys.send_keys(Keys.ENTER)
        text = wait_for(driver, lambda t: "Liked" in t and "Disliked" in t and "Not rated" in t,
                        "the rating badges")
        assert "♥ Liked" in text and "✕ Disliked" in text
        # The names come after the ratings (a second lookup): let them in for the picture.
        deadline = time.monotonic() + 10
        while "Golden Parade" not in text and time.monotonic() < deadline:
            time.sleep(0.2)
            text = driver.execute_script(SCREEN_TEXT) or ""
        save_screenshot(driver, tmp_path)

        # Copy as curl and the HAR export go through the browser: a new tab, a download.
        downloads = tmp_path / "downloads"
        downloads.mkdir()
        driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": str(downloads)})
        page = driver.current_window_handle
        keys.send_keys(Keys.DOWN)
        wait_for(driver, lambda t: "i Inspect" in t, "the results' keys in the footer")
        keys.send_keys("i")
        wait_for(driver, lambda t: "Request inspector" in t, "the request inspector")
        keys.send_keys("c")
        deadline = time.monotonic() + 30
        while len(driver.window_handles) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(driver.window_handles) == 2, "copy as curl opened no browser tab"
        tab = next(h for h in driver.window_handles if h != page)
        driver.switch_to.window(tab)
        deadline = time.monotonic() + 30
        body = ""
        while not body.startswith("curl ") and time.monotonic() < deadline:
            body = driver.find_element(By.TAG_NAME, "body").text
            time.sleep(0.2)
        assert body.startswith("curl ") and '"$APPLE_MUSIC_USER_TOKEN"' in body
        assert DEMO_USER_TOKEN not in body
        driver.close()
        driver.switch_to.window(page)
        keys = driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
        keys.send_keys("h")
        deadline = time.monotonic() + 30
        hars: list[Path] = []
        while not hars and time.monotonic() < deadline:
            hars = list(downloads.glob("*.har"))
            time.sleep(0.2)
        assert hars, f"no HAR download; the folder has {list(downloads.iterdir())}"
        doc = json.loads(hars[0].read_text(encoding="utf-8"))
        assert problems(doc) == [] and doc["log"]["entries"]
        assert DEMO_USER_TOKEN not in hars[0].read_text()


def save_screenshot(driver: Any, tmp_path: Path) -> None:
    """The page as a PNG, in ``AMRATINGS_SCREENSHOT_DIR`` when set (README's picture)."""
    folder = Path(SCREENSHOT_DIR or tmp_path)
    if not folder.is_absolute():
        folder = ROOT / folder
    shot = folder / "web-demo.png"
    assert driver.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
