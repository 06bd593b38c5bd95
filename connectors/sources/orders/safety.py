"""The last check before an order number leaves the process, and the auth header read from its setting."""

from __future__ import annotations

import re

from assistant.errors import ConfigurationError, InvalidOrderNumberError

SAFE_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", re.ASCII)
"""Whatever the configured pattern, a number sent on is short, ASCII letters, digits, `-` and `_` only."""


def checked_number(order_number: str) -> str:
    """`order_number` unchanged when it is safe as a URL path segment or a query parameter; otherwise
    `InvalidOrderNumberError` (the core validates against the pattern first; this is the sources' own guard)."""
    if not isinstance(order_number, str) or SAFE_NUMBER.fullmatch(order_number) is None:
        shown = order_number[:40] if isinstance(order_number, str) else "?"
        raise InvalidOrderNumberError(shown)
    return order_number


def auth_header(value: str | None) -> dict[str, str]:
    """`Name: value` as a header; a value without a name is the `Authorization` header; None is no header."""
    if not value:
        return {}
    name, separator, rest = value.partition(":")
    if separator and re.fullmatch(r"[A-Za-z0-9-]+", name.strip()) and rest.strip():
        return {name.strip(): rest.strip()}
    if "\n" in value or "\r" in value:
        raise ConfigurationError("ASSISTANT_ORDERS_AUTH_HEADER must be one line")
    return {"Authorization": value.strip()}
