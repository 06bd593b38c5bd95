"""A stand-in order system on 127.0.0.1: `GET /orders/{number}` answers from a dict, 404 for the rest.

It can also misbehave on purpose: `script` is what the next requests get, one entry each, before it answers normally
(an HTTP status such as 503, `GARBAGE` for a 200 whose body is not JSON, or a float: seconds to stall before
answering); `down(status)` makes every request fail until `up()`. Every request's path and headers are kept in
`requests`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GARBAGE = "garbage"


class OrderSystem:
    """`with OrderSystem({"ORD-1": {...}}) as base_url:` serves the orders until the block ends."""

    def __init__(self, orders: Mapping[str, dict], script: Iterable[int | float | str] = (),
                 prefix: str = "/orders/") -> None:
        known = dict(orders)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._script = list(script)
        self._down: int | None = None
        self._lock = threading.Lock()
        system = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

            def do_GET(self) -> None:
                with system._lock:
                    system.requests.append((self.path, {name.lower(): value for name, value in self.headers.items()}))
                    step = system._script.pop(0) if system._script else system._down
                if isinstance(step, float):
                    time.sleep(step)
                elif step == GARBAGE:
                    self._send(200, b"<html>Bad gateway</html>", "text/html")
                    return
                elif isinstance(step, int):
                    self._send(step, json.dumps({"detail": "failing on purpose"}).encode())
                    return
                if not self.path.startswith(prefix):
                    self._send(200 if self.path == "/" else 404, b"{}")
                    return
                order = known.get(self.path[len(prefix):])
                self._send(200 if order else 404, json.dumps(order or {"detail": "not found"}).encode())

            def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
                try:
                    self.send_response(status)
                    self.send_header("content-type", content_type)
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test): nothing to answer

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True

    @property
    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def down(self, status: int = 503) -> None:
        """Every request fails with `status` until `up()`."""
        with self._lock:
            self._down = status

    def up(self) -> None:
        with self._lock:
            self._down = None

    def __enter__(self) -> str:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_port}"

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
