"""A loopback HTTP server that serves the simulated Apple Music API after a fixed delay.

The bulk benchmark runs the real CLI (a separate process, a real socket, a real connection pool)
against this server, so the figure includes everything a user pays except Apple's own latency,
which the fixed delay stands in for. The server counts how many requests are in flight at once,
which is the figure that tells batching-with-concurrency from batching one at a time.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tui.api.simulated import SimulatedAppleMusic


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 could refuse connections when a client opens many at once.
    request_queue_size = 64


class LoopbackApi:
    """``SimulatedAppleMusic`` on ``http://127.0.0.1:PORT``, answering each request after
    ``delay`` seconds. Use as a context manager; ``max_in_flight`` and ``requests`` are reset
    with :meth:`reset_counters`."""

    def __init__(self, simulation: SimulatedAppleMusic, delay: float = 0.1) -> None:
        self.simulation = simulation
        self.delay = delay
        self.in_flight = 0
        self.max_in_flight = 0
        self.requests = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="bench-loopback-api")

    @property
    def base_url(self) -> str:
        """The URL to pass as ``--base-url``."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> LoopbackApi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset_counters(self) -> None:
        """Forget the peak concurrency and request count of earlier runs."""
        with self._lock:
            self.max_in_flight = self.in_flight
            self.requests = 0

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.requests += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.1 keeps connections open, so the client's pool is exercised as with Apple.
            protocol_version = "HTTP/1.1"
            # Headers and body leave in one write with Nagle off; otherwise the second small
            # write waits for the client's delayed ACK (about 40 ms per request), which would
            # be charged to the client under test.
            wbufsize = 64 * 1024
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                pass  # one line per request would drown the benchmark's own output

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                api._enter()
                try:
                    # Sleeping in this connection's own thread delays every request by the same
                    # amount however many are in flight, as a remote API's latency would.
                    time.sleep(api.delay)
                    host = self.headers.get("Host", "127.0.0.1")
                    answer = api.simulation.handle(self.command, f"http://{host}{self.path}",
                                                   dict(self.headers.items()), body)
                    if answer.kind != "response":
                        self.close_connection = True
                        return
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                    self.wfile.flush()
                finally:
                    api._leave()

            do_GET = do_PUT = do_DELETE = do_POST = _answer

        return Handler
