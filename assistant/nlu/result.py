"""What an NLU server tells us about a text, and about itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class NLUEntity(NamedTuple):
    """An entity found in the text; `start` and `end` are character offsets into it."""

    label: str
    value: str
    start: int
    end: int
    extractor: str


@dataclass(frozen=True)
class NLUResult:
    """The intent of a text, its confidence, the full ranking and the entities found."""

    intent: str | None
    confidence: float
    ranking: list[tuple[str, float]] = field(default_factory=list)
    entities: list[NLUEntity] = field(default_factory=list)

    def entity_values(self, label: str) -> list[str]:
        """The values of every entity with that label, in order of appearance."""
        ordered = sorted(self.entities, key=lambda entity: entity.start)
        return [entity.value for entity in ordered if entity.label == label]


@dataclass(frozen=True)
class NLUStatus:
    """Whether the NLU server answers with a model loaded; `reason` says why not."""

    ok: bool
    reason: str
    model: str | None = None
