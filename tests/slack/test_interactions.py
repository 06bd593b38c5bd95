"""`/ask` and the buttons (share, feedback, ask a person), end to end against the Slack stand-in."""

from __future__ import annotations

from assistant.errors import UnknownAnswerError
from benchmarks.standins.slack_app import SlackHarness, StartSlack, mention
from connectors.channels.slack import replies

from .checks import all_text, blocks_of, buttons_of
from .fakes import RecordingAssistant

QUESTION = "What is the Verdello customer promise?"


def answered_mention(harness: SlackHarness, question: str = QUESTION) -> dict:
    """Mention the bot and return the answer message as Slack would show it (with its ts)."""
    posted_before = len(harness.standin.calls_to("chat.postMessage"))
    harness.slack.event(mention(question))
    posted = harness.standin.wait_for("chat.postMessage", posted_before + 1)[-1]
    return {
        "type": "message",
        "ts": posted.response["ts"],
        "thread_ts": posted.body["thread_ts"],
        "text": posted.body["text"],
        "blocks": blocks_of(posted.body),
        "bot_id": "BBOT",
    }


def test_ask_command_answers_privately_with_a_share_button(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)

    response = harness.slack.command(QUESTION, response_url=harness.standin.response_url("ask"))

    assert response.status_code == 200
    reply = harness.standin.wait_for("response_url:ask")[0]
    assert reply.body["response_type"] == "ephemeral"
    [answer] = recording.answers
    assert buttons_of(reply.body)["share_answer"] == answer.answer_id
    assert buttons_of(reply.body)["feedback_helpful"] == answer.answer_id
    assert recording.messages[0].text == QUESTION
    assert recording.messages[0].asker == "U0ALICE"
    assert not harness.standin.calls_to("chat.postMessage")  # nothing visible to the channel


def test_empty_ask_command_gets_a_usage_hint_at_once(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)

    response = harness.slack.command("   ", response_url=harness.standin.response_url("ask"))

    assert response.status_code == 200
    assert response.json() == {"text": replies.ASK_USAGE, "response_type": "ephemeral"}
    assert recording.messages == []


def test_share_button_posts_the_answer_visibly_and_removes_the_private_copy(
    start_slack: StartSlack, recording: RecordingAssistant, company_services
) -> None:
    # The note quotes the question as the interaction store keeps it (redacted), read back by answer id.
    harness = start_slack(recording, questions=company_services.interactions)
    harness.slack.command(QUESTION, response_url=harness.standin.response_url("ask"))
    private = harness.standin.wait_for("response_url:ask")[0]

    harness.slack.action(
        "share_answer",
        buttons_of(private.body)["share_answer"],
        response_url=harness.standin.response_url("share"),
        user="U0ALICE",
    )

    shared, removed = harness.standin.wait_for("response_url:share", 2)
    assert shared.body["response_type"] == "in_channel"
    assert shared.body["replace_original"] is False
    assert QUESTION in all_text(shared.body) and "<@U0ALICE>" in all_text(shared.body)
    assert "share_answer" not in buttons_of(shared.body)
    assert buttons_of(shared.body)["feedback_helpful"] == recording.answers[0].answer_id
    assert removed.body["delete_original"] is True


def test_helpful_reaches_record_feedback_and_the_buttons_become_a_thank_you(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)
    shown = answered_mention(harness)
    answer_id = recording.answers[0].answer_id

    response = harness.slack.action(
        "feedback_helpful", answer_id, response_url=harness.standin.response_url("fb"), message=shown
    )

    assert response.status_code == 200
    updated = harness.standin.wait_for("chat.update")[0]
    assert recording.feedback == [(answer_id, True)]
    assert updated.body["channel"] == "C0STORE"
    assert updated.body["ts"] == shown["ts"]
    assert buttons_of(updated.body) == {}
    assert "Thanks for the feedback" in all_text(updated.body)
    assert blocks_of(updated.body)[0] == shown["blocks"][0]  # the answer itself stays


def test_not_helpful_records_negative_feedback_and_keeps_ask_a_person(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)
    shown = answered_mention(harness)
    answer_id = recording.answers[0].answer_id

    harness.slack.action(
        "feedback_not_helpful", answer_id, response_url=harness.standin.response_url("fb"), message=shown
    )

    updated = harness.standin.wait_for("chat.update")[0]
    assert recording.feedback == [(answer_id, False)]
    assert set(buttons_of(updated.body)) == {"ask_person"}
    assert "didn't help" in all_text(updated.body)


def test_feedback_on_a_private_ask_answer_updates_it_through_the_response_url(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)
    harness.slack.command(QUESTION, response_url=harness.standin.response_url("ask"))
    harness.standin.wait_for("response_url:ask")
    answer_id = recording.answers[0].answer_id

    harness.slack.action("feedback_helpful", answer_id, response_url=harness.standin.response_url("fb"))

    replaced = harness.standin.wait_for("response_url:fb")[0]
    assert recording.feedback == [(answer_id, True)]
    assert replaced.body["replace_original"] is True
    assert "Thanks for the feedback" in all_text(replaced.body)
    assert not harness.standin.calls_to("chat.update")  # ephemeral messages cannot be chat.update'd


def test_feedback_for_an_unknown_answer_gets_a_polite_private_reply(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)
    shown = answered_mention(harness)

    harness.slack.action(
        "feedback_helpful", "no-such-answer", response_url=harness.standin.response_url("fb"), message=shown
    )

    told = harness.standin.wait_for("chat.postEphemeral")[0]
    assert told.body["user"] == "U0ALICE"
    assert told.body["text"] == replies.polite_reply(UnknownAnswerError("no-such-answer"))
    assert not harness.standin.calls_to("chat.update")


