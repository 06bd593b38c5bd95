"""Background jobs of `assistant serve`: one daemon thread per job, run at start and then every period."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from assistant.errors import AssistantError

logger = logging.getLogger(__name__)


class PeriodicJob:
    """Runs `action` at start and then every `every_seconds`; `stop()` ends it at once.

    A run that fails with an `AssistantError` (a database or platform that is down) is logged and tried again on
    the next period; any other exception is a bug and ends the job with its traceback in the log.
    """

    def __init__(self, name: str, action: Callable[[], object], every_seconds: float) -> None:
        self.name = name
        self._action = action
        self._every = every_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._action()
            except AssistantError as error:
                logger.error("%s failed, will retry in %.0f s: %s", self.name, self._every, error)
            except Exception:
                logger.exception("%s stopped by an unexpected error", self.name)
                raise
            self._stop.wait(self._every)
