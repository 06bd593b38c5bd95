"""The request id: one per question, from the channel through NLU, retrieval and storage, in every log line."""

from __future__ import annotations

import contextlib
import contextvars
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

HEADER = "X-Request-ID"
MAX_LENGTH = 64
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")


@dataclass
class RequestContext:
    """The request being served. Mutable on purpose: a channel that learns the platform's event id part-way through
    the request adopts it, and the HTTP layer, which holds the same object, returns that id in its header."""

    request_id: str

    def adopt(self, candidate: str | None) -> None:
        """Use `candidate` (a platform's event or activity id) from now on, when it is a sane token."""
        sane = sane_request_id(candidate)
        if sane is not None:
            self.request_id = sane


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("assistant_request", default=None)


def sane_request_id(value: str | None) -> str | None:
    """`value` when it is a token safe to log and echo (letters, digits, `.`, `_`, `:`, `-`; at most 64 characters,
    starting with a letter or digit), else None."""
    if not value or len(value) > MAX_LENGTH or not _SANE.fullmatch(value):
        return None
    return value


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request this code runs for, or None outside any request (start-up, periodic jobs)."""
    context = _current.get()
    return context.request_id if context is not None else None


def current_request() -> RequestContext | None:
    return _current.get()


def start_request(candidate: str | None = None) -> tuple[RequestContext, contextvars.Token]:
    """Begin a request in the current context: `candidate` when sane, else a new id. Pass the token to
    `end_request` when the request is over."""
    context = RequestContext(sane_request_id(candidate) or new_request_id())
    return context, _current.set(context)


def end_request(token: contextvars.Token) -> None:
    _current.reset(token)


@contextlib.contextmanager
def request_scope(candidate: str | None = None) -> Iterator[RequestContext]:
    """Everything inside runs (and logs) as one request: `candidate` when sane, else a new id."""
    context, token = start_request(candidate)
    try:
        yield context
    finally:
        end_request(token)


def context_for_request(candidate: str | None = None) -> contextvars.Context:
    """A copy of the current context in which a new request has begun: for a task that outlives the code that
    starts it (Slack's work after the acknowledgement)."""
    context = contextvars.copy_context()
    context.run(start_request, candidate)
    return context
