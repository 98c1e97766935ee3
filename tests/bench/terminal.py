"""Run a program in a real terminal (tmux) and watch its screen, as a person would see it.

One private tmux server (its own socket, no user config) lives for the whole benchmark, so
starting tmux itself is not charged to either program. Each run is a new detached session of a
fixed size whose only process is the program (``exec``), so the pane's pid is the program's.

For first paint, a session is created paused (its shell waits on ``tmux wait-for``), the pane's
output is piped to a file (``pipe-pane``), and then the program is released: the clock starts
at the release and stops when the marker text arrives in what the program wrote to the
terminal. Reading a file in-process costs next to nothing, where polling ``capture-pane``
spawns a process every few milliseconds that competes with the program for two cores.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import tempfile
import time
from pathlib import Path

WIDTH, HEIGHT = 100, 30
#: Escape sequences (CSI, OSC, two-byte ESC) stripped from raw output before searching it.
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


class Tmux:
    """A private tmux server; use as a context manager."""

    def __init__(self, nice: int = 0) -> None:
        self.socket = f"amratings-bench-{os.getpid()}"
        self.nice = nice
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
        self._socket_path = Path(self("display-message", "-p", "#{socket_path}").strip())
        return self

    def __exit__(self, *exc: object) -> None:
        self("kill-server", check=False)
        self._socket_path.unlink(missing_ok=True)

    def launch(self, argv: list[str], env: dict[str, str], cwd: Path,
               *, paused: bool = False) -> Pane:
        """Start ``argv`` in a new session; returns at once. ``paused``: the program starts
        only at :meth:`Pane.release`, and its output is recorded."""
        self._count += 1
        name = f"run{self._count}"
        # env -i: the program sees exactly ``env`` (and the terminal type tmux emulates), not
        # whatever the tmux server inherited.
        env = {**env, "TERM": "tmux-256color"}
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(env.items()))
        # A raised priority (--nice) shields both programs alike from other work on a shared
        # machine; lowering niceness below 0 needs root, so it is opt-in.
        nice = f"nice -n {self.nice} " if self.nice else ""
        command = (f"cd {shlex.quote(str(cwd))} && exec {nice}env -i {exports} "
                   f"{shlex.join(argv)}")
        if paused:
            gate = shlex.join(["tmux", "-L", self.socket, "wait-for", f"{name}-go"])
            command = f"{gate} && {command}"
        self("new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT), command)
        pane = Pane(self, name)
        if paused:
            pane.record_output()
        return pane


class Pane:
    """The one pane of a benchmark session."""

    def __init__(self, tmux: Tmux, name: str) -> None:
        self.tmux = tmux
        self.name = name
        self.pid = int(tmux("display-message", "-p", "-t", name, "#{pane_pid}").strip())
        self.output: Path | None = None

    def record_output(self) -> None:
        """Append everything the program writes to the terminal to a file."""
        handle, path = tempfile.mkstemp(prefix=f"amratings-bench-{self.name}-")
        os.close(handle)
        self.output = Path(path)
        self.tmux("pipe-pane", "-O", "-t", self.name, f"cat >> {shlex.quote(path)}")

    def release(self) -> float:
        """Let a paused program start; returns ``time.perf_counter()`` just before."""
        started = time.perf_counter()
        self.tmux("wait-for", "-S", f"{self.name}-go")
        return started

    def wait_for_output(self, marker: str, timeout: float = 30.0) -> float:
        """Read the recorded output until ``marker`` is in its text; return
        ``time.perf_counter()`` when it was seen (within about a millisecond)."""
        assert self.output is not None, "launch(paused=True) records the output"
        deadline = time.perf_counter() + timeout
        next_check = time.perf_counter() + 0.5
        with self.output.open("rb") as stream:
            raw = b""
            while True:
                raw += stream.read()
                now = time.perf_counter()
                if marker in _ESCAPES.sub("", raw.decode("utf-8", "replace")):
                    return now
                # Asking tmux whether the program died spawns a process: only now and then.
                if now > deadline or (now > next_check and self.dead()):
                    raise RuntimeError(f"{marker!r} never appeared; the screen was:\n"
                                       f"{self.screen()}")
                next_check = max(next_check, now + 0.5) if now > next_check else next_check
                time.sleep(0.001)

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

    def cpu_time(self) -> float:
        """Seconds of CPU the program's live threads have used so far (schedstat, ns
        precision). Less disturbed than wall time by other work on a shared machine."""
        total = 0
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            with contextlib.suppress(OSError):  # a thread may end while we look
                total += int((task / "schedstat").read_text().split()[0])
        return total / 1e9

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
        if self.output is not None:
            self.output.unlink(missing_ok=True)
