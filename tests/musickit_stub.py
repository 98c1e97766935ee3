"""A stand-in for MusicKit JS, served from its own loopback server (another origin than the
sign-in page, as Apple's CDN is).

``/musickit.js`` defines ``MusicKit.configure`` (records its options in
``window.__musickitOptions`` and resolves to an instance) and ``getInstance().authorize()``
(resolves to :attr:`MusicKitStub.token`, an obviously fake token). ``/foreign.html`` is an
empty page on this other origin, from which a test can post to the sign-in server as a foreign
site would. Point ``AMRATINGS_MUSICKIT_URL`` at :attr:`MusicKitStub.script_url`.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: What the stub's authorize() returns unless told otherwise. Obviously fake.
FAKE_MUSIC_USER_TOKEN = "FAKE-MUSIC-USER-TOKEN-LEAKCHECK-0123456789abcdef"

_SCRIPT = """\
(function () {
  var token = %s;
  var instance = {
    authorize: function () {
      window.__authorizeCalls = (window.__authorizeCalls || 0) + 1;
      return Promise.resolve(token);
    },
  };
  window.MusicKit = {
    configure: function (options) {
      window.__musickitOptions = options;
      return Promise.resolve(instance);
    },
    getInstance: function () { return instance; },
  };
  document.dispatchEvent(new Event("musickitloaded"));
})();
"""


class MusicKitStub:
    """The stub's server on 127.0.0.1 (a free port). Start, then stop."""

    def __init__(self, token: str = FAKE_MUSIC_USER_TOKEN) -> None:
        #: What authorize() resolves to (a test may change it before the page loads).
        self.token = token
        #: Paths requested so far.
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def script_url(self) -> str:
        """The stub MusicKit script."""
        return f"{self.origin}/musickit.js"

    def start(self) -> MusicKitStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> MusicKitStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                stub.requests.append(self.path)
                if self.path.startswith("/musickit.js"):
                    body = (_SCRIPT % json.dumps(stub.token)).encode()
                    kind = "text/javascript"
                elif self.path.startswith("/foreign.html"):
                    body = b"<!doctype html><title>another site</title><p>another site</p>"
                    kind = "text/html"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
