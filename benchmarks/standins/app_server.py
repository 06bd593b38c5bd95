"""An ASGI app served for real by uvicorn on 127.0.0.1, in a background thread."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from connectors.cli.serve import KEEP_ALIVE_SECONDS


class AppServer:
    """`AppServer(app).start()` ... `.stop()`, or `with AppServer(app) as base_url:`.

    The socket is bound before the thread starts, so `url` is known at once and no other
    process can take the port in between. `lifespan="on"` runs the app's start-up and shut-down. Idle connections
    are kept as `assistant serve` keeps them.
    """

    def __init__(self, app, *, lifespan: str = "on", start_timeout: float = 30.0) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self._start_timeout = start_timeout
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan=lifespan,
                                                     timeout_keep_alive=KEEP_ALIVE_SECONDS))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name="test-app-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        self._thread.start()
        deadline = time.monotonic() + self._start_timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test app server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._socket.close()

    def __enter__(self) -> str:
        return self.start().url

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
