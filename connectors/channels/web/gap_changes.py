"""The dashboard's drill-down: a theme's gaps as the page lists them, and an administrator's decision on one of them
(resolved or dismissed with a note, or opened again), made through the same `ChangesGapState` port as the API."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.errors import UnknownAnswerError
from assistant.insights.report import ThemeInsight
from assistant.interactions import GapState, InvalidGapTransitionError, Resolution
from assistant.interactions.records import GapRecord
from assistant.ports import ChangesGapState

logger = logging.getLogger(__name__)

MAX_THEME_GAPS = 50
"""How many of a theme's gaps the drill-down lists (the newest); the CSV download has them all."""
MAX_NOTE = 2000
MAX_PAGE = 500

STATE_OUTCOMES = ("resolved", "dismissed", "open", "note_needed", "not_changed", "unknown_gap", "bad_state")
"""What the page says after a decision (each has a `changed_<outcome>` string in both languages)."""


@dataclass(frozen=True)
class ThemeGap:
    """One of a theme's gaps as the drill-down shows it: the redacted question, when, why and where it stands.
    Nothing about who asked (no asker, team, location or role): a single gap is one person."""

    answer_id: str
    created: str
    reason: str
    channel: str
    question: str
    state: str
    state_note: str | None
    resolved_page: str | None


def theme_gaps(theme: ThemeInsight, rows: Sequence[GapRecord], limit: int = MAX_THEME_GAPS) -> list[ThemeGap]:
    """The theme's gaps among the report's rows, newest first (as `theme.gap_ids` orders them)."""
    by_id = {row.answer_id: row for row in rows}
    shown = []
    for answer_id in theme.gap_ids:
        row = by_id.get(answer_id)
        if row is None:
            continue
        shown.append(ThemeGap(row.answer_id, row.created_at.date().isoformat(),
                              row.gap_reason.value if row.gap_reason else "unknown", row.channel, row.question,
                              row.state.value, row.state_note, row.resolved_page))
        if len(shown) >= limit:
            break
    return shown


@dataclass(frozen=True)
class GapStateForm:
    """The decision form's fields: the new state, a note (needed to dismiss) and, to resolve, the page that now
    answers the question (optional)."""

    state: str
    note: str | None
    page: str | None

    @classmethod
    def of(cls, form: Mapping[str, str]) -> GapStateForm:
        note = (form.get("note") or "").strip()[:MAX_NOTE] or None
        page = (form.get("page") or "").strip()[:MAX_PAGE] or None
        return cls((form.get("state") or "").strip(), note, page)

    def apply(self, port: ChangesGapState, answer_id: str, by: str) -> str:
        """Make the change; returns the outcome the page reports (one of `STATE_OUTCOMES`)."""
        if self.state not in {state.value for state in GapState}:
            return "bad_state"
        if self.state == GapState.DISMISSED.value and not self.note:
            return "note_needed"
        try:
            if self.state == GapState.RESOLVED.value:
                port.resolve_gap(answer_id, self.page, Resolution.PERSON, by=by, note=self.note)
            elif self.state == GapState.DISMISSED.value:
                port.dismiss_gap(answer_id, self.note or "", by=by)
            else:
                port.reopen_gap(answer_id, by=by, note=self.note)
        except InvalidGapTransitionError as error:
            logger.info("console: gap %s not changed: %s", answer_id, error)
            return "not_changed"
        except UnknownAnswerError as error:
            logger.info("console: gap %s not changed: %s", answer_id, error)
            return "unknown_gap"
        logger.info("console: gap %s marked %s by %s", answer_id, self.state, by)
        return self.state
