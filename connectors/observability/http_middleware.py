"""ASGI middleware: a request id for every HTTP request, returned in `X-Request-ID`, and the request counted and
timed by route template."""

from __future__ import annotations

import asyncio
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.observability.metrics import AssistantMetrics
from connectors.observability.request_ids import HEADER, end_request, start_request

logger = logging.getLogger(__name__)

CLIENT_GONE = 499
"""The status counted for a request whose client went away before an answer (nginx's convention)."""
UNMATCHED = "unmatched"
"""The route label of a request no route took (404s for made-up paths), so odd paths add no new series."""
_HEADER_NAME = HEADER.lower().encode("latin-1")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class ObservingMiddleware:
    """Takes the request id from a sane `X-Request-ID` header or makes one; every log line written while serving
    the request carries it (worker threads too: they run in a copy of the request's context). The id goes back in
    the response's `X-Request-ID`, an unexpected error's 500 included. Requests are counted and timed by method,
    route template (`/v1/gaps/{answer_id}/state`, not the path) and status."""

    def __init__(self, app: ASGIApp, metrics: AssistantMetrics) -> None:
        self.app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((value.decode("latin-1") for name, value in scope.get("headers", ())
                         if name == _HEADER_NAME), None)
        context, token = start_request(incoming)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [(name, value) for name, value in message.get("headers", []) if name != _HEADER_NAME]
                headers.append((_HEADER_NAME, context.request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except asyncio.CancelledError:
            if not response_started:
                status = CLIENT_GONE
            raise
        except Exception:
            if not response_started:
                # Starlette's outermost error handler would answer 500 without our header: answer it here (it then
                # sees the response started and only re-raises, for the server to log).
                logger.exception("%s %s failed", scope.get("method"), _route_label(scope))
                await send_with_id({"type": "http.response.start", "status": 500,
                                    "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
                await send_with_id({"type": "http.response.body", "body": b"Internal Server Error"})
            raise
        finally:
            route = _route_label(scope)
            method = scope.get("method", "") if scope.get("method") in METHODS else "other"
            self._metrics.http_requests.labels(method, route, str(status)).inc()
            self._metrics.http_duration.labels(method, route).observe(time.perf_counter() - started)
            end_request(token)


def _route_label(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED
