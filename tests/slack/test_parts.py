"""The Slack connector's small parts on their own: memory, text, blocks, replies, config, background work."""

from __future__ import annotations

import asyncio
import logging

import pytest

from assistant.error_replies import error_reply
from assistant.errors import EmptyQuestionError, IndexNotReadyError, QuestionTooLongError
from assistant.models import Answer, Citation, Route
from connectors.channels.slack import SlackConfig, SlackConfigError, blocks, replies
from connectors.channels.slack.background import BackgroundWork
from connectors.channels.slack.text import markdown_to_mrkdwn, mentions, question_from_slack, split_for_blocks


def test_question_from_slack_strips_the_bot_mention_and_slack_markup() -> None:
    text = (
        "<@UBOT>  can <@U0BOB|bob> return a &lt;20 kg&gt; item bought in <#C0STORE|store-42>? "
        "see <https://x.example/a|the page> &amp; <mailto:a@b.example|a@b.example>"
    )
    assert question_from_slack(text, "UBOT") == (
        "can @bob return a <20 kg> item bought in #store-42? see the page & a@b.example"
    )
    assert question_from_slack("<@UXYZ> hello there", None) == "hello there"
    assert question_from_slack("<@UBOT>", "UBOT") == ""
    assert question_from_slack("<!here> anyone?", "UBOT") == "@here anyone?"


def test_mentions_finds_only_that_user() -> None:
    assert mentions("hi <@UBOT> there", "UBOT")
    assert not mentions("hi <@U0BOB> there", "UBOT")
    assert not mentions("hi <@UBOT>", None)


def test_markdown_becomes_mrkdwn() -> None:
    source = (
        "## Returns\nWithin **30 days** & *with* a receipt: see [policy](https://i.example/r).\n- one\n- two"
    )
    assert markdown_to_mrkdwn(source) == (
        "*Returns*\nWithin *30 days* &amp; _with_ a receipt: see <https://i.example/r|policy>.\n• one\n• two"
    )


def test_long_text_is_split_for_sections() -> None:
    pieces = split_for_blocks("para one.\n\n" + "x" * 2995 + "\n\n" + "y" * 10, limit=3000)
    assert all(len(piece) <= 3000 for piece in pieces)
    assert pieces[0] == "para one." and pieces[-1] == "y" * 10
    assert split_for_blocks("") == [""]
    assert [len(p) for p in split_for_blocks("z" * 7000)] == [3000, 3000, 1000]


def _answer(**changes: object) -> Answer:
    fields: dict[str, object] = {
        "text": "Walk them to the aisle.",
        "route": Route.KNOWLEDGE,
        "confidence": 0.8,
        "citations": [
            Citation(
                "The customer promise",
                "en/company/customer-promise.md",
                "The five promises",
                0.8,
                "https://i.example/p",
            ),
            Citation("Purpose and values", "en/company/purpose-and-values.md", "Our values", 0.5),
            Citation("Purpose and values", "en/company/purpose-and-values.md", "Our values", 0.4),
        ],
        "answer_id": "a-1",
    }
    fields.update(changes)
    return Answer(**fields)  # type: ignore[arg-type]


def test_answer_blocks_show_sources_as_links_or_context_lines_and_the_buttons() -> None:
    rendered = blocks.answer_blocks(_answer(), key="a-1", shareable=True)

    sources = next(b for b in rendered if b.get("block_id") == "answer_sources")
    assert [e["text"] for e in sources["elements"]] == [
        "*Sources:*",
        "<https://i.example/p|The customer promise › The five promises>",
        "Purpose and values › Our values",  # duplicates are shown once
    ]
    actions = next(b for b in rendered if b["type"] == "actions")
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        ("feedback_helpful", "a-1"),
        ("feedback_not_helpful", "a-1"),
        ("ask_person", "a-1"),
        ("share_answer", "a-1"),
    ]


def test_a_gaps_nearest_page_is_headed_may_help_not_sources() -> None:
    rendered = blocks.answer_blocks(_answer(gap=True, citations=_answer().citations[:1]), key="a-1")
    sources = next(b for b in rendered if b.get("block_id") == "answer_sources")
    assert [e["text"] for e in sources["elements"]] == [
        "*May help:*",
        "<https://i.example/p|The customer promise › The five promises>",
    ]


