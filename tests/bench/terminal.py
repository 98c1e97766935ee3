"""Run a program in a real terminal (tmux) and watch its screen, as a person would see it.

One private tmux server (its own socket, no user config) lives for the whole benchmark, so
starting tmux itself is not charged to either program. Each run is a new detached session of a
fixed size whose only process is the program (``exec``), so the pane's pid is the program's.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from pathlib import Path

WIDTH, HEIGHT = 100, 30


class Tmux:
    """A private tmux server; use as a context manager."""

    def __init__(self) -> None:
        self.socket = f"amratings-bench-{os.getpid()}"
        self._count = 0

    def __call__(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                              capture_output=True, text=True, timeout=30)
        if check and done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def __enter__(self) -> Tmux:
        self("new-session", "-d", "-s", "keepalive", "-x", str(WIDTH), "-y", str(HEIGHT),
             "sleep 86400")
        # Keep a crashed program's last screen so the error can be shown.
        self("set-option", "-g", "remain-on-exit", "on")
        self("set-option", "-g", "default-terminal", "tmux-256color")
        return self

    def __exit__(self, *exc: object) -> None:
        self("kill-server", check=False)

    def launch(self, argv: list[str], env: dict[str, str], cwd: Path) -> Pane:
        """Start ``argv`` in a new session; returns at once."""
        self._count += 1
        name = f"run{self._count}"
        # env -i: the program sees exactly ``env`` (and the terminal type tmux emulates), not
        # whatever the tmux server inherited.
        env = {**env, "TERM": "tmux-256color"}
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(env.items()))
        command = f"cd {shlex.quote(str(cwd))} && exec env -i {exports} {shlex.join(argv)}"
        self("new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT), command)
        return Pane(self, name)


class Pane:
    """The one pane of a benchmark session."""

    def __init__(self, tmux: Tmux, name: str) -> None:
        self.tmux = tmux
        self.name = name
        self.pid = int(tmux("display-message", "-p", "-t", name, "#{pane_pid}").strip())

    def screen(self) -> str:
        """The visible text of the pane now."""
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def wait_for(self, marker: str, timeout: float = 30.0) -> float:
        """Poll the screen until ``marker`` shows; return ``time.perf_counter()`` when seen."""
        deadline = time.perf_counter() + timeout
        while True:
            text = self.screen()
            now = time.perf_counter()
            if marker in text:
                return now
            if now > deadline or self.dead():
                raise RuntimeError(f"{marker!r} never appeared; the screen was:\n{text}")
            # Polling back to back spawns a process per few ms and slows the program under
            # test on two cores (measured: +40% on the bare app); 10 ms keeps the resolution
            # far below the ~0.5 s being measured. Both programs pay the same cost.
            time.sleep(0.01)

    def send(self, *keys: str) -> None:
        """``tmux send-keys`` (key names such as Enter, or literal text with ``-l``)."""
        self.tmux("send-keys", "-t", self.name, *keys)

    def dead(self) -> bool:
        """True once the program has exited."""
        return self.tmux("display-message", "-p", "-t", self.name,
                         "#{pane_dead}").strip() == "1"

    def peak_rss(self) -> int:
        """The program's peak resident set size (VmHWM) in bytes."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmHWM in /proc status")

    def close(self) -> None:
        """Kill the session and wait until the program is gone, so it steals no CPU from the
        next run."""
        self.tmux("kill-session", "-t", self.name, check=False)
        deadline = time.perf_counter() + 10
        while Path(f"/proc/{self.pid}").exists() and time.perf_counter() < deadline:
            time.sleep(0.01)
