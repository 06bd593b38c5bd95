"""What the adapter does when a turn fails with an error nobody expected."""

from __future__ import annotations

import logging

from botbuilder.core import TurnContext

from assistant.error_replies import error_reply

logger = logging.getLogger(__name__)


class TurnErrorHandler:
    """The adapter's `on_turn_error`: logs the failure with the activity id and apologises.

    If the apology cannot be delivered either (the connector service is unreachable, say), that
    failure is logged too; the original error has already been logged with its traceback.
    """

    async def __call__(self, turn_context: TurnContext, error: Exception) -> None:
        activity = turn_context.activity
        logger.error(
            "Teams activity %s (type %s, conversation %s) failed: %s: %s",
            activity.id,
            activity.type,
            activity.conversation.id if activity.conversation else None,
            type(error).__name__,
            error,
            exc_info=error,
        )
        if activity.type != "message":
            return
        try:
            await turn_context.send_activity(error_reply(error))
        except Exception as send_error:  # the reply channel itself is failing; say so in the log
            logger.error(
                "Teams activity %s: could not send the error reply: %s: %s",
                activity.id,
                type(send_error).__name__,
                send_error,
                exc_info=send_error,
            )
