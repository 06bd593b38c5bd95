"""How a part of the running assistant reports its health to `/healthz`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class PartHealth:
    """One part's state: `ok`, or why not; `details` are shown as they are (counts, model names)."""

    name: str
    ok: bool
    reason: str | None = None
    details: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "reason": self.reason, **self.details}


class HealthCheck(Protocol):
    """Reports one part's health; must not raise for a part that is down (that is what `ok` is for)."""

    def __call__(self) -> PartHealth: ...
