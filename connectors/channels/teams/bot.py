"""The Teams bot: turns activities into `Message`s for the core and answers into Adaptive Cards."""

from __future__ import annotations

import asyncio
import logging
import re

from botbuilder.core import ActivityHandler, CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, ChannelAccount

from assistant.error_replies import error_reply
from assistant.errors import AssistantError
from assistant.models import Answer, Message
from assistant.ports import AnswersQuestions
from connectors.channels.teams.cards import FeedbackSubmission, answer_card, parse_feedback
from connectors.channels.teams.mentions import strip_bot_mentions
from connectors.channels.teams.replies import UNKNOWN_SUBMISSION, WELCOME, feedback_thanks

logger = logging.getLogger(__name__)

CHANNEL = "teams"
SUMMARY_CHARS = 120
# The manifest's command list offers "ask"; Teams then sends "ask <question>".
_ASK_COMMAND = re.compile(r"^ask\s*:?\s+(?=\S)")


def question_text(activity: Activity) -> str:
    """The question in a Teams message: no bot mention, no leading "ask" command word."""
    return _ASK_COMMAND.sub("", strip_bot_mentions(activity), count=1)


def message_from_activity(activity: Activity) -> Message:
    """The core's view of a Teams message: the question (see `question_text`), the asker, the thread.

    The asker is the Entra ID (AAD) object id when Teams sends one, the channel account id
    otherwise. The thread is the conversation id, which for a reply in a channel thread already
    ends in ";messageid=…".
    """
    sender = activity.from_property
    asker = (sender.aad_object_id or sender.id) if sender else None
    conversation_id = activity.conversation.id if activity.conversation else None
    return Message(
        text=question_text(activity),
        asker=asker or "anonymous",
        channel=CHANNEL,
        thread=conversation_id,
    )


def answer_activity(answer: Answer) -> Activity:
    """A message activity carrying the answer's Adaptive Card."""
    reply = MessageFactory.attachment(CardFactory.adaptive_card(answer_card(answer)))
    # Shown in notifications and the activity feed, where the card itself is not rendered.
    reply.summary = answer.text[:SUMMARY_CHARS]
    return reply


class AssistantBot(ActivityHandler):
    """A Bot Framework bot in front of the assistant core, for Microsoft Teams.

    Messages (personal chat, group chat, channel threads with an @mention) are answered with an
    Adaptive Card; feedback buttons on that card come back as message activities with a `value`
    and are recorded with `record_feedback`. Errors raised by the core become a polite reply and a
    log line with the activity id; anything else propagates to the adapter's turn error handler.
    The core is synchronous and CPU-bound, so it runs in a worker thread.
    """

    def __init__(self, assistant: AnswersQuestions) -> None:
        super().__init__()
        self._assistant = assistant

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.value is not None and not (activity.text or "").strip():
            await self._on_submission(turn_context)
            return
        message = message_from_activity(activity)
        try:
            answer = await asyncio.to_thread(self._assistant.handle, message)
        except AssistantError as error:
            await self._apologise(turn_context, error)
            return
        await turn_context.send_activity(answer_activity(answer))

    async def _on_submission(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        feedback = parse_feedback(activity.value)
        if feedback is None:
            logger.warning(
                "Teams activity %s: card submission not understood: %r", activity.id, activity.value
            )
            await turn_context.send_activity(UNKNOWN_SUBMISSION)
            return
        try:
            await self._record(feedback)
        except AssistantError as error:
            await self._apologise(turn_context, error)
            return
        await turn_context.send_activity(feedback_thanks(feedback.helpful))

    async def _record(self, feedback: FeedbackSubmission) -> None:
        await asyncio.to_thread(
            self._assistant.record_feedback, feedback.answer_id, feedback.helpful, feedback.comment
        )

    async def _apologise(self, turn_context: TurnContext, error: AssistantError) -> None:
        logger.warning(
            "Teams activity %s (conversation %s): %s: %s",
            turn_context.activity.id,
            turn_context.activity.conversation.id if turn_context.activity.conversation else None,
            type(error).__name__,
            error,
        )
        await turn_context.send_activity(error_reply(error))

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """Welcome once when the bot is installed, or when someone opens a personal chat with it.

        New members joining a team where the bot already is are not greeted: that would post a
        welcome in the channel for every new colleague.
        """
        activity = turn_context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        bot_added = any(member.id == bot_id for member in members_added)
        conversation_type = activity.conversation.conversation_type if activity.conversation else None
        people_added = any(member.id != bot_id for member in members_added)
        personal = conversation_type in (None, "personal")
        if bot_added or (personal and people_added):
            await turn_context.send_activity(WELCOME)
