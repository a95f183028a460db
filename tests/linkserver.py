"""A local HTTP server on 127.0.0.1 with one path per way an external link can fail."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

HOST = "127.0.0.1"
MAX_SLOW_SECONDS = 10.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__((HOST, 0), _Handler)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.hits: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that time out and hang up are expected here; keep test output clean."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Silence the per-request log."""

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, *, body: bool) -> None:
        server = self.server
        with server.lock:
            server.hits[self.path] += 1
            seen = server.hits[self.path]
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
        try:
            self._route(seen=seen, body=body)
        finally:
            with server.lock:
                server.in_flight -= 1

    def _route(self, *, seen: int, body: bool) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        if path == "/ok":
            self._send(200, body=body)
        elif path == "/moved":
            self._send(301, {"Location": "/ok"}, body=body)
        elif path == "/temp":
            self._send(302, {"Location": "/ok"}, body=body)
        elif path == "/chain":  # permanent, then temporary: editors should use the first target
            self._send(301, {"Location": "/temp"}, body=body)
        elif path == "/self":  # as sites do that set a cookie and send you back to the same page
            self._send(302 if seen == 1 else 200, {"Location": "/self"} if seen == 1 else {}, body=body)
        elif path in ("/loop-a", "/loop-b"):
            self._send(302, {"Location": "/loop-b" if path == "/loop-a" else "/loop-a"}, body=body)
        elif path == "/status":
            self._send(int(query["code"]), body=body)
        elif path == "/once":  # fails the first time only, then succeeds
            headers = {"Retry-After": query["after"]} if "after" in query else {}
            self._send(int(query["code"]) if seen == 1 else 200, headers if seen == 1 else {}, body=body)
        elif path == "/limited":
            if "after" in query:
                after = query["after"]
            else:
                after = format_datetime(datetime.now(UTC) + timedelta(seconds=int(query["in"])), usegmt=True)
            self._send(429, {"Retry-After": after}, body=body)
        elif path == "/slow":
            server_stopping = self.server.stop.wait(min(float(query["s"]), MAX_SLOW_SECONDS))
            if not server_stopping:
                self._send(200, body=body)
        elif path == "/redirect":  # anywhere the test asks, as a hostile server would
            self._send(302, {"Location": query["to"]}, body=body)
        elif path == "/reason":  # a status code with no standard phrase, and the server's own words for it
            self._send(int(query["code"]), body=body, reason=query["phrase"])
        elif path == "/head-405":
            self._send(405 if self.command == "HEAD" else 200, body=body)
        else:
            self._send(404, body=body)

    def _send(self, code: int, headers: dict[str, str] | None = None, *, body: bool, reason: str | None = None) -> None:
        payload = f"{code}\n".encode()
        self.send_response(code, reason)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body:
            self.wfile.write(payload)


class LinkServer:
    """The test server, plus a port that accepts but never answers and one nobody listens on."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        # Connections to a listening socket complete in the kernel even if we never accept().
        self._silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._silent.bind((HOST, 0))
        self._silent.listen(64)
        # Bound but not listening: connecting is refused, and the port cannot be reused meanwhile.
        self._closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._closed.bind((HOST, 0))

    def __enter__(self) -> LinkServer:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self._server.stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._silent.close()
        self._closed.close()

    def url(self, path: str) -> str:
        """An address on the test server."""
        return f"http://{HOST}:{self._server.server_address[1]}{path}"

    @property
    def silent_url(self) -> str:
        """An address whose server accepts the connection and never says anything."""
        return f"http://{HOST}:{self._silent.getsockname()[1]}/"

    @property
    def refused_url(self) -> str:
        """An address where nothing listens."""
        return f"http://{HOST}:{self._closed.getsockname()[1]}/"

    def hits(self, path: str) -> int:
        """How many requests (HEAD and GET) the server has had for a path."""
        with self._server.lock:
            return self._server.hits[path]

    @property
    def max_in_flight(self) -> int:
        """The most requests the server was handling at once."""
        with self._server.lock:
            return self._server.max_in_flight