def test_answer_blocks_without_an_answer_id_have_no_feedback_buttons_and_note_degraded_mode() -> None:
    rendered = blocks.answer_blocks(
        _answer(answer_id="", degraded=True, citations=[], follow_up="order_number"), key="local-1"
    )
    actions = next(b for b in rendered if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["ask_person"]
    text = str(rendered)
    # `follow_up` names the slot the next message fills; the question asking for it is already in the text.
    assert "less precise" in text and "order_number" not in text
    assert not any(b.get("block_id") == "answer_sources" for b in rendered)


def test_acknowledge_feedback_replaces_the_buttons() -> None:
    original = blocks.answer_blocks(_answer(), key="a-1")
    helpful = blocks.acknowledge_feedback(original, helpful=True, user_id="U1", key="a-1")
    unhelpful = blocks.acknowledge_feedback(original, helpful=False, user_id="U1", key="a-1")

    assert not any(b["type"] == "actions" for b in helpful)
    assert [e["action_id"] for b in unhelpful if b["type"] == "actions" for e in b["elements"]] == [
        "ask_person"
    ]
    again = blocks.acknowledge_feedback(unhelpful, helpful=True, user_id="U2", key="a-1")
    assert sum(1 for b in again if b.get("block_id") == blocks.STATUS_BLOCK_ID) == 1


def test_polite_replies_fit_the_error() -> None:
    assert "30000 characters" in replies.polite_reply(QuestionTooLongError(30000, 4000))
    assert "didn't catch a question" in replies.polite_reply(EmptyQuestionError("empty"))
    assert replies.polite_reply(IndexNotReadyError("no index")).startswith(":warning: I'm not ready yet")
    assert replies.polite_reply(RuntimeError("bug")) == ":warning: " + error_reply(RuntimeError("bug"))
    assert "Non ho trovato una domanda" in replies.polite_reply(EmptyQuestionError("empty"), "it")


def test_config_is_checked() -> None:
    with pytest.raises(SlackConfigError):
        SlackConfig(bot_token="", signing_secret="s")
    with pytest.raises(SlackConfigError):
        SlackConfig(bot_token="xoxb-1", signing_secret="s", api_url="127.0.0.1:9000/api")
    assert (
        SlackConfig("xoxb-1", "s", api_url="http://127.0.0.1:9/api").web_api_base_url
        == "http://127.0.0.1:9/api/"
    )
    assert SlackConfig("xoxb-1", "s").web_api_base_url is None


def test_background_work_logs_failures_with_the_request_id_and_tells_the_user(
    caplog: pytest.LogCaptureFixture,
) -> None:
    told: list[BaseException] = []

    async def fail() -> None:
        raise RuntimeError("boom")

    async def tell(error: BaseException) -> None:
        told.append(error)

    async def main() -> int:
        work = BackgroundWork()
        work.spawn(fail(), request_id="Ev0FAIL", on_error=tell)
        await work.drain(5)
        return work.pending

    with caplog.at_level(logging.ERROR, logger="connectors.channels.slack"):
        pending = asyncio.run(main())

    assert pending == 0
    assert [str(e) for e in told] == ["boom"]
    [record] = [r for r in caplog.records if "Ev0FAIL" in r.getMessage()]
    assert record.exc_info is not None


def test_background_work_logs_a_failing_error_reply_too(caplog: pytest.LogCaptureFixture) -> None:
    async def fail() -> None:
        raise RuntimeError("boom")

    async def tell(error: BaseException) -> None:
        raise ConnectionError("Slack is down too")

    async def main() -> None:
        work = BackgroundWork()
        work.spawn(fail(), request_id="Ev0TWICE", on_error=tell)
        await work.drain(5)

    with caplog.at_level(logging.ERROR, logger="connectors.channels.slack"):
        asyncio.run(main())

    messages = [r.getMessage() for r in caplog.records if "Ev0TWICE" in r.getMessage()]
    assert len(messages) == 2 and "error reply" in messages[1]


def test_drain_cancels_work_that_outlives_the_grace_period(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> bool:
        work = BackgroundWork()
        task = work.spawn(asyncio.sleep(30), request_id="Ev0SLOW")
        await work.drain(0.05)
        return task.cancelled()

    with caplog.at_level(logging.WARNING, logger="connectors.channels.slack"):
        assert asyncio.run(main()) is True
    assert any("Ev0SLOW" in r.getMessage() for r in caplog.records)
