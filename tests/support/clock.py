"""Clocks the test moves by hand: monotonic seconds (`ManualClock`) and timezone-aware datetimes (`DateClock`)."""

from __future__ import annotations

import datetime as dt


class ManualClock:
    """Starts at `now` seconds; tests add to `now` to let time pass."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class DateClock:
    """A store's clock (timezone-aware datetimes) starting at `now`; tests assign or add to `now`."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now
