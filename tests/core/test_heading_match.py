"""A question that names a page's title or heading is answered from that section, in both languages; a question
that asks for more than a heading names is left to the answerability decision."""

from __future__ import annotations

import pytest

from assistant.answering.heading_match import heading_match
from assistant.models import Message

PURPOSE_PAGE = "en/company/purpose-and-values.md"
MISSIONE_PAGE = "it/company/missione-e-valori.md"


@pytest.mark.parametrize(("question", "page", "section", "expected"), [
    ("What is our purpose?", PURPOSE_PAGE, "Our purpose", "Help everyone grow something"),
    ("what are our company values", PURPOSE_PAGE, "The four values", "Straight talk"),
    ("qual è la nostra missione?", MISSIONE_PAGE, "La nostra missione", "Aiutare chiunque a far crescere qualcosa"),
    ("quali sono i nostri valori?", MISSIONE_PAGE, "I quattro valori", "Parlare chiaro"),
])
def test_naming_a_heading_gets_that_section(assistant_service, question, page, section, expected) -> None:
    answer = assistant_service.handle(Message(question))
    assert not answer.gap, answer.text
    assert (answer.citations[0].path, answer.citations[0].section) == (page, section)
    assert expected in answer.text


def test_a_parent_heading_brings_every_subsection_by_name(assistant_service) -> None:
    answer = assistant_service.handle(Message("what are our values"))
    for value in ("Rooted in care", "Straight talk", "Green by default", "Better together"):
        assert f"{value}:" in answer.text


def test_questions_that_ask_more_than_a_heading_are_not_matched(company_services) -> None:
    skill = company_services.skill
    for question in ("our purpose values history culture behaviours", "what is the wifi password for the tills"):
        result, _ = skill.search(question, "staff", "en")
        assert heading_match(result) is None, question
