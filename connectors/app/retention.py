"""Applies `ASSISTANT_RETENTION_DAYS` while the server runs: once at start, then once a day."""

from __future__ import annotations

import logging

from assistant.interactions import InteractionStore
from connectors.app.periodic import PeriodicJob

logger = logging.getLogger(__name__)

DAY_SECONDS = 24 * 3600.0


class RetentionSchedule(PeriodicJob):
    """A daemon thread that prunes old turns; `stop()` ends it at once. A failed run is logged and retried next time."""

    def __init__(self, store: InteractionStore, days: int, every_seconds: float = DAY_SECONDS) -> None:
        def prune() -> None:
            result = store.apply_retention(days)
            logger.info("retention of %d days: deleted %d turns and %d votes", days, result.turns_deleted,
                        result.feedback_deleted)

        super().__init__("retention", prune, every_seconds)
