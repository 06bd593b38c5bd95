"""The Adaptive Card built from an answer, and reading feedback submissions back."""

from __future__ import annotations

import pytest

from assistant.models import Answer, Citation, Route
from connectors.channels.teams import FeedbackSubmission, answer_card, parse_feedback

from .cards_read import source_lines, submit_actions, texts

RETURNS = Citation(
    title="Returns policy",
    path="en/customers/returns.md",
    section="Standard time limit",
    score=0.8,
    url="https://intranet.verdello.example/policies/returns",
)
REWARDS = Citation(title="Verdello Rewards", path="en/customers/verdello-rewards.md", section="", score=0.5)


def answer(**fields) -> Answer:
    values = {
        "text": "Customers have **30 days** to return most unused items.",
        "route": Route.KNOWLEDGE,
        "confidence": 0.8,
        "citations": [RETURNS, REWARDS],
        "answer_id": "ans-42",
    }
    values.update(fields)
    return Answer(**values)


def test_card_is_an_adaptive_card_teams_renders():
    card = answer_card(answer())
    assert card["type"] == "AdaptiveCard"
    assert card["version"] in {"1.4", "1.5"}
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"


def test_card_shows_the_answer_text_first():
    assert texts(answer_card(answer()))[0] == "Customers have **30 days** to return most unused items."


def test_sources_are_title_and_section_as_links_when_there_is_a_url():
    assert source_lines(answer_card(answer())) == [
        "[Returns policy › Standard time limit](https://intranet.verdello.example/policies/returns)",
        "Verdello Rewards",
    ]


def test_repeated_sources_are_listed_once():
    assert len(source_lines(answer_card(answer(citations=[RETURNS, RETURNS, REWARDS])))) == 2


def test_brackets_in_titles_do_not_break_links():
    citation = Citation(
        title="Returns [UK]", path="p.md", section="Time", score=0.5, url="https://x.example/a"
    )
    assert source_lines(answer_card(answer(citations=[citation]))) == [
        "[Returns (UK) › Time](https://x.example/a)"
    ]


def test_no_sources_section_without_citations():
    card = answer_card(answer(citations=[], route=Route.SMALL_TALK))
    assert "Sources" not in texts(card)


def test_a_gaps_nearest_page_is_headed_may_help_not_sources():
    card = answer_card(answer(text="I don't know that yet.", gap=True, citations=[RETURNS]))
    lines = texts(card)
    assert "Sources" not in lines
    assert lines[lines.index("May help") + 1].startswith("[Returns policy")


def test_feedback_and_ask_a_person_buttons_carry_the_answer_id():
    assert submit_actions(answer_card(answer())) == {
        "Helpful": {"action": "feedback", "answer_id": "ans-42", "helpful": True},
        "Not helpful": {"action": "feedback", "answer_id": "ans-42", "helpful": False},
        "Ask a person": {"action": "handoff", "answer_id": "ans-42"},
    }


def test_no_feedback_buttons_without_an_answer_id():
    assert "actions" not in answer_card(answer(answer_id=""))


def test_the_follow_up_slot_name_is_not_shown():
    card = answer_card(answer(follow_up="order_number"))
    assert "order_number" not in str(card)
    assert texts(card)[0] == "Customers have **30 days** to return most unused items."


def test_degraded_answers_are_still_answered_with_a_note():
    card = answer_card(answer(degraded=True))
    assert texts(card)[0] == "Customers have **30 days** to return most unused items."
    assert any("reduced mode" in text for text in texts(card))
    assert "actions" in card


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"action": "feedback", "answer_id": "a1", "helpful": True}, FeedbackSubmission("a1", True)),
        ({"action": "feedback", "answer_id": "a1", "helpful": False}, FeedbackSubmission("a1", False)),
        ({"action": "feedback", "answer_id": "a1", "helpful": "false"}, FeedbackSubmission("a1", False)),
        (
            {"action": "feedback", "answer_id": "a1", "helpful": False, "comment": " out of date "},
            FeedbackSubmission("a1", False, "out of date"),
        ),
        ({"action": "feedback", "answer_id": "a1"}, None),
        ({"action": "feedback", "answer_id": "", "helpful": True}, None),
        ({"action": "feedback", "answer_id": 7, "helpful": True}, None),
        ({"action": "something-else", "answer_id": "a1", "helpful": True}, None),
        ("feedback", None),
        (None, None),
    ],
)
def test_parse_feedback(value, expected):
    assert parse_feedback(value) == expected
