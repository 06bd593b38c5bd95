"""The Slack bot: Bolt listeners that turn Slack events into `Message`s and answers into Block Kit."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from assistant.errors import AssistantError, UnknownAnswerError
from assistant.insights.notices import CONFIRMATIONS
from assistant.models import Answer, Message
from assistant.ports import AnswersQuestions, RecallsQuestions
from assistant.retrieval.language import guess_language
from assistant.shared_state import MemorySharedState, SharedState, SharedStateError
from connectors.channels.slack import blocks as kit
from connectors.channels.slack import replies
from connectors.channels.slack.background import BackgroundWork
from connectors.channels.slack.config import SlackConfig
from connectors.channels.slack.errors import SlackDeliveryError
from connectors.channels.slack.order_blocks import TRACK_ACTION_PREFIX
from connectors.channels.slack.shown import ShownAnswer, ShownAnswers
from connectors.channels.slack.text import escape, mentions, question_from_slack

logger = logging.getLogger(__name__)

CHANNEL_NAME = "slack"
# Message subtypes that are people writing; every other subtype (edits, joins, bots) is ignored.
_PEOPLE_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})

Payload = Mapping[str, Any]
# Namespaces of the shared state: events and messages already taken by a replica, threads the bot is in.
EVENTS = "slack.event"
MESSAGES = "slack.message"
THREADS = "slack.thread"


class SlackBot:
    """Answers Slack mentions, direct messages, thread follow-ups and `/ask`; handles the buttons.

    Every listener only decides and acknowledges; the assistant (synchronous, CPU-bound, so run in
    a worker thread) and the Web API calls run afterwards in `work`. Slack's retries are dropped by
    event id, and one Slack message is answered at most once even when it arrives as both an
    `app_mention` and a `message` event.

    What another replica must know (events and messages taken, threads the bot is in, answers behind
    buttons) is kept in `state`: the database's shared state when replicas run, this process's memory
    (`config.max_remembered` entries per kind, timed by `clock`) by default. `questions` reads a
    question back from the interaction store, redacted, for the Share note.
    """

    def __init__(
        self,
        assistant: AnswersQuestions,
        config: SlackConfig,
        *,
        work: BackgroundWork | None = None,
        clock: Callable[[], float] = time.monotonic,
        state: SharedState | None = None,
        questions: RecallsQuestions | None = None,
    ) -> None:
        self._assistant = assistant
        self._config = config
        self.work = work or BackgroundWork()
        self._state: SharedState = state if state is not None else MemorySharedState(config.max_remembered, clock)
        self._answers = ShownAnswers(self._state, config.answer_ttl_seconds, questions=questions)
        client_options: dict[str, Any] = {"token": config.bot_token}
        if config.web_api_base_url:
            client_options["base_url"] = config.web_api_base_url
        self.client = AsyncWebClient(**client_options)
        # process_before_response=True runs our (fast) listeners before the HTTP response, so the
        # retry check and the hand-off to `work` are done by the time Slack gets its 200.
        self.app = AsyncApp(
            name="frontline-assistant",
            client=self.client,
            signing_secret=config.signing_secret,
            process_before_response=True,
        )
        self._register()

    def _register(self) -> None:
        app = self.app
        app.middleware(self._drop_redelivered_events)
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.command("/ask")(self._on_ask_command)
        app.action(kit.HELPFUL)(self._on_feedback)
        app.action(kit.NOT_HELPFUL)(self._on_feedback)
        app.action(kit.ASK_PERSON)(self._on_ask_person)
        app.action(kit.SHARE)(self._on_share)
        app.action(kit.NOTIFY)(self._on_notify)
        app.action(re.compile(f"^{TRACK_ACTION_PREFIX}"))(self._on_track)

    # ------------------------------------------------------------------ middleware

    async def _drop_redelivered_events(
        self, body: dict[str, Any], request: AsyncBoltRequest, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        """Acknowledge an event seen before (a retry, `X-Slack-Retry-Num`) at once, without answering."""
        if body.get("type") == "event_callback":
            event_id = body.get("event_id")
            if event_id and not await self._claim(EVENTS, event_id, self._config.event_lease_seconds):
                logger.info(
                    "Slack event %s delivered again (retry %s, reason %s): acknowledged, not answered again",
                    event_id,
                    _header(request, "x-slack-retry-num") or "?",
                    _header(request, "x-slack-retry-reason") or "?",
                )
                return BoltResponse(status=200, body="")
        return await next()

    # ------------------------------------------------------------------ events

    async def _on_mention(
        self, event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        if event.get("bot_id") or event.get("subtype") not in _PEOPLE_SUBTYPES:
            return
        channel, ts = event["channel"], event["ts"]
        if not await self._claim_message(channel, ts):
            return
        if channel.startswith("D"):  # a mention inside a direct message: answer like any DM
            thread_ts = event.get("thread_ts")
        else:
            thread_ts = event.get("thread_ts") or ts
            await self._join_thread(channel, thread_ts)
        self._start_answer(
            text=event.get("text", ""),
            user=event.get("user", "unknown"),
            channel=channel,
            ts=ts,
            thread_ts=thread_ts,
            bot_user_id=context.bot_user_id,
            event_id=body.get("event_id"),
        )

    async def _on_message(
        self, event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        if event.get("bot_id") or event.get("subtype") not in _PEOPLE_SUBTYPES:
            return
        user = event.get("user")
        if not user or user == context.bot_user_id:
            return
        channel, ts = event["channel"], event["ts"]
        thread_ts = event.get("thread_ts")
        text = event.get("text", "")
        if event.get("channel_type") == "im" or channel.startswith("D"):
            pass  # every direct message is for the bot
        elif not thread_ts or mentions(text, context.bot_user_id):
            # Not a follow-up in a thread; mentions are answered through `app_mention`.
            return
        elif not question_from_slack(text, context.bot_user_id):
            return  # an attachment or emoji-only reply in a thread is not a question
        elif not await self._in_thread(channel, thread_ts):
            return  # a thread the bot is not in
        if not await self._claim_message(channel, ts):
            return
        if thread_ts and not channel.startswith("D"):
            await self._join_thread(channel, thread_ts)  # keep an active thread alive
        self._start_answer(
            text=text,
            user=user,
            channel=channel,
            ts=ts,
            thread_ts=thread_ts,
            bot_user_id=context.bot_user_id,
            event_id=body.get("event_id"),
        )

    def _start_answer(
        self,
        *,
        text: str,
        user: str,
        channel: str,
        ts: str,
        thread_ts: str | None,
        bot_user_id: str | None,
        event_id: str | None,
    ) -> None:
        question = question_from_slack(text, bot_user_id)
        request_id = event_id or f"{channel}:{ts}"

        async def answer_then_settle() -> None:
            await self._answer_in_conversation(question, user, channel, thread_ts, request_id)
            await self._settle(event_id, channel, ts)

        async def tell_error(error: BaseException) -> None:
            await self.client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=replies.polite_reply(error)
            )
            await self._settle(event_id, channel, ts)

        self.work.spawn(answer_then_settle(), request_id=request_id, on_error=tell_error)

    async def _answer_in_conversation(
        self, question: str, user: str, channel: str, thread_ts: str | None, request_id: str
    ) -> None:
        if not question:
            await self.client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=replies.MENTION_USAGE
            )
            return
        message = Message(
            text=question, asker=user, channel=CHANNEL_NAME, thread=_conversation(channel, thread_ts)
        )
        try:
            answer = await asyncio.to_thread(self._assistant.handle, message)
        except AssistantError as error:
            _log_core_error(request_id, error)
            await self.client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=replies.polite_reply(error, guess_language(question))
            )
            return
        key = await self._remember(answer, question, user, request_id)
        await self.client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=kit.fallback_text(answer.text),
            blocks=kit.answer_blocks(answer, key=key),
            unfurl_links=False,
            unfurl_media=False,
        )
        _log_answered(request_id, answer)

    # ------------------------------------------------------------------ /ask

    async def _on_ask_command(
        self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        question = question_from_slack(command.get("text", ""), context.bot_user_id)
        if not question:
            await ack(response_type="ephemeral", text=replies.ASK_USAGE)
            return
        await ack()
        request_id = f"/ask:{command.get('trigger_id', uuid.uuid4().hex)}"

        async def tell_error(error: BaseException) -> None:
            await _send(respond, response_type="ephemeral", text=replies.polite_reply(error))

        self.work.spawn(
            self._answer_command(question, command, respond, request_id),
            request_id=request_id,
            on_error=tell_error,
        )

    async def _answer_command(
        self, question: str, command: dict[str, Any], respond: AsyncRespond, request_id: str
    ) -> None:
        user = command.get("user_id", "unknown")
        # /ask is a one-off question: its conversation is the asker's own (thread None).
        message = Message(text=question, asker=user, channel=CHANNEL_NAME)
        try:
            answer = await asyncio.to_thread(self._assistant.handle, message)
        except AssistantError as error:
            _log_core_error(request_id, error)
            await _send(respond, response_type="ephemeral", text=replies.polite_reply(error, guess_language(question)))
            return
        key = await self._remember(answer, question, user, request_id)
        await _send(
            respond,
            response_type="ephemeral",
            text=kit.fallback_text(answer.text),
            blocks=kit.answer_blocks(answer, key=key, shareable=True),
        )
        _log_answered(request_id, answer)

    # ------------------------------------------------------------------ buttons

    async def _on_feedback(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        helpful = action.get("action_id") == kit.HELPFUL
        request_id = _action_request_id(body)
        self.work.spawn(
            self._record_feedback(action.get("value", ""), helpful, body, respond, request_id),
            request_id=request_id,
            on_error=self._error_teller(body, respond),
        )

    async def _record_feedback(
        self, answer_id: str, helpful: bool, body: Payload, respond: AsyncRespond, request_id: str
    ) -> None:
        try:
            await asyncio.to_thread(self._assistant.record_feedback, answer_id, helpful)
        except AssistantError as error:
            _log_core_error(request_id, error)
            await self._tell(body, respond, replies.polite_reply(error))
            return
        user = body["user"]["id"]
        container = body.get("container") or {}
        if container.get("is_ephemeral"):
            shown = await asyncio.to_thread(self._answers.get, answer_id)
            if shown is None:
                await self._tell(body, respond, replies.FEEDBACK_THANKS)
                return
            original = kit.answer_blocks(shown.answer, key=answer_id, shareable=True)
            await _send(
                respond,
                replace_original=True,
                response_type="ephemeral",
                text=kit.fallback_text(shown.answer.text),
                blocks=kit.acknowledge_feedback(original, helpful=helpful, user_id=user, key=answer_id),
            )
            return
        message = body.get("message") or {}
        text = message.get("text") or replies.FEEDBACK_THANKS
        updated = kit.acknowledge_feedback(
            message.get("blocks") or [], helpful=helpful, user_id=user, key=answer_id
        )
        try:
            await self.client.chat_update(
                channel=container.get("channel_id") or body["channel"]["id"],
                ts=container.get("message_ts") or message["ts"],
                text=text,
                blocks=updated,
            )
        except SlackApiError as error:
            # e.g. a shared answer in a channel the bot is not in: the response_url can still
            # replace it (for 30 minutes after the click).
            logger.warning(
                "Slack request %s: chat.update failed (%s); using the response_url", request_id, error
            )
            await _send(respond, replace_original=True, text=text, blocks=updated)

    async def _on_ask_person(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        request_id = _action_request_id(body)
        self.work.spawn(
            self._hand_off(action.get("value", ""), body, respond, request_id),
            request_id=request_id,
            on_error=self._error_teller(body, respond),
        )

    async def _hand_off(self, key: str, body: Payload, respond: AsyncRespond, request_id: str) -> None:
        handoff_channel = self._config.handoff_channel
        if not handoff_channel:
            await self._tell(body, respond, replies.NO_HANDOFF_CHANNEL)
            return
        container = body.get("container") or {}
        channel_id = container.get("channel_id") or (body.get("channel") or {}).get("id")
        shown = await asyncio.to_thread(self._answers.get, key)
        permalink = None
        if not container.get("is_ephemeral") and channel_id and container.get("message_ts"):
            try:
                found = await self.client.chat_getPermalink(
                    channel=channel_id, message_ts=container["message_ts"]
                )
                permalink = found.get("permalink")
            except SlackApiError as error:
                # The hand-off is still worth making without the link; the failure is logged.
                logger.warning("Slack request %s: no permalink for the hand-off (%s)", request_id, error)
        text, handoff = kit.handoff_blocks(
            question=await self._record_handoff(shown, request_id),
            answer_text=shown.answer.text if shown else None,
            requested_by=body["user"]["id"],
            asker_id=shown.asker if shown else None,
            channel_id=channel_id,
            permalink=permalink,
        )
        await self.client.chat_postMessage(
            channel=handoff_channel, text=text, blocks=handoff, unfurl_links=False
        )
        await self._tell(
            body, respond, replies.handoff_confirmation(handoff_channel, in_thread=permalink is not None)
        )

    async def _record_handoff(self, shown: ShownAnswer | None, request_id: str) -> str | None:
        """Record the hand-off as a gap; the question as stored (redacted) is the only form that is forwarded."""
        if shown is None:
            return None
        try:
            handoff = await asyncio.to_thread(self._assistant.request_handoff, shown.answer.answer_id)
        except UnknownAnswerError as error:
            logger.warning("Slack request %s: hand-off not recorded: %s", request_id, error)
            return None
        return handoff.question

    async def _on_notify(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        request_id = _action_request_id(body)
        self.work.spawn(
            self._request_notice(action.get("value", ""), body, respond, request_id),
            request_id=request_id,
            on_error=self._error_teller(body, respond),
        )

    async def _request_notice(self, answer_id: str, body: Payload, respond: AsyncRespond, request_id: str) -> None:
        """Keep where to tell the clicker: the thread of the answer, or their direct messages for a private one."""
        user = body["user"]["id"]
        container = body.get("container") or {}
        message = body.get("message") or {}
        channel_id = container.get("channel_id") or (body.get("channel") or {}).get("id")
        if container.get("is_ephemeral") or not channel_id:
            address = {"channel": user}  # posting to a user id writes in their direct messages with the bot
        else:
            address = {"channel": channel_id,
                       "thread_ts": message.get("thread_ts") or container.get("message_ts") or message.get("ts", "")}
        shown = await asyncio.to_thread(self._answers.get, answer_id)
        language = shown.language if shown else "en"
        try:
            await asyncio.to_thread(self._assistant.request_notice, answer_id, asker=user, channel=CHANNEL_NAME,
                                    address=address)
        except AssistantError as error:
            _log_core_error(request_id, error)
            await self._tell(body, respond, replies.polite_reply(error, language))
            return
        await self._tell(body, respond, CONFIRMATIONS.get(language, CONFIRMATIONS["en"]))

    async def _on_track(self, ack: AsyncAck) -> None:
        """A tracking link was opened: nothing to do but acknowledge it."""
        await ack()

    async def _on_share(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        request_id = _action_request_id(body)
        self.work.spawn(
            self._share(action.get("value", ""), body, respond),
            request_id=request_id,
            on_error=self._error_teller(body, respond),
        )

    async def _share(self, key: str, body: Payload, respond: AsyncRespond) -> None:
        shown = await asyncio.to_thread(self._answers.get, key)
        if shown is None:
            await self._tell(body, respond, replies.ANSWER_EXPIRED)
            return
        note = _share_note(body["user"]["id"], shown.question)
        # A response_url reply with response_type in_channel posts visibly, even where the bot is
        # not a member; then the private copy is removed.
        await _send(
            respond,
            response_type="in_channel",
            replace_original=False,
            text=kit.fallback_text(shown.answer.text),
            blocks=kit.answer_blocks(shown.answer, key=key, note=note),
        )
        await _send(respond, delete_original=True)

    # ------------------------------------------------------------------ helpers

    async def _claim(self, namespace: str, key: str, ttl_seconds: float) -> bool:
        """True for the one replica (and the one delivery) that takes `key` first. When the shared state fails,
        True: answering a retry twice is better than answering nobody."""
        try:
            return await asyncio.to_thread(self._state.claim, namespace, key, ttl_seconds)
        except SharedStateError as error:
            logger.error("Slack: shared state unavailable, %s %s handled without a claim: %s", namespace, key, error)
            return True

    async def _in_thread(self, channel: str, thread_ts: str) -> bool:
        """Whether the bot is in this thread (False when the shared state fails: follow-ups then need a mention)."""
        try:
            return await asyncio.to_thread(self._state.contains, THREADS, _thread_key(channel, thread_ts))
        except SharedStateError as error:
            logger.error("Slack: shared state unavailable, thread follow-ups need a mention: %s", error)
            return False

    async def _remember(self, answer: Answer, question: str, user: str, request_id: str) -> str:
        """Keep the answer for its buttons; when that fails, the answer is still posted (its buttons may then say it
        has expired)."""
        try:
            return await asyncio.to_thread(self._answers.remember, answer, question, user)
        except SharedStateError as error:
            logger.error("Slack request %s: answer not kept for its buttons: %s", request_id, error)
            return answer.answer_id or f"local-{uuid.uuid4().hex}"

    async def _claim_message(self, channel: str, ts: str) -> bool:
        return await self._claim(MESSAGES, f"{channel}:{ts}", self._config.event_lease_seconds)

    async def _settle(self, event_id: str | None, channel: str, ts: str) -> None:
        """The reply is posted: hold the event and the message for `event_ttl_seconds` (they were only leased)."""
        held = [(MESSAGES, f"{channel}:{ts}")] + ([(EVENTS, event_id)] if event_id else [])
        try:
            for namespace, key in held:
                await asyncio.to_thread(self._state.put, namespace, key, True, self._config.event_ttl_seconds)
        except SharedStateError as error:
            logger.error("Slack: shared state unavailable, a retry of %s after %.0f s may be answered again: %s",
                         event_id or f"{channel}:{ts}", self._config.event_lease_seconds, error)

    async def _join_thread(self, channel: str, thread_ts: str) -> None:
        """Remember (for every replica) that the bot is in this thread, so follow-ups without a mention reach it."""
        try:
            await asyncio.to_thread(self._state.put, THREADS, _thread_key(channel, thread_ts), True,
                                    self._config.thread_ttl_seconds)
        except SharedStateError as error:
            logger.error("Slack: shared state unavailable, thread %s not remembered: %s", thread_ts, error)

    async def _tell(self, body: Payload, respond: AsyncRespond, text: str) -> None:
        """Say `text` privately to the person who clicked a button, where they clicked it."""
        container = body.get("container") or {}
        if container.get("is_ephemeral"):
            await _send(respond, response_type="ephemeral", replace_original=False, text=text)
            return
        message = body.get("message") or {}
        try:
            await self.client.chat_postEphemeral(
                channel=container.get("channel_id") or body["channel"]["id"],
                user=body["user"]["id"],
                text=text,
                thread_ts=message.get("thread_ts"),
            )
        except SlackApiError as error:
            # e.g. a channel the bot is not in; the click's response_url reaches the user anyway.
            logger.warning(
                "Slack request %s: chat.postEphemeral failed (%s); using the response_url",
                _action_request_id(body),
                error,
            )
            await _send(respond, response_type="ephemeral", replace_original=False, text=text)

    def _error_teller(
        self, body: Payload, respond: AsyncRespond
    ) -> Callable[[BaseException], Awaitable[None]]:
        async def tell_error(error: BaseException) -> None:
            await self._tell(body, respond, replies.polite_reply(error))

        return tell_error


def _share_note(user: str, question: str | None) -> str:
    """Who shared the answer, and what they asked as the store keeps it (redacted) when the store has it."""
    if not question:
        return f"<@{user}> shared this answer"
    shown = question if len(question) <= 200 else question[:199] + "…"
    return f"<@{user}> asked _{escape(shown)}_ and shared the answer"


def _thread_key(channel: str, thread_ts: str) -> str:
    return f"{channel}:{thread_ts}"


def _conversation(channel: str, thread_ts: str | None) -> str | None:
    """`Message.thread` for Slack: channel and thread, so two channels' threads never share a key."""
    return f"{channel}:{thread_ts}" if thread_ts else None


def _header(request: AsyncBoltRequest, name: str) -> str | None:
    values: Sequence[str] | None = request.headers.get(name)
    return values[0] if values else None


def _action_request_id(body: Payload) -> str:
    return f"action:{body.get('trigger_id') or (body.get('actions') or [{}])[0].get('action_ts', '?')}"


def _log_answered(request_id: str, answer: Answer) -> None:
    logger.info(
        "Slack request %s answered: answer %s, route %s, confidence %.2f%s",
        request_id,
        answer.answer_id or "-",
        answer.route,
        answer.confidence,
        " (degraded)" if answer.degraded else "",
    )


def _log_core_error(request_id: str, error: AssistantError) -> None:
    logger.warning(
        "Slack request %s: the assistant could not answer (%s: %s)", request_id, type(error).__name__, error
    )


async def _send(respond: AsyncRespond, **message: Any) -> None:
    """Send through the request's `response_url`, raising when Slack refuses it."""
    response = await respond(**message)
    if response.status_code != 200:
        raise SlackDeliveryError(response.status_code, str(response.body))
