"""What an order number looks like: the one pattern that settings, the entity ruler, routing and the sources share.

People type order numbers in many ways: `ORD-4827193`, `ord 4827193`, `ord4827193`, `#4827193`, digits the
message calls an order (`order 4827193`, `ordine n. 4827193`), and a bare `4827193` when they were just asked for
one. When the pattern is a prefix, a dash and a digit count (the default,
`ORD-\\d{6,10}`), every one of those forms is recognised and rewritten as `ORD-4827193`; any other pattern is matched
as it is. Only ASCII digits count: a number is validated against the pattern before it becomes a URL path segment or
an SQL parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.errors import ConfigurationError, InvalidOrderNumberError

DEFAULT_ORDER_NUMBER_PATTERN = r"ORD-\d{6,10}"
"""The demo company's format; `ASSISTANT_ORDER_NUMBER_PATTERN` replaces it."""
MAX_ORDER_NUMBER_CHARS = 64
"""Longer than any real order number; anything longer is refused before the pattern is even tried."""
SHOWN_MALFORMED_CHARS = 40

_SIMPLE = re.compile(r"^(?P<prefix>[A-Za-z]{1,10})-\\d\{(?P<low>\d{1,2}),(?P<high>\d{1,2})\}$")
_END = r"(?=$|[\s.,;:!?)\]}'\"’”])"
"""A number ends at a space, the end or punctuation: `ORD-123456/../admin` is no order number."""
_NAMED = re.compile(r"(?<!\w)(?:order|ordine)(?:\s+(?:number|no\.?|nr\.?|n\.|num\.?|numero))?\s*[:#]?\s*(\d+)" + _END,
                    re.IGNORECASE | re.ASCII)
"""Digits the message itself calls an order ("my order 4827193", "order no. 4827193", "l'ordine n. 4827193"): an
order number typed without its prefix, in English or Italian."""


@dataclass(frozen=True)
class FoundNumbers:
    """The order numbers in a message (canonical, each once, in order) and the tokens that look like order numbers
    but are not (`ORD-12`)."""

    numbers: tuple[str, ...] = ()
    malformed: tuple[str, ...] = ()


class OrderNumberFinder:
    """Finds order numbers in a text, case-insensitively, as whole words; returns them in canonical form."""

    def __init__(self, pattern: str = DEFAULT_ORDER_NUMBER_PATTERN) -> None:
        self.pattern = pattern
        try:
            self._exact = re.compile(pattern, re.IGNORECASE | re.ASCII)
            self._strict = re.compile(rf"(?<!\w)({pattern}){_END}", re.IGNORECASE | re.ASCII)
        except re.error as error:
            raise ConfigurationError(
                f"order number pattern {pattern!r} is not a valid regular expression: {error}"
            ) from error
        simple = _SIMPLE.match(pattern)
        self._prefix = simple["prefix"].upper() if simple else None
        self._digits = (int(simple["low"]), int(simple["high"])) if simple else None
        if self._prefix is not None:
            self._lenient = re.compile(
                rf"(?<![\w#-])(?:(?P<prefix>{self._prefix})[ \t]?[-–:]?[ \t]?|#)(?P<digits>\d+)(?P<tail>\S*)",
                re.IGNORECASE | re.ASCII,
            )
            self._malformed_prefixed = re.compile(rf"(?<![\w-])({self._prefix}-\S*)", re.IGNORECASE | re.ASCII)
            self._bare = re.compile(r"(?<![\w#-])(\d+)" + _END, re.ASCII)

    @property
    def example(self) -> str:
        """An example number in this format, for replies (`ORD-20481736` by default)."""
        if self._prefix is None or self._digits is None:
            return self.pattern
        low, high = self._digits
        length = min(max(8, low), high)
        return f"{self._prefix}-" + "20481736".ljust(length, "0")[:length]

    def describe_format(self, language: str = "en") -> str:
        """`ORD- followed by 6 to 10 digits`, or the pattern itself when it is not that simple."""
        if self._prefix is None or self._digits is None:
            return self.pattern
        low, high = self._digits
        if language == "it":
            return f"{self._prefix}- seguito da {low}-{high} cifre"
        return f"{self._prefix}- followed by {low} to {high} digits"

    def is_valid(self, number: str) -> bool:
        """Whether `number` is exactly one canonical order number (ASCII only, no more than 64 characters)."""
        return (isinstance(number, str) and len(number) <= MAX_ORDER_NUMBER_CHARS and number.isascii()
                and self._exact.fullmatch(number) is not None)

    def validated(self, number: str) -> str:
        """`number` upper-cased when valid; `InvalidOrderNumberError` otherwise (before any source sees it)."""
        if not self.is_valid(number):
            raise InvalidOrderNumberError(number[:SHOWN_MALFORMED_CHARS] if isinstance(number, str) else "?")
        return number.upper()

    def canonical(self, raw: str) -> str | None:
        """The canonical form of one typed number (`ord 4827193` -> `ORD-4827193`), or None."""
        found = self.find_all(raw)
        return found.numbers[0] if len(found.numbers) == 1 and not found.malformed else None

    def find(self, text: str) -> str | None:
        """The first order number in `text`, or None."""
        numbers = self.find_all(text).numbers
        return numbers[0] if numbers else None

    def find_all(self, text: str, *, bare: bool = False) -> FoundNumbers:
        """Every order number in `text`; `bare` also accepts digits alone (the assistant just asked for a number)."""
        found_at: dict[str, int] = {}
        malformed: list[str] = []

        def keep(number: str, position: int) -> None:
            found_at[number] = min(position, found_at.get(number, position))

        def numbers() -> tuple[str, ...]:
            return tuple(sorted(found_at, key=found_at.__getitem__))

        if self._prefix is None:
            for match in self._strict.finditer(text):
                keep(match.group(1).upper(), match.start())
            return FoundNumbers(numbers())
        assert self._digits is not None
        low, high = self._digits
        taken: list[tuple[int, int]] = []
        for match in self._lenient.finditer(text):
            digits, tail = match["digits"], match["tail"]
            clean_tail = re.fullmatch(r"[.,;:!?)\]}'\"’”]*", tail) is not None
            if low <= len(digits) <= high and clean_tail:
                keep(f"{self._prefix}-{digits}", match.start())
            elif match["prefix"]:
                malformed.append(_shown(match.group(0)))
            taken.append(match.span())
        for match in _NAMED.finditer(text):
            if low <= len(match.group(1)) <= high and not any(start <= match.start(1) < end for start, end in taken):
                keep(f"{self._prefix}-{match.group(1)}", match.start())
                taken.append(match.span(1))
        for match in self._malformed_prefixed.finditer(text):
            if not any(start <= match.start() < end for start, end in taken):
                malformed.append(_shown(match.group(1)))
        if bare:
            for match in self._bare.finditer(text):
                if any(start <= match.start() < end for start, end in taken):
                    continue
                if low <= len(match.group(1)) <= high:
                    keep(f"{self._prefix}-{match.group(1)}", match.start())
                elif text.strip() == match.group(1):
                    malformed.append(_shown(match.group(1)))
        return FoundNumbers(numbers(), tuple(dict.fromkeys(malformed)))


def _shown(token: str) -> str:
    token = token.rstrip(".,;:!?")
    return token if len(token) <= SHOWN_MALFORMED_CHARS else token[: SHOWN_MALFORMED_CHARS - 1] + "…"
