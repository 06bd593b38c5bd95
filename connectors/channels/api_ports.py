"""What the HTTP API and the web console serve, shared by both channels: the ports and the key look-up."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.access import ApiKey
from assistant.health import HealthCheck
from assistant.ports import (
    AnswersQuestions,
    ChangesGapState,
    CollectsNotices,
    DescribesKnowledgeHealth,
    ListsGaps,
    ReportsGaps,
)


@dataclass(frozen=True)
class ApiPorts:
    """What the HTTP API and the console serve, and nothing more: answering and feedback, the gap log, health
    checks, keys.

    `page_owner` names the owner of a knowledge page (by path), so a curator sees the gaps of their pages;
    `knowledge_health` lists the pages for the console's knowledge health page.
    """

    answering: AnswersQuestions
    gaps: ListsGaps
    reports: ReportsGaps | None = None
    gap_states: ChangesGapState | None = None
    notices: CollectsNotices | None = None
    health_checks: Sequence[HealthCheck] = ()
    api_keys: Sequence[ApiKey] = field(default=(), repr=False)
    page_owner: Callable[[str], str | None] = lambda path: None
    knowledge_health: DescribesKnowledgeHealth | None = None


def matching_key(keys: Sequence[ApiKey], supplied: str) -> ApiKey | None:
    """The configured key `supplied` is, or None. Compares with every key, so the time taken does not say which
    one nearly matched."""
    matches = [key for key in keys if key.matches(supplied)]
    return matches[0] if supplied and matches else None
