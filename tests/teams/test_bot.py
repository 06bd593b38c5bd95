"""The bot on its own, driven offline by botbuilder's TestAdapter."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity

from assistant.error_replies import error_reply
from assistant.models import Answer, Citation, Route
from connectors.channels.teams import AssistantBot, message_from_activity
from connectors.channels.teams.replies import (
    UNKNOWN_SUBMISSION,
    WELCOME,
    feedback_thanks,
)
from connectors.channels.teams.turn_errors import TurnErrorHandler

from . import activities as teams
from .cards_read import card_of, source_lines, submit_actions, texts
from .fakes import BrokenAssistant, FixedAnswerAssistant

SERVICE_URL = "https://smba.trafficmanager.net/emea/"  # never contacted: TestAdapter sends nothing


def run_turns(assistant, *payloads: dict[str, Any]) -> list[Activity]:
    """Send each activity to a fresh bot through a TestAdapter; return everything the bot sent."""
    adapter = TestAdapter(AssistantBot(assistant).on_turn)
    adapter.on_turn_error = TurnErrorHandler()

    async def turns() -> None:
        for payload in payloads:
            await adapter.receive_activity(Activity().deserialize(payload))

    asyncio.run(turns())
    return list(adapter.activity_buffer)


def test_bot_mention_is_stripped_and_the_thread_kept(recording_assistant):
    run_turns(recording_assistant, teams.channel_message(SERVICE_URL, thread_root_id="1700000000999"))
    [message] = recording_assistant.messages
    assert message.text == teams.QUESTION
    assert message.channel == "teams"
    assert message.thread == f"{teams.CHANNEL_CONVERSATION_ID};messageid=1700000000999"
    assert message.asker == teams.USER_AAD_ID


def test_only_the_mention_tag_is_removed_not_the_bot_name_in_the_question(recording_assistant):
    question = f"can {teams.BOT_NAME} check click and collect orders?"
    run_turns(recording_assistant, teams.channel_message(SERVICE_URL, question=question))
    assert recording_assistant.messages[0].text == question


def test_other_peoples_mentions_stay_in_the_question():
    payload = teams.channel_message(SERVICE_URL, question="<at>Alex Kim</at> asked how long returns take")
    payload["entities"].append(
        {"type": "mention", "text": "<at>Alex Kim</at>", "mentioned": {"id": "29:alex", "name": "Alex Kim"}}
    )
    message = message_from_activity(Activity().deserialize(payload))
    assert message.text == "<at>Alex Kim</at> asked how long returns take"


def test_asker_falls_back_to_the_channel_account_id():
    payload = teams.personal_message(SERVICE_URL)
    del payload["from"]["aadObjectId"]
    message = message_from_activity(Activity().deserialize(payload))
    assert message.asker == teams.USER_ID
    assert message.thread == teams.PERSONAL_CONVERSATION_ID


def test_answer_is_an_adaptive_card_with_sources_and_feedback_buttons(recording_assistant):
    [reply] = run_turns(recording_assistant, teams.personal_message(SERVICE_URL))
    [answer] = recording_assistant.answers
    assert answer.citations, "the demo knowledge answers this question with sources"
    card = card_of(reply.serialize())
    assert texts(card)[0] == answer.text
    sources = source_lines(card)
    assert sources and answer.citations[0].title in sources[0]
    shown = {
        f"[{c.title} › {c.section}]({c.url})" if c.url else f"{c.title} › {c.section}"
        for c in answer.citations
        if c.section and "[" not in c.title + c.section
    }
    assert shown & set(sources), "sources are shown as `title › section`, as links when they have a URL"
    assert submit_actions(card) == {
        "Helpful": {"action": "feedback", "answer_id": answer.answer_id, "helpful": True},
        "Not helpful": {"action": "feedback", "answer_id": answer.answer_id, "helpful": False},
        "Ask a person": {"action": "handoff", "answer_id": answer.answer_id},
    }


def test_feedback_buttons_reach_record_feedback(recording_assistant):
    [card_reply] = run_turns(recording_assistant, teams.personal_message(SERVICE_URL))
    actions = submit_actions(card_of(card_reply.serialize()))
    replies = run_turns(
        recording_assistant,
        teams.card_submission(SERVICE_URL, actions["Helpful"]),
        teams.card_submission(SERVICE_URL, actions["Not helpful"]),
    )
    answer_id = recording_assistant.answers[0].answer_id
    assert [(f.answer_id, f.helpful) for f in recording_assistant.feedback] == [
        (answer_id, True),
        (answer_id, False),
    ]
    assert [reply.text for reply in replies] == [feedback_thanks(True), feedback_thanks(False)]


def test_feedback_on_an_unknown_answer_gets_a_polite_reply(recording_assistant, caplog):
    payload = teams.card_submission(SERVICE_URL, {"action": "feedback", "answer_id": "nope", "helpful": True})
    with caplog.at_level(logging.WARNING, logger="connectors.channels.teams"):
        [reply] = run_turns(recording_assistant, payload)
    assert "feedback wasn't recorded" in reply.text
    assert any(
        payload["id"] in record.getMessage() and "UnknownAnswerError" in record.getMessage()
        for record in caplog.records
    )


def test_a_submission_that_is_not_feedback_is_answered_and_logged(recording_assistant, caplog):
    with caplog.at_level(logging.WARNING, logger="connectors.channels.teams"):
        [reply] = run_turns(recording_assistant, teams.card_submission(SERVICE_URL, {"action": "dance"}))
    assert reply.text == UNKNOWN_SUBMISSION
    assert recording_assistant.feedback == [] and recording_assistant.messages == []
    assert any("not understood" in record.getMessage() for record in caplog.records)


def test_a_bare_mention_gets_a_polite_reply_from_the_core_error(recording_assistant, caplog):
    payload = teams.channel_message(SERVICE_URL, question="")
    with caplog.at_level(logging.WARNING, logger="connectors.channels.teams"):
        [reply] = run_turns(recording_assistant, payload)
    assert recording_assistant.messages[0].text == ""
    assert not reply.attachments
    assert "type your question" in reply.text.lower()
    assert any(payload["id"] in record.getMessage() for record in caplog.records)


def test_unexpected_errors_get_an_apology_and_a_log_line_with_the_activity_id(caplog):
    payload = teams.personal_message(SERVICE_URL)
    with caplog.at_level(logging.ERROR, logger="connectors.channels.teams"):
        [reply] = run_turns(BrokenAssistant(), payload)
    assert reply.text == error_reply(RuntimeError("bug"))
    [record] = [r for r in caplog.records if payload["id"] in r.getMessage()]
    assert "RuntimeError" in record.getMessage() and record.exc_info is not None


def test_degraded_answers_are_still_answered():
    degraded = Answer(
        text="Customers have 30 days to return most items.",
        route=Route.KNOWLEDGE,
        confidence=0.4,
        citations=[Citation("Returns policy", "en/customers/returns.md", "Standard time limit", 0.4)],
        answer_id="degraded-1",
        degraded=True,
    )
    [reply] = run_turns(FixedAnswerAssistant(degraded), teams.personal_message(SERVICE_URL))
    card = card_of(reply.serialize())
    assert texts(card)[0] == degraded.text
    assert source_lines(card) == ["Returns policy › Standard time limit"]


def test_welcome_when_the_bot_is_installed(recording_assistant):
    replies = run_turns(recording_assistant, teams.members_added(SERVICE_URL, teams.BOT_ID))
    assert [reply.text for reply in replies] == [WELCOME]
    assert recording_assistant.messages == []


def test_welcome_when_someone_opens_a_personal_chat(recording_assistant):
    replies = run_turns(recording_assistant, teams.members_added(SERVICE_URL, teams.USER_ID, teams.BOT_ID))
    assert [reply.text for reply in replies] == [WELCOME]


def test_no_welcome_in_a_channel_for_each_new_colleague(recording_assistant):
    payload = teams.members_added(SERVICE_URL, "29:new-colleague", conversation=teams.channel_thread("1"))
    assert run_turns(recording_assistant, payload) == []


def test_the_ask_command_word_is_not_part_of_the_question():
    payload = teams.channel_message(SERVICE_URL, question=f"ask {teams.QUESTION}")
    assert message_from_activity(Activity().deserialize(payload)).text == teams.QUESTION


def test_questions_that_merely_start_with_asking_are_kept():
    payload = teams.personal_message(SERVICE_URL, text="asking for a receipt: is it required for returns?")
    assert message_from_activity(Activity().deserialize(payload)).text == payload["text"]
