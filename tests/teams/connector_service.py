"""A stand-in for the Bot Framework connector service: a real HTTP server on 127.0.0.1.

The bot's adapter posts its replies to `{serviceUrl}/v3/conversations/{id}/activities[/{replyToId}]`;
this server records every such request and answers `{"id": "..."}` as the real service does. A new post
in a channel is `POST {serviceUrl}/v3/conversations` with the channel in `channelData`; it is answered
`{"id": "<channel>;messageid=<id>", "activityId": "<id>"}` like Teams does. Setting `fail_with` to an
HTTP status makes every request fail with it (and an error body), as a broken service would; those
requests are kept in `refused`.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote


@dataclass(frozen=True)
class RecordedRequest:
    """One request the bot made to the connector service."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def creates_conversation(self) -> bool:
        """True for `POST /v3/conversations` (a new post in a channel) rather than a message to a conversation."""
        return self.path.split("?")[0].rstrip("/") == "/v3/conversations"

    @property
    def conversation_id(self) -> str:
        """The conversation id of `/v3/conversations/{id}/activities...`, URL-decoded; for a new channel
        post, the channel id in its `channelData`."""
        if self.creates_conversation:
            return self.body["channelData"]["channel"]["id"]
        return unquote(self.path.split("/")[3])

    @property
    def activity(self) -> dict[str, Any]:
        """The activity sent (inside the conversation parameters of a new channel post)."""
        return self.body["activity"] if self.creates_conversation else self.body

    @property
    def reply_to_id(self) -> str | None:
        """The activity replied to (`.../activities/{id}`), or None for a new message."""
        parts = self.path.split("/")
        return unquote(parts[5]) if len(parts) > 5 and parts[5] else None


class ConnectorServiceStandIn:
    """Records the activities a bot sends; start with `start()` (or `with`), stop with `stop()`."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.fail_with: int | None = None
        self.refused: list[RecordedRequest] = []
        """Requests answered with `fail_with` (not in `requests`)."""
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """The serviceUrl to put in activities."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> ConnectorServiceStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ConnectorServiceStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def activities(self) -> list[RecordedRequest]:
        """The activities posted so far, in order."""
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def _record(self, request: RecordedRequest) -> str:
        with self._lock:
            self.requests.append(request)
            return f"stand-in-{next(self._ids)}"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = self.path.split("?")[0].rstrip("/").split("/")
                creates = self.command == "POST" and parts[1:] == ["v3", "conversations"]
                if not creates and (
                    len(parts) < 5 or parts[1:3] != ["v3", "conversations"] or parts[4] != "activities"
                ):
                    self._answer(404, {"error": {"code": "NotFound", "message": "no such route"}})
                    return
                body = json.loads(raw) if raw else {}
                request = RecordedRequest(self.command, self.path, dict(self.headers.items()), body)
                if service.fail_with is not None:
                    with service._lock:
                        service.refused.append(request)
                    message = "the stand-in is failing on purpose"
                    self._answer(service.fail_with, {"error": {"code": "ServiceError", "message": message}})
                    return
                activity_id = service._record(request)
                if creates:
                    channel = body["channelData"]["channel"]["id"]
                    conversation = f"{channel};messageid={activity_id}"
                    self._answer(201, {"id": conversation, "activityId": activity_id})
                else:
                    self._answer(200, {"id": activity_id})

            def _answer(self, status: int, content: dict[str, Any]) -> None:
                payload = json.dumps(content).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = _handle
            do_PUT = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
