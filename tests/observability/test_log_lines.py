"""Log lines: text on a terminal, JSON lines elsewhere, each with the request id; Slack's background work runs as the
request its event id names."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import pytest

from connectors.channels.slack.background import BackgroundWork
from connectors.observability.log_format import log_handler, resolve_log_format
from connectors.observability.request_ids import current_request_id, request_scope, sane_request_id


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _log_through(handler: logging.Handler, emit) -> None:
    logger = logging.getLogger("tests.observability.lines")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


@pytest.mark.parametrize(("setting", "stream", "expected"), [
    ("auto", _Terminal(), "text"), ("auto", io.StringIO(), "json"),
    ("text", io.StringIO(), "text"), ("json", _Terminal(), "json"),
])
def test_auto_is_text_on_a_terminal_and_json_elsewhere(setting, stream, expected) -> None:
    assert resolve_log_format(setting, stream) == expected


def test_json_lines_carry_the_request_id_and_the_exception() -> None:
    stream = io.StringIO()

    def emit(logger: logging.Logger) -> None:
        logger.info("before any request")
        with request_scope("abc-123"):
            logger.warning("answered %s in %d ms", "a1", 42)
            try:
                raise ValueError("the cause")
            except ValueError:
                logger.exception("it failed")

    _log_through(log_handler("json", stream), emit)
    first, answered, failed = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["request_id"] is None and first["message"] == "before any request"
    assert answered["request_id"] == "abc-123" and answered["message"] == "answered a1 in 42 ms"
    assert answered["level"] == "WARNING" and answered["logger"] == "tests.observability.lines"
    assert answered["timestamp"].endswith("+00:00")
    assert failed["request_id"] == "abc-123" and "ValueError: the cause" in failed["exception"]


def test_text_lines_show_the_request_id() -> None:
    stream = io.StringIO()

    def emit(logger: logging.Logger) -> None:
        with request_scope("not a sane id") as request:
            logger.info("hello")
        assert sane_request_id(request.request_id) == request.request_id

    _log_through(log_handler("text", stream), emit)
    line = stream.getvalue().strip()
    assert "INFO tests.observability.lines [" in line and line.endswith("]: hello") and "not a sane" not in line


def test_slack_work_runs_as_the_request_its_event_id_names() -> None:
    seen: list[str | None] = []

    async def work() -> None:
        await asyncio.sleep(0)
        seen.append(current_request_id())
        seen.append(await asyncio.to_thread(current_request_id))

    async def main() -> None:
        background = BackgroundWork()
        with request_scope("http-request"):
            background.spawn(work(), request_id="Ev08ABCDEF")
            background.spawn(work(), request_id="C024BE91L:1700000000.000100")
            assert current_request_id() == "http-request"
        await background.drain()

    asyncio.run(main())
    assert sorted(seen) == ["C024BE91L:1700000000.000100"] * 2 + ["Ev08ABCDEF"] * 2


def test_access_lines_leave_the_query_string_out() -> None:
    stream = io.StringIO()
    handler = log_handler("json", stream)
    access = logging.getLogger("uvicorn.access")
    record = access.makeRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/v1/notices?user=U0123ABC", "1.1", 200), None)
    handler.handle(record)
    line = json.loads(stream.getvalue())
    assert line["message"] == '127.0.0.1:5000 - "GET /v1/notices HTTP/1.1" 200' and "U0123ABC" not in line["message"]
