"""The installed ``amratings`` in a real terminal: tmux, driven with send-keys, read with
capture-pane, against the simulated API on a loopback port.

Pilot tests run the app in-process with a fake driver; only a real terminal shows that the
console script starts, draws, takes keys, survives a resize to 50x14 and hands the terminal back
the way it found it (main screen, tty settings, cursor, mouse reporting), as a person at an SSH
prompt would see it. Every wait polls with a deadline; nothing sleeps for a fixed long time.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tui.api.simulated import SimulatedAppleMusic, make_demo_developer_token

from .server import serve
from .support import clean_env, installed_amratings, require_tools

pytestmark = pytest.mark.tmux

#: Seeded as liked (library-music-videos, the default type). Not i.NJv00rkTEaLK51: the id
#: input's placeholder shows that one, and waiting for the typed id to appear must mean it was
#: typed.
LIKED_ID = "i.4wKvA9ZQo1RZb3"
PROMPT = "READY$"
EXIT_LINE = re.compile(r"^EXIT=(\d+)\s*$", re.MULTILINE)


class Pane:
    """One tmux session on a private socket (never the user's tmux server)."""

    def __init__(self, tmux: str, socket: Path, secrets_to_hide: list[str]) -> None:
        self.tmux = tmux
        self.socket = socket
        self.hide = secrets_to_hide
        self.screens: list[str] = []

    def cmd(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run([self.tmux, "-S", str(self.socket), "-f", "/dev/null", *args],
                              capture_output=True, text=True, timeout=10, env=env)
        assert done.returncode == 0, f"tmux {args[0]} failed: {done.stderr.strip()}"
        return done.stdout

    def capture(self) -> str:
        screen = self.cmd("capture-pane", "-p", "-t", "amr")
        self.screens.append(screen)
        return screen

    def info(self, fmt: str) -> str:
        return self.cmd("display-message", "-p", "-t", "amr", fmt).strip()

    def type(self, text: str) -> None:
        self.cmd("send-keys", "-t", "amr", "-l", text)  # -l: literally, no key-name lookup

    def key(self, name: str) -> None:
        self.cmd("send-keys", "-t", "amr", name)

    def redacted(self, text: str) -> str:
        for secret in self.hide:
            text = text.replace(secret, "<token>")
        return text

    def wait(self, what: str, check: Callable[[str], bool], timeout: float = 10.0) -> str:
        """Poll the screen until ``check(screen)`` holds; fail showing the last screen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.capture()
            if check(screen):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {timeout:g} s waiting for {what}; the pane "
                            f"({self.info('#{pane_width}x#{pane_height}')}, running "
                            f"{self.info('#{pane_current_command}')}) shows:\n"
                            f"{self.redacted(screen)}", pytrace=False)
            time.sleep(0.1)


def _last_line(screen: str) -> str:
    lines = [line for line in screen.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[tuple[Pane, dict[str, str]]]:
    tools = require_tools({"tmux": "tmux", "bash": "bash"})
    amratings = installed_amratings()
    developer = make_demo_developer_token()
    user = f"fake-music-user-token-TMUX-E2E-{secrets.token_hex(6)}"
    env = clean_env(tmp_path / "home")
    for name in ("COLUMNS", "LINES", "PROMPT_COMMAND"):
        env.pop(name, None)
    env.update(
        APPLE_MUSIC_DEVELOPER_TOKEN=developer,
        APPLE_MUSIC_USER_TOKEN=user,
        # A second, wrong music user token, so the 403 run is typed without any token on screen.
        WRONG_USER_TOKEN=f"wrong-music-user-token-{secrets.token_hex(6)}",
        # The installed console script first on PATH: the pane runs what pip installed.
        PATH=f"{Path(amratings).parent}:{env.get('PATH', '/usr/bin:/bin')}",
        # Tokens come from the environment; never let the app reach a real keyring.
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        PS1=f"{PROMPT} ", HISTFILE="/dev/null",
    )
    # A short private directory: tmux socket paths are limited to about 100 bytes.
    sock_dir = Path(tempfile.mkdtemp(prefix="amr-tmux-", dir="/tmp"))
    p = Pane(tools["tmux"], sock_dir / "s", [developer, user, developer[:24], user[:24]])
    # The tmux server inherits this environment, and so does the shell in its pane.
    p.cmd("new-session", "-d", "-s", "amr", "-x", "100", "-y", "30",
          # Separate arguments: tmux then execs bash directly. Through its default shell
          # (sh -c, dash here) root's PS1 would be reset to "# " on the way.
          tools["bash"], "--norc", "--noprofile", "-i", env=env)
    try:
        p.wait("the shell prompt", lambda s: _last_line(s) == PROMPT)
        yield p, {"developer": developer, "user": user}
    finally:
        subprocess.run([tools["tmux"], "-S", str(p.socket), "kill-server"],
                       capture_output=True, timeout=10)
        shutil.rmtree(sock_dir, ignore_errors=True)
        for screen in p.screens:
            for token in (developer, user):
                assert token[:24] not in screen, "a token appeared on screen"


def _launch(p: Pane, url: str, tag: str, workdir: Path, wrong_user: bool = False) -> None:
    """Type the command line a person would, recording the tty settings around the run."""
    prefix = "APPLE_MUSIC_USER_TOKEN=$WRONG_USER_TOKEN " if wrong_user else ""
    p.type(f"clear; stty -g > {workdir}/{tag}.before; {prefix}amratings --base-url {url}; "
           f"echo EXIT=$?; stty -g > {workdir}/{tag}.after")
    p.key("Enter")
    # Up means: in the alternate screen with the footer drawn (Textual's "^p palette" hint at
    # its right end), the last row of the first full frame.
    p.wait("the app's first frame",
           lambda s: p.info("#{alternate_on}") == "1" and "palette" in s, timeout=15)


def _lookup(p: Pane, item_id: str) -> None:
    p.type(item_id)
    # Focus starts in the id input: wait until it shows what was typed before pressing Enter.
    p.wait(f"{item_id} in the id input", lambda s: item_id in s)
    p.key("Enter")


def _quit_and_check_clean(p: Pane, tag: str, workdir: Path) -> None:
    p.key("C-q")  # the app's quit binding (app.quit)
    screen = p.wait("the shell prompt after quitting",
                    lambda s: EXIT_LINE.search(s) is not None and _last_line(s) == PROMPT)
    match = EXIT_LINE.search(screen)
    assert match is not None and match.group(1) == "0", p.redacted(screen)
    assert p.info("#{alternate_on}") == "0", "the alternate screen was left on"
    assert p.info("#{pane_current_command}") == "bash"
    assert p.info("#{cursor_flag}") == "1", "the cursor was left hidden"
    assert p.info("#{mouse_any_flag}") == "0", "mouse reporting was left on"
    assert "palette" not in screen, "the app's screen is still shown"
    before = (workdir / f"{tag}.before").read_text()
    after = (workdir / f"{tag}.after").read_text()
    assert before == after, "the tty settings (stty -g) differ after the app exited"
    # And the shell really is back in charge: it runs what is typed next.
    p.type("echo alive-$((6*7))")
    p.key("Enter")
    p.wait("the shell to answer", lambda s: "alive-42" in s.replace("alive-$((6*7))", ""))


def test_tmux_lookup_403_resize_and_clean_quit(
        pane: tuple[Pane, dict[str, str]], tmp_path: Path) -> None:
    p, tokens = pane
    sim = SimulatedAppleMusic(developer_tokens=[tokens["developer"]],
                              user_tokens=[tokens["user"]])
    started = time.monotonic()
    with serve(sim) as server:
        # 1. A lookup of a liked item shows "Liked".
        _launch(p, server.url, "ok", tmp_path)
        _lookup(p, LIKED_ID)
        p.wait("the Liked rating", lambda s: re.search(r"\bLiked\b", s) is not None)
        assert any(LIKED_ID in path and user for _, path, user in server.requests)

        # 2. Shrinking to 50x14 keeps it alive and redrawn. Before the resize the bottom rows
        # of the 100x30 screen around row 14 are blank results space, so a non-blank last row
        # afterwards can only come from the app laying itself out again for the new size.
        before = p.capture().splitlines()
        assert len(before) == 30 and not before[13].strip(), "precondition: row 14 is blank"
        p.cmd("resize-window", "-t", "amr", "-x", "50", "-y", "14")
        p.wait("the 50x14 redraw",
               lambda s: p.info("#{pane_width}x#{pane_height}") == "50x14"
               and len(s.splitlines()) == 14 and bool(s.splitlines()[13].strip())
               and "Liked" in s)
        assert p.info("#{alternate_on}") == "1"
        assert p.info("#{pane_current_command}") != "bash", "the app is gone after the resize"

        # 3. Quitting at 50x14 (the app still answers keys) leaves a clean terminal.
        _quit_and_check_clean(p, "ok", tmp_path)

        # 4. A music user token Apple does not know: 403, and the error panel says which token.
        p.cmd("resize-window", "-t", "amr", "-x", "100", "-y", "30")
        _launch(p, server.url, "forbidden", tmp_path, wrong_user=True)
        _lookup(p, LIKED_ID)
        screen = p.wait("the 403 error panel", lambda s: re.search(
            r"403.*music user token", s, re.IGNORECASE) is not None)
        assert "Liked" not in screen
        _quit_and_check_clean(p, "forbidden", tmp_path)
    # The brief for this test: well under ~30 s on the CI machine.
    assert time.monotonic() - started < 45


def test_tmux_library_screen(pane: tuple[Pane, dict[str, str]], tmp_path: Path) -> None:
    p, tokens = pane
    sim = SimulatedAppleMusic(developer_tokens=[tokens["developer"]],
                              user_tokens=[tokens["user"]], library_size=300)
    first = next(i for i in sim.library.library["songs"] if not i.hidden)
    started = time.monotonic()
    with serve(sim) as server:
        _launch(p, server.url, "library", tmp_path)
        # 1. F6 opens the library: names stream in with their ratings and the count line.
        p.key("F6")
        screen = p.wait("the library's rows and counts", lambda s: first.name in s
                        and re.search(r"\d+ of 300 songs|\d+ songs", s) is not None
                        and "liked" in s, timeout=20)
        assert "Name" in screen and "Rating" in screen
        # 2. Liked only (key 2), then a text filter on the first song's name.
        p.key("2")
        p.wait("the liked filter", lambda s: "♥ Liked" in s and "Not rated" not in
               s.split("Rating", 1)[-1])
        p.key("1")
        p.type("/")
        p.type(first.name)
        p.wait("the text filter", lambda s: re.search(r"(?<!\d)1 shown", s) is not None
               and first.name in s)
        p.key("Enter")
        # 3. Mark the row and like it after the confirmation.
        p.key("Space")
        p.type("l")
        p.wait("the confirmation", lambda s: re.search(r"Like 1 marked song", s) is not None)
        p.type("y")
        p.wait("the liked row", lambda s: "marked row" not in s and "liked" in s)
        assert sim.rating_of("library-songs", first.id) == 1
        # 4. 50x14 keeps the table and the quit key; then a clean exit.
        p.cmd("resize-window", "-t", "amr", "-x", "50", "-y", "14")
        p.wait("the 50x14 library", lambda s: p.info("#{pane_width}x#{pane_height}") ==
               "50x14" and first.name[:12] in s and "Quit" in s)
        _quit_and_check_clean(p, "library", tmp_path)
    assert time.monotonic() - started < 60


def test_tmux_keys_typed_at_launch_reach_the_id_input(
        pane: tuple[Pane, dict[str, str]], tmp_path: Path) -> None:
    # A person types the id (and Enter) right after the command, before the first frame: a
    # bare Textual app keeps such keys, and so must this one.
    p, tokens = pane
    sim = SimulatedAppleMusic(developer_tokens=[tokens["developer"]],
                              user_tokens=[tokens["user"]])
    with serve(sim) as server:
        p.type(f"clear; stty -g > {tmp_path}/early.before; amratings --base-url {server.url}; "
               f"echo EXIT=$?; stty -g > {tmp_path}/early.after")
        p.key("Enter")
        p.type(LIKED_ID)  # no wait: the app is still starting
        p.key("Enter")
        screen = p.wait("the typed-ahead lookup's Liked rating",
                        lambda s: re.search(rf"{LIKED_ID}\s+♥ Liked", s) is not None,
                        timeout=20)
        assert "No lookup yet" not in screen
        _quit_and_check_clean(p, "early", tmp_path)


def test_pane_helper_fails_with_the_screen_on_timeout(tmp_path: Path) -> None:
    # The waits are the only thing between a hung app and a hung CI run: they must end, and say
    # what was on screen. Checked without tmux, against a stub capture.
    p = Pane("tmux", tmp_path / "none", ["secret-token-value"])
    p.capture = lambda: "screen with secret-token-value"  # type: ignore[method-assign]
    p.info = lambda fmt: "?"  # type: ignore[method-assign]
    started = time.monotonic()
    with pytest.raises(pytest.fail.Exception) as failure:
        p.wait("something that never comes", lambda s: False, timeout=0.3)
    assert time.monotonic() - started < 3
    assert "screen with <token>" in str(failure.value)
    assert "secret-token-value" not in str(failure.value)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-v"]))
