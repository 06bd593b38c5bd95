"""A clock the test moves by hand, for anything that takes a `clock` returning monotonic seconds."""

from __future__ import annotations


class ManualClock:
    """Starts at `now` seconds; tests add to `now` to let time pass."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
