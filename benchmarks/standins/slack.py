"""A local stand-in for Slack: its Web API, `response_url`s and the Socket Mode WebSocket.

It is a real aiohttp server on 127.0.0.1 (random free port) in its own thread. It records every
call (method, body, token) and answers the way Slack does, so the connector runs unchanged with
`SlackConfig.api_url` pointing here.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0VERDELLO"


@dataclass(frozen=True)
class RecordedCall:
    """One request the stand-in received: a Web API method, or `response_url:NAME`."""

    method: str
    body: dict[str, Any]
    token: str | None
    response: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


class SlackStandIn:
    """Slack's Web API (`/api/METHOD`), response URLs (`/respond/NAME`) and Socket Mode (`/socket`)."""

    def __init__(self) -> None:
        self._calls: list[RecordedCall] = []
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._failures: dict[str, str] = {}
        self.port = 0

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> SlackStandIn:
        ready = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._start_site())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup() if self._runner else asyncio.sleep(0))
            loop.close()

        self._thread = threading.Thread(target=serve, name="slack-standin", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the Slack stand-in did not start within 10 s")
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _start_site(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._web_api)
        app.router.add_get("/api/{method}", self._web_api)
        app.router.add_post("/respond/{name}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    # ---------------------------------------------------------------- addresses

    @property
    def api_url(self) -> str:
        """The value for `SlackConfig.api_url`."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        """A `response_url` whose messages are recorded as method `response_url:NAME`."""
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    def fail(self, method: str, error: str) -> None:
        """Make every later call to `method` answer `{"ok": false, "error": error}`, as Slack does."""
        with self._changed:
            self._failures[method] = error

    # ---------------------------------------------------------------- inspection

    @property
    def calls(self) -> list[RecordedCall]:
        with self._changed:
            return list(self._calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[RecordedCall]:
        """Wait until `method` was called at least `count` times; its calls, or AssertionError."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [call for call in self._calls if call.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(c.method, c.body) for c in self._calls]
                    raise AssertionError(
                        f"expected {count} call(s) to {method} within {timeout}s; got {seen}"
                    )
                self._changed.wait(remaining)

    def _record(
        self, method: str, body: dict[str, Any], token: str | None, response: dict[str, Any] | None = None
    ) -> None:
        with self._changed:
            self._calls.append(RecordedCall(method, body, token, response or {}))
            self._changed.notify_all()

    # ---------------------------------------------------------------- handlers

    async def _web_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if raw:
            if request.content_type == "application/json":
                body.update(json.loads(raw))
            else:
                body.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else body.get("token")
        answer = self._answer(method, body)
        self._record(method, body, token, answer)
        return web.json_response(answer)

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            failure = self._failures.get(method)
        if failure:
            return {"ok": False, "error": failure}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://verdello.slack.com/",
                "team": "Verdello Home & Garden",
                "user": "assistant",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            ts = self._next_ts()
            message = {"type": "message", "text": body.get("text", ""), "ts": ts, "bot_id": BOT_ID}
            return {"ok": True, "channel": body.get("channel"), "ts": ts, "message": message}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.update":
            return {
                "ok": True,
                "channel": body.get("channel"),
                "ts": body.get("ts"),
                "text": body.get("text"),
            }
        if method == "chat.getPermalink":
            channel, ts = body.get("channel", ""), str(body.get("message_ts", ""))
            link = f"https://verdello.slack.com/archives/{channel}/p{ts.replace('.', '')}"
            return {"ok": True, "channel": channel, "permalink": link}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": False, "error": "unknown_method"}

    async def _response_url(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read() or b"{}")
        self._record(f"response_url:{request.match_info['name']}", body, None)
        return web.Response(text="ok")

    # ---------------------------------------------------------------- Socket Mode

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        self._record("socket:connected", {}, None)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0ASSIST"}})
        async for frame in ws:
            if frame.type == WSMsgType.TEXT:
                ack = json.loads(frame.data)
                self._record("socket:ack", ack, None)
        return ws

    def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Push a Socket Mode envelope to the connected client (from the test thread)."""
        if not self._sockets or self._loop is None:
            raise AssertionError("no Socket Mode client is connected")
        future = asyncio.run_coroutine_threadsafe(self._sockets[-1].send_json(envelope), self._loop)
        future.result(5)
