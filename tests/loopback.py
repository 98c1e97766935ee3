"""A real HTTP server on 127.0.0.1 serving the simulated Apple Music API over a real socket.

The CLI and the fault matrix must meet real sockets, real timeouts and real resets, which
``httpx.MockTransport`` cannot give. Requests are answered by
:meth:`SimulatedAppleMusic.handle`, unless a scripted :class:`Behaviour` matches first: a fixed
status/body/headers, an HTML page, a slow answer, a hang, or a connection reset.

The server is plain HTTP, so ``https://127.0.0.1:PORT`` to it is a TLS handshake against a
plain-HTTP port. Every request is recorded (method, raw path with query, headers, body).
"""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from repo_kit import ROOT as REPO

from tui.api.simulated import DEMO_USER_TOKEN, SimResponse, SimulatedAppleMusic


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Behaviour:
    """A scripted answer for the next ``times`` matching requests (``times=None``: forever).

    ``kind``: ``"response"`` (status/body/headers after ``delay`` seconds), ``"reset"`` (close
    the socket with RST before answering), ``"hang"`` (answer nothing until the server stops),
    ``"trickle"`` (the body one byte every ``interval`` seconds) or ``"endless"`` (a chunked
    body whose chunks never end, one every ``interval`` seconds).
    """

    status: int = 500
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = 1
    kind: str = "response"
    delay: float = 0.0
    path_contains: str | None = None
    method: str | None = None
    interval: float = 0.2

    def matches(self, method: str, path: str) -> bool:
        """True if this behaviour applies to the request and has uses left."""
        return ((self.times is None or self.times > 0)
                and (self.method is None or self.method == method)
                and (self.path_contains is None or self.path_contains in path))


class _AcceptingSimulation(SimulatedAppleMusic):
    """The simulation, also accepting given non-JWT developer tokens (for leak checks with
    recognisable fake tokens such as ``FAKEDEV-LEAKCHECK-...``)."""

    def __init__(self, extra_developer_tokens: Iterable[str] = (), **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.extra_developer_tokens = set(extra_developer_tokens)

    def _check_developer_token(self, authorization: str | None) -> SimResponse | None:
        if authorization and authorization.removeprefix("Bearer ") in self.extra_developer_tokens:
            return None
        return super()._check_developer_token(authorization)


class _Reset(Exception):
    """Raised by a handler after it reset the connection, to skip the rest of the request."""


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # resets and clients hanging up are the point of many tests


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 with a simulation behind it. Start, then stop."""

    def __init__(self, *, developer_tokens: Iterable[str] = (),
                 user_tokens: Iterable[str] = (DEMO_USER_TOKEN,), latency: float = 0.0) -> None:
        self.sim = _AcceptingSimulation(extra_developer_tokens=developer_tokens,
                                        user_tokens=user_tokens)
        #: Fixed extra latency before every answer (benchmarks).
        self.latency = latency
        self.script: list[Behaviour] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LoopbackServer:
        """Start serving in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; hanging handlers are released."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def add(self, *behaviours: Behaviour) -> None:
        """Queue scripted behaviours; the first matching one answers a request."""
        with self._lock:
            self.script.extend(behaviours)

    def paths(self) -> list[str]:
        """The raw paths (with query) of every request seen so far."""
        with self._lock:
            return [s.path for s in self.seen]

    def _next_behaviour(self, method: str, path: str) -> Behaviour | None:
        with self._lock:
            for behaviour in self.script:
                if behaviour.matches(method, path):
                    if behaviour.times is not None:
                        behaviour.times -= 1
                    return behaviour
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output clean

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, dict(self.headers.items()), body)
                with server._lock:
                    server.seen.append(seen)
                if server.latency:
                    time.sleep(server.latency)
                behaviour = server._next_behaviour(self.command, self.path)
                if behaviour is None:
                    answer = server.sim.handle(self.command, f"http://127.0.0.1{self.path}",
                                               seen.headers, body)
                    kind = answer.kind
                    if kind == "connect":
                        kind = "reset"
                    elif kind == "timeout":
                        kind = "hang"
                    behaviour = Behaviour(answer.status, answer.body, answer.headers, kind=kind)
                if behaviour.delay and server._stopping.wait(behaviour.delay):
                    return
                if behaviour.kind == "reset":
                    self._reset()
                    return
                if behaviour.kind == "hang":
                    server._stopping.wait(60)
                    return
                payload = (behaviour.body.encode() if isinstance(behaviour.body, str)
                           else behaviour.body)
                if behaviour.kind in ("trickle", "endless"):
                    self._drip(behaviour, payload)
                    return
                self.send_response(behaviour.status)
                for name, value in behaviour.headers.items():
                    if name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            def _drip(self, behaviour: Behaviour, payload: bytes) -> None:
                # Headers at once, then the body slowly: each read is quick, the whole is not.
                self.send_response(behaviour.status)
                for name, value in behaviour.headers.items():
                    self.send_header(name, value)
                endless = behaviour.kind == "endless"
                if endless:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                sent = 0
                try:
                    while not server._stopping.is_set() and (endless or sent < len(payload)):
                        if endless:
                            self.wfile.write(b"1\r\n \r\n")
                        else:
                            self.wfile.write(payload[sent:sent + 1])
                            sent += 1
                        self.wfile.flush()
                        if server._stopping.wait(behaviour.interval):
                            break
                except OSError:
                    pass  # the client gave up: what the tests want
                self.close_connection = True

            def _reset(self) -> None:
                # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.close_connection = True
                self.wfile.close()
                self.rfile.close()
                self.connection.close()
                raise _Reset

            do_GET = do_PUT = do_DELETE = do_POST = do_PATCH = do_HEAD = _serve

        return Handler




def run_cli(args: list[str], env: dict[str, str], *, stdin: str | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tui ARGS`` with this venv's Python; never raises on a non-zero exit."""
    return subprocess.run([sys.executable, "-m", "tui", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


def run_cli_many(runs: list[tuple[list[str], dict[str, str]]], *, timeout: float = 60
                 ) -> list[subprocess.CompletedProcess[str]]:
    """Run several independent CLI invocations at once (each pays Python's start-up time, so
    running them side by side keeps the suite fast); results in the order given."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(run_cli, args, env, timeout=timeout) for args, env in runs]
        return [f.result() for f in futures]
