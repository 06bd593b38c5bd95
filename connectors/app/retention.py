"""Applies `ASSISTANT_RETENTION_DAYS` while the server runs: once at start, then once a day."""

from __future__ import annotations

import logging
import threading

from assistant.errors import AssistantError
from assistant.interactions import InteractionStore

logger = logging.getLogger(__name__)

DAY_SECONDS = 24 * 3600.0


class RetentionSchedule:
    """A daemon thread that prunes old turns; `stop()` ends it at once. A failed run is logged and retried next time."""

    def __init__(self, store: InteractionStore, days: int, every_seconds: float = DAY_SECONDS) -> None:
        self._store = store
        self._days = days
        self._every = every_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="retention", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                result = self._store.apply_retention(self._days)
                logger.info("retention of %d days: deleted %d turns and %d votes", self._days,
                            result.turns_deleted, result.feedback_deleted)
            except AssistantError as error:
                logger.error("retention of %d days failed, will retry: %s", self._days, error)
            self._stop.wait(self._every)
