"""What an order number looks like: the one pattern that settings, the entity ruler and routing share."""

from __future__ import annotations

import re

from assistant.errors import ConfigurationError

DEFAULT_ORDER_NUMBER_PATTERN = r"ORD-\d{6,10}"
"""The demo company's format; `ASSISTANT_ORDER_NUMBER_PATTERN` replaces it."""


class OrderNumberFinder:
    """Finds the first order number in a text, as a whole word and case-insensitively; returns it upper-cased."""

    def __init__(self, pattern: str = DEFAULT_ORDER_NUMBER_PATTERN) -> None:
        self.pattern = pattern
        try:
            self._regex = re.compile(rf"\b({pattern})\b", re.IGNORECASE)
        except re.error as error:
            raise ConfigurationError(
                f"order number pattern {pattern!r} is not a valid regular expression: {error}"
            ) from error

    def find(self, text: str) -> str | None:
        match = self._regex.search(text)
        return match.group(1).upper() if match else None
