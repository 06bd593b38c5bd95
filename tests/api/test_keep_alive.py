"""An idle client connection stays open longer than a proxy's or client pool's own idle timeout, so the server
never closes one just as a request is sent on it (a POST lost between nginx and a replica)."""

from __future__ import annotations

import socket
import time

from fastapi import FastAPI

from benchmarks.standins.app_server import AppServer
from connectors.cli.serve import KEEP_ALIVE_SECONDS

REQUEST = b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def read_response(connection: socket.socket) -> bytes:
    """One response's bytes (its headers and its short body), or b"" when the server closed the connection."""
    received = b""
    while b"\r\n\r\n" not in received or not received.endswith(b'"pong"'):
        chunk = connection.recv(4096)
        if not chunk:
            return received
        received += chunk
    return received


def test_a_connection_idle_longer_than_uvicorns_default_still_answers():
    app = FastAPI()
    app.get("/ping")(lambda: "pong")
    assert KEEP_ALIVE_SECONDS > 60, "longer than nginx's and most load balancers' idle timeout"
    with AppServer(app) as base_url, socket.create_connection(("127.0.0.1", int(base_url.rsplit(":", 1)[1])),
                                                              timeout=10) as connection:
        connection.sendall(REQUEST)
        assert read_response(connection).startswith(b"HTTP/1.1 200")
        time.sleep(6)  # uvicorn's default keep-alive is 5 s
        connection.sendall(REQUEST)
        assert read_response(connection).startswith(b"HTTP/1.1 200")
