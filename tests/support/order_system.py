"""A stand-in order system on 127.0.0.1: `GET /orders/{number}` answers from a dict, 404 for the rest."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class OrderSystem:
    """`with OrderSystem({"ORD-1": {...}}) as base_url:` serves the orders until the block ends."""

    def __init__(self, orders: Mapping[str, dict]) -> None:
        known = dict(orders)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                order = known.get(self.path.rsplit("/", 1)[-1])
                body = json.dumps(order or {"detail": "not found"}).encode()
                self.send_response(200 if order else 404)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def __enter__(self) -> str:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_port}"

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
