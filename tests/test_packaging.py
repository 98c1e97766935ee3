"""Packaging: the wheel carries the package and the app stylesheet, and the entry points work."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from repo_kit import ROOT


def test_wheel_ships_the_stylesheet_inside_the_package(tmp_path: Path) -> None:
    # A non-editable install must find styles.tcss, so the wheel has to carry it in tui/.
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT, check=True, capture_output=True, timeout=240,
    )
    (wheel,) = tmp_path.glob("amratings-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "tui/styles.tcss" in names
    assert "tui/__main__.py" in names
    assert "tui/api/client.py" in names
    assert "tui/cli/serve_page/app_index.html" in names  # amratings serve's page
    assert not any(name.startswith("tests/") for name in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "amratings = tui.__main__:main" in text
    assert zipfile.ZipFile(wheel).read("tui/styles.tcss") == (ROOT / "styles.tcss").read_bytes()


def test_python_dash_m_tui_prints_the_version() -> None:
    out = subprocess.run([sys.executable, "-m", "tui", "--version"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert out.stdout.strip() == "amratings 0.1.0"
