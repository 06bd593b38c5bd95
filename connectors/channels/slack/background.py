"""Work done after Slack has been acknowledged, with failures logged and never lost."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from connectors.observability.request_ids import context_for_request

logger = logging.getLogger(__name__)

OnError = Callable[[BaseException], Awaitable[None]]


class BackgroundWork:
    """Runs coroutines as asyncio tasks after the HTTP acknowledgement.

    Slack wants an answer to every request within 3 seconds, so listeners acknowledge first and
    hand the slow part (the assistant, the Web API calls) to `spawn`. This class keeps a strong
    reference to every task (asyncio only keeps weak ones), logs any exception with the Slack
    request id, and calls `on_error` so the user gets a polite reply instead of silence.
    """

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def pending(self) -> int:
        """How many tasks are still running."""
        return len(self._tasks)

    def spawn(
        self,
        work: Coroutine[Any, Any, None],
        *,
        request_id: str,
        on_error: OnError | None = None,
    ) -> asyncio.Task[None]:
        """Start `work` now on the running loop; `request_id` (event or trigger id) names it in logs, and is the
        request id of every log line the work writes (a new one when it is no sane token)."""
        task = asyncio.get_running_loop().create_task(
            self._run(work, request_id, on_error), name=f"slack:{request_id}",
            context=context_for_request(request_id),
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait up to `timeout` seconds for running work, then cancel what is left (on shutdown)."""
        if not self._tasks:
            return
        _, still_running = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in still_running:
            logger.warning("Cancelling unfinished Slack work %s at shutdown", task.get_name())
            task.cancel()
        if still_running:
            await asyncio.wait(still_running)

    @staticmethod
    async def _run(work: Coroutine[Any, Any, None], request_id: str, on_error: OnError | None) -> None:
        try:
            await work
        except asyncio.CancelledError:
            logger.warning("Slack work for request %s was cancelled", request_id)
            raise
        except Exception as exc:
            logger.exception("Slack work for request %s failed: %s", request_id, exc)
            if on_error is None:
                return
            try:
                await on_error(exc)
            except Exception:
                logger.exception("Could not send the error reply for Slack request %s", request_id)
