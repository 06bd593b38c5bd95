"""The facts insights are computed from: one row per gap, already redacted (answered turns come as the store's
`AnsweredTurn` records, which need nothing added).

They are plain data so that every insight can be computed and tested without a database; the
connectors build them from the interaction store, the themes and the EX-dimension classifier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assistant.interactions.records import SuggestedPage


@dataclass(frozen=True)
class GapFact:
    """One gap as the reports see it. `asker` is the keyed hash, never the person."""

    gap_id: str
    created_at: dt.datetime
    channel: str
    reason: str
    question: str
    asker: str
    team: str | None = None
    location: str | None = None
    role: str | None = None
    nearest_path: str | None = None
    nearest_title: str | None = None
    nearest_owner: str | None = None
    state: str = "open"
    resolved_at: dt.datetime | None = None
    resolved_page: str | None = None
    theme_id: str | None = None
    dimension: str | None = None
    customer_interaction: bool = False
    suggested_across: tuple[SuggestedPage, ...] = ()
    """Pages in another language than the question's that the held-back reply suggested."""


@dataclass(frozen=True)
class ThemeLabel:
    """What the report needs to know of a theme besides its members: its label and example questions."""

    theme_id: str
    label: str
    examples: tuple[str, ...] = ()
