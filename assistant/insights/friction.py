"""How much a theme of gaps costs staff, as one score with its parts shown (docs/insights.md).

    friction = 10·log2(1 + gaps) + 15·log2(1 + askers) + 10·clamp(log2(growth), -1, 2)
             + 20·negative share + 20·hand-off share + 15·customer share

- gaps, askers: how often and how widely staff hit it (logarithmic: the 100th gap matters less than the 2nd);
- growth: gaps in the last 7 days of the period against the 7 days before, each plus one;
- negative share: gaps that were thumbs-down on an answer given (the answer misled);
- hand-off share: gaps where staff gave up and asked a person;
- customer share: gaps raised while serving a customer (the friction reaches the customer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WEIGHTS = {"gaps": 10.0, "askers": 15.0, "growth": 10.0, "negative": 20.0, "handoff": 20.0, "customer": 15.0}


@dataclass(frozen=True)
class FrictionInputs:
    """What a theme's friction is computed from."""

    gaps: int
    askers: int
    recent: int
    previous: int
    negative_share: float
    handoff_share: float
    customer_share: float

    @property
    def growth(self) -> float:
        return (self.recent + 1) / (self.previous + 1)


def friction_parts(inputs: FrictionInputs) -> dict[str, float]:
    """Each term of the score, rounded for display; their sum is the score."""
    growth_term = min(max(math.log2(inputs.growth), -1.0), 2.0)
    parts = {
        "gaps": WEIGHTS["gaps"] * math.log2(1 + inputs.gaps),
        "askers": WEIGHTS["askers"] * math.log2(1 + inputs.askers),
        "growth": WEIGHTS["growth"] * growth_term,
        "negative": WEIGHTS["negative"] * inputs.negative_share,
        "handoff": WEIGHTS["handoff"] * inputs.handoff_share,
        "customer": WEIGHTS["customer"] * inputs.customer_share,
    }
    return {name: round(value, 2) for name, value in parts.items()}


def friction_score(inputs: FrictionInputs) -> float:
    return round(sum(friction_parts(inputs).values()), 2)
