"""``tests/make_screenshots.py`` draws every main screen from the demo backend, and no picture
(freshly drawn or committed in ``screenshots/``) carries a token."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from browser_kit import FIXED_NOW
from repo_kit import ROOT

from tui.api.simulated import DEMO_USER_TOKEN, make_demo_developer_token

SCRIPT = ROOT / "tests" / "make_screenshots.py"
SECRETS = [make_demo_developer_token(now=FIXED_NOW), DEMO_USER_TOKEN,
           "revoked-demo-user-token-0000"]


def assert_no_token(svg: str, name: str) -> None:
    flat = svg.replace("&#160;", " ")
    for secret in SECRETS:
        assert secret not in flat, f"{name} shows a whole token"
        pieces = [secret[i:i + 24] for i in range(len(secret) - 24)]
        assert not [p for p in pieces if p in flat], f"{name} shows a piece of a token"


def test_the_script_draws_every_main_screen_without_tokens(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    names = sorted(p.name for p in tmp_path.glob("*.svg"))
    assert names == ["browser-empty.svg", "browser-results.svg", "error-panel-403.svg",
                     "library-liked-filter.svg", "library.svg", "request-inspector.svg",
                     "small-terminal-50x14.svg", "token-setup.svg"]
    for path in tmp_path.glob("*.svg"):
        svg = path.read_text()
        assert svg.startswith("<svg") and "demo" in svg.lower()
        assert_no_token(svg, path.name)


def test_committed_screenshots_carry_no_token() -> None:
    shots = list((ROOT / "screenshots").glob("*.svg"))
    assert shots, "screenshots/ is empty: run tests/make_screenshots.py"
    for path in shots:
        assert_no_token(path.read_text(), path.name)