def test_ask_a_person_posts_the_question_and_a_permalink_to_the_handoff_channel(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording, handoff_channel="C0PEOPLE")
    shown = answered_mention(harness)
    key = buttons_of({"blocks": shown["blocks"]})["ask_person"]

    harness.slack.action(
        "ask_person", key, response_url=harness.standin.response_url("ask_person"), message=shown
    )

    handoff = harness.standin.wait_for("chat.postMessage", 2)[1]
    [permalink_call] = harness.standin.calls_to("chat.getPermalink")
    assert permalink_call.body == {"channel": "C0STORE", "message_ts": shown["ts"]}
    assert handoff.body["channel"] == "C0PEOPLE"
    text = all_text(handoff.body)
    assert QUESTION in text
    assert f"https://verdello.slack.com/archives/C0STORE/p{shown['ts'].replace('.', '')}" in text
    assert "<@U0ALICE>" in text
    told = harness.standin.wait_for("chat.postEphemeral")[0]
    assert told.body["text"] == replies.handoff_confirmation("C0PEOPLE", in_thread=True)
    assert told.body["thread_ts"] == shown["thread_ts"]
    assert recording.handoffs == [recording.answers[-1].answer_id]


def test_ask_a_person_is_a_gap_and_forwards_only_the_redacted_question(
    start_slack: StartSlack, recording: RecordingAssistant, company_services
) -> None:
    harness = start_slack(recording, handoff_channel="C0PEOPLE")
    question = "Customer giulia.rossi@example.com on 347 123 4567 wants to know the customer promise"
    shown = answered_mention(harness, question)
    key = buttons_of({"blocks": shown["blocks"]})["ask_person"]

    harness.slack.action("ask_person", key, response_url=harness.standin.response_url("ask_person"), message=shown)

    handoff = harness.standin.wait_for("chat.postMessage", 2)[1]
    text = all_text(handoff.body)
    assert "customer promise" in text
    assert "giulia.rossi@example.com" not in text and "4567" not in text
    stored = company_services.interactions.turn(recording.answers[-1].answer_id)
    assert stored.gap and stored.gap_reason.value == "handoff_requested"


def test_ask_a_person_without_a_handoff_channel_says_who_to_contact(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)
    shown = answered_mention(harness)
    key = buttons_of({"blocks": shown["blocks"]})["ask_person"]

    harness.slack.action(
        "ask_person", key, response_url=harness.standin.response_url("ask_person"), message=shown
    )

    told = harness.standin.wait_for("chat.postEphemeral")[0]
    assert told.body["text"] == replies.NO_HANDOFF_CHANNEL
    assert len(harness.standin.calls_to("chat.postMessage")) == 1  # only the answer itself


def test_ask_a_person_from_a_private_answer_hands_off_without_a_permalink(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording, handoff_channel="C0PEOPLE")
    harness.slack.command(QUESTION, response_url=harness.standin.response_url("ask"))
    private = harness.standin.wait_for("response_url:ask")[0]

    harness.slack.action(
        "ask_person",
        buttons_of(private.body)["ask_person"],
        response_url=harness.standin.response_url("person"),
    )

    handoff = harness.standin.wait_for("chat.postMessage")[0]
    assert handoff.body["channel"] == "C0PEOPLE"
    assert QUESTION in all_text(handoff.body) and "<#C0STORE>" in all_text(handoff.body)
    assert not harness.standin.calls_to("chat.getPermalink")
    told = harness.standin.wait_for("response_url:person")[0]
    assert told.body["response_type"] == "ephemeral"
    assert told.body["text"] == replies.handoff_confirmation("C0PEOPLE", in_thread=False)


def test_feedback_falls_back_to_the_response_url_when_chat_update_is_refused(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)
    shown = answered_mention(harness)
    harness.standin.fail("chat.update", "channel_not_found")
    answer_id = recording.answers[0].answer_id

    harness.slack.action(
        "feedback_helpful", answer_id, response_url=harness.standin.response_url("fb"), message=shown
    )

    replaced = harness.standin.wait_for("response_url:fb")[0]
    assert recording.feedback == [(answer_id, True)]
    assert replaced.body["replace_original"] is True
    assert "Thanks for the feedback" in all_text(replaced.body)


def test_hand_off_without_a_permalink_still_reaches_a_person_and_names_the_asker(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording, handoff_channel="C0PEOPLE")
    shown = answered_mention(harness)
    harness.standin.fail("chat.getPermalink", "message_not_found")
    key = buttons_of({"blocks": shown["blocks"]})["ask_person"]

    harness.slack.action(
        "ask_person", key, response_url=harness.standin.response_url("p"), message=shown, user="U0BOB"
    )

    handoff = harness.standin.wait_for("chat.postMessage", 2)[1]
    text = all_text(handoff.body)
    assert handoff.body["channel"] == "C0PEOPLE"
    assert "<@U0BOB> would like a person" in text and "asked by <@U0ALICE>" in text
    assert "archives" not in text
    told = harness.standin.wait_for("chat.postEphemeral")[0]
    assert told.body["user"] == "U0BOB"
    assert told.body["text"] == replies.handoff_confirmation("C0PEOPLE", in_thread=False)


def test_private_replies_fall_back_to_the_response_url_where_the_bot_cannot_post(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)
    shown = answered_mention(harness)
    harness.standin.fail("chat.postEphemeral", "not_in_channel")
    key = buttons_of({"blocks": shown["blocks"]})["ask_person"]

    harness.slack.action("ask_person", key, response_url=harness.standin.response_url("p"), message=shown)

    told = harness.standin.wait_for("response_url:p")[0]
    assert told.body == {
        "text": replies.NO_HANDOFF_CHANNEL,
        "response_type": "ephemeral",
        "replace_original": False,
    }
