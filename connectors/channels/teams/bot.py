"""The Teams bot: turns activities into `Message`s for the core and answers into Adaptive Cards."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from urllib.parse import quote

from botbuilder.core import ActivityHandler, CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, ChannelAccount

from assistant.error_replies import error_reply
from assistant.errors import AssistantError, UnknownAnswerError
from assistant.insights.notices import CONFIRMATIONS
from assistant.models import Answer, Message
from assistant.ports import AnswersQuestions
from assistant.shared_state import MemorySharedState, SharedState, SharedStateError
from connectors.channels.teams.cards import (
    HANDOFF_ACTION,
    AnswerAction,
    FeedbackSubmission,
    answer_card,
    handoff_card,
    parse_answer_action,
    parse_feedback,
)
from connectors.channels.teams.errors import TeamsConnectorError
from connectors.channels.teams.mentions import strip_bot_mentions
from connectors.channels.teams.proactive import TeamsPoster
from connectors.channels.teams.replies import (
    HANDOFF_FAILED,
    HANDOFF_SENT,
    NO_HANDOFF_CONVERSATION,
    UNKNOWN_SUBMISSION,
    WELCOME,
    feedback_thanks,
)

logger = logging.getLogger(__name__)

CHANNEL = "teams"
SUMMARY_CHARS = 120
# Shared-state namespace of votes already recorded, per answer, voter and direction.
VOTES = "teams.vote"
VOTE_TTL_SECONDS = 7 * 24 * 3600.0
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


def conversation_link(conversation_id: str | None) -> str | None:
    """A Teams link to a channel thread (`19:…@thread.tacv2;messageid=…`); None for chats, which only their
    members can open anyway."""
    if not conversation_id or ";messageid=" not in conversation_id:
        return None
    channel_id, message_id = conversation_id.split(";messageid=", 1)
    return f"https://teams.microsoft.com/l/message/{quote(channel_id, safe='')}/{quote(message_id, safe='')}"


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

    A vote is recorded once: the same button pressed again by the same person (a double click, a
    redelivery, a press reaching another replica) is thanked but not recorded twice, until that
    person votes the other way. `state` holds the votes taken: the database's shared state when
    replicas run, this process's memory by default.
    """

    def __init__(self, assistant: AnswersQuestions, *, handoff_conversation: str | None = None,
                 service_url: str | None = None, poster_for: Callable[[str], TeamsPoster] | None = None,
                 state: SharedState | None = None, vote_ttl_seconds: float = VOTE_TTL_SECONDS) -> None:
        super().__init__()
        self._assistant = assistant
        self._state: SharedState = state if state is not None else MemorySharedState()
        self._vote_ttl = vote_ttl_seconds
        self._handoff_conversation = handoff_conversation
        self._service_url = service_url
        self._poster_for = poster_for or TeamsPoster  # without credentials: a service on this machine only
        self._posters: dict[str, TeamsPoster] = {}

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
        action = parse_answer_action(activity.value)
        if action is not None:
            try:
                if action.action == HANDOFF_ACTION:
                    await self._hand_off(turn_context, action)
                else:
                    await self._request_notice(turn_context, action)
            except AssistantError as error:
                await self._apologise(turn_context, error)
            return
        feedback = parse_feedback(activity.value)
        if feedback is None:
            logger.warning(
                "Teams activity %s: card submission not understood: %r", activity.id, activity.value
            )
            await turn_context.send_activity(UNKNOWN_SUBMISSION)
            return
        voter = message_from_activity(activity).asker
        if await self._first_vote(feedback, voter):
            try:
                await self._record(feedback)
            except AssistantError as error:
                await self._forget_vote(feedback, voter)
                await self._apologise(turn_context, error)
                return
        else:
            logger.info("Teams activity %s: the same vote on answer %s again, thanked but not recorded twice",
                        activity.id, feedback.answer_id)
        await turn_context.send_activity(feedback_thanks(feedback.helpful))

    async def _request_notice(self, turn_context: TurnContext, action: AnswerAction) -> None:
        """Keep this conversation (and the service that reaches it) as the place to tell the clicker."""
        activity = turn_context.activity
        asker = message_from_activity(activity).asker
        address = {"conversation_id": activity.conversation.id, "service_url": activity.service_url}
        await asyncio.to_thread(self._assistant.request_notice, action.answer_id, asker=asker, channel=CHANNEL,
                                address=address)
        language = "it" if (activity.locale or "").lower().startswith("it") else "en"
        await turn_context.send_activity(CONFIRMATIONS[language])

    async def _hand_off(self, turn_context: TurnContext, action: AnswerAction) -> None:
        """Record the hand-off as a gap and post the redacted question to the hand-off conversation."""
        activity = turn_context.activity
        if self._handoff_conversation is None:
            await turn_context.send_activity(NO_HANDOFF_CONVERSATION)
            return
        try:
            handoff = await asyncio.to_thread(self._assistant.request_handoff, action.answer_id)
            question: str | None = handoff.question
        except UnknownAnswerError as error:
            logger.warning("Teams activity %s: hand-off not recorded: %s", activity.id, error)
            question = None
        requester = (activity.from_property.name if activity.from_property else None) or "A colleague"
        card = handoff_card(question=question, requested_by=requester, answer_text=None,
                            conversation_link=conversation_link(activity.conversation.id))
        service_url = self._service_url or activity.service_url
        try:
            poster = self._posters.get(service_url) or self._posters.setdefault(service_url,
                                                                                self._poster_for(service_url))
            await poster.post(self._handoff_conversation, card=card, text=f"{requester} would like a person to help")
        except TeamsConnectorError as error:
            logger.error("Teams activity %s: the hand-off could not be posted to %s: %s", activity.id,
                         self._handoff_conversation, error)
            await turn_context.send_activity(HANDOFF_FAILED)
            return
        logger.info("Teams activity %s: hand-off posted to %s", activity.id, self._handoff_conversation)
        await turn_context.send_activity(HANDOFF_SENT)

    async def _first_vote(self, feedback: FeedbackSubmission, voter: str) -> bool:
        """Whether this vote is new: not the one this voter last gave on this answer (a comment is always new).

        Taking the vote releases the opposite one, so voting up, down and up again records three votes.
        """

        def take() -> bool:
            taken = self._state.claim(VOTES, _vote_key(feedback.answer_id, voter, feedback.helpful), self._vote_ttl)
            if taken:
                self._state.pop(VOTES, _vote_key(feedback.answer_id, voter, not feedback.helpful))
            return taken or bool(feedback.comment)

        try:
            return await asyncio.to_thread(take)
        except SharedStateError as error:
            logger.error("Teams: shared state unavailable, vote on %s recorded without the check: %s",
                         feedback.answer_id, error)
            return True

    async def _forget_vote(self, feedback: FeedbackSubmission, voter: str) -> None:
        """Release a vote that could not be recorded, so pressing again tries again."""
        try:
            await asyncio.to_thread(self._state.pop, VOTES, _vote_key(feedback.answer_id, voter, feedback.helpful))
        except SharedStateError as error:
            logger.error("Teams: shared state unavailable, vote on %s stays taken until it expires: %s",
                         feedback.answer_id, error)

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


def _vote_key(answer_id: str, voter: str, helpful: bool) -> str:
    return f"{answer_id}:{voter}:{'up' if helpful else 'down'}"
