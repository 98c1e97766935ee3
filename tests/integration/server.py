"""A small loopback HTTP server that serves :meth:`SimulatedAppleMusic.handle` over a real socket.

The integration tests run the *installed* ``amratings`` in another process (inside
``dbus-run-session`` or a tmux pane), so the simulation has to be reachable over TCP on
127.0.0.1; an in-process httpx transport cannot be shared with a child process. Kept separate
from ``tests/loopback.py`` (owned by the fault-matrix tests) so these tests depend only on the
simulation's public ``handle`` contract.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tui.api.simulated import SimulatedAppleMusic


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client hanging up mid-request is not a test failure by itself


def _handler(sim: SimulatedAppleMusic, seen: list[tuple[str, str, bool]],
             lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # stderr noise would hide the assertion output

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = dict(self.headers.items())
            # Recorded without the tokens: only whether a user token was sent at all.
            with lock:
                seen.append((self.command, self.path, "music-user-token" in
                             {k.lower() for k in headers}))
            answer = sim.handle(self.command, f"http://127.0.0.1{self.path}", headers, body)
            if answer.kind != "response":
                # reset / connect / timeout faults: break the connection (RST), the nearest a
                # real socket gets to all three; these tests inject none, so keep it simple.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = do_PUT = do_DELETE = _serve

    return Handler


class SimServer:
    """``SimulatedAppleMusic`` on ``http://127.0.0.1:PORT``; ``requests`` lists what arrived as
    (method, path with query, whether a Music-User-Token header was present)."""

    def __init__(self, sim: SimulatedAppleMusic) -> None:
        self.sim = sim
        self.requests: list[tuple[str, str, bool]] = []
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _handler(sim, self.requests, self._lock))
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        """The base URL to pass as ``--base-url``."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def paths(self) -> list[str]:
        """Paths (with query) of every request so far."""
        with self._lock:
            return [path for _, path, _ in self.requests]


@contextmanager
def serve(sim: SimulatedAppleMusic) -> Iterator[SimServer]:
    """Run ``sim`` on a loopback port for the duration of the ``with`` block."""
    server = SimServer(sim)
    server._thread.start()
    try:
        yield server
    finally:
        server._httpd.shutdown()
        server._httpd.server_close()
        server._thread.join(timeout=5)
