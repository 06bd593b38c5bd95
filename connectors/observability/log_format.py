"""Log lines as readable text or as JSON objects, each carrying the request id it was written for."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Literal, TextIO

from connectors.observability.request_ids import current_request_id

LogFormat = Literal["auto", "text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (`-` outside a request), for both formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


class AccessPathFilter(logging.Filter):
    """Drops the query string from uvicorn's access lines: queries carry user ids (`/v1/notices?user=U123`), and
    the route and status are all an access line needs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            if isinstance(path, str) and "?" in path:
                record.args = (client, method, path.split("?", 1)[0], version, status)
        return True


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line: timestamp (UTC, ISO 8601), level, logger, message, request_id, and the exception
    and stack when there is one. Only what the code chose to log is written: no extra record attributes."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        line: dict[str, object] = {
            "timestamp": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id if request_id not in (None, "-") else current_request_id(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def resolve_log_format(setting: LogFormat, stream: TextIO) -> Literal["text", "json"]:
    """`auto` is text on a terminal and JSON anywhere else (a container's log collector, a pipe, a file)."""
    if setting != "auto":
        return setting
    isatty = getattr(stream, "isatty", None)
    return "text" if isatty is not None and isatty() else "json"


def log_handler(setting: LogFormat, stream: TextIO | None = None) -> logging.Handler:
    """A handler writing to `stream` (standard error by default) in the format the setting names."""
    stream = stream if stream is not None else sys.stderr
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(AccessPathFilter())
    if resolve_log_format(setting, stream) == "json":
        handler.setFormatter(JsonLineFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(level: str, setting: LogFormat, stream: TextIO | None = None) -> None:
    """Send every log record of the process to one handler in the chosen format. Like `logging.basicConfig`, does
    nothing when the root logger already has a handler (a test runner's, or an embedding program's)."""
    logging.basicConfig(level=level.upper(), handlers=[log_handler(setting, stream)])
