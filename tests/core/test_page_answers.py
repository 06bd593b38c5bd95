"""The knowledge skill's three kinds of reply: an answer, a gap that links the nearest page, a plain gap."""

from __future__ import annotations

import pytest

from assistant.answering.answerability import AnswerabilityModel
from assistant.answering.composer import NOT_SURE, SURE_CONFIDENCE
from assistant.models import TextOrigin
from assistant.skills.page_answers import PageAnswerSkill
from tests.support.demo_questions import MANAGERS_ONLY_QUESTION as APPEAL

# Not one that names a heading ("how long is the plant guarantee?" does: "What is covered and for how long"),
# since such a question is answered from that section whatever the threshold (see heading_match.py).
QUESTION = "how many months does the guarantee on hardy plants last?"


def skill_with(company_services, threshold: float, suggestion_floor: float,
               sure_confidence: float = SURE_CONFIDENCE) -> PageAnswerSkill:
    # The shipped weights with another threshold, so that one real question lands on each side of it; with the
    # index's own calibration, as `probability` was measured (an uncalibrated skill states another probability, and
    # which side of the floor it falls on then depends on the sign of the shift).
    model = AnswerabilityModel.load()
    model.threshold = threshold
    return PageAnswerSkill(company_services.skill.searcher, model, suggestion_floor=suggestion_floor,
                           calibrations=company_services.skill.calibrations, sure_confidence=sure_confidence)


@pytest.fixture(scope="module")
def probability(company_services) -> float:
    answer = company_services.skill.answer(QUESTION, language="en")
    assert answer.answerable, "the question must be answerable with the shipped model"
    return answer.confidence


def test_an_answerable_question_is_answered_with_its_sources(company_services):
    answer = company_services.skill.answer(QUESTION, language="en")
    assert answer.citations[0].path == "en/customers/plant-guarantee.md"
    assert "don't know" not in answer.text
    assert answer.text_origin is TextOrigin.COMPANY  # page text only: stored through the pattern tier


def test_a_phrasing_chooses_the_page_and_the_pages_own_text_the_quote(company_services):
    # The page's phrasing "How often must I check back with a caller on hold?" speaks for the passage nearest to it
    # (quality reviews and call recording); the hold rules are in another passage of the same page.
    answer = company_services.skill.answer("how long can I keep a caller on hold?", "staff", "en")
    assert answer.answerable and answer.citations[0].path == "en/contact-centre/call-handling-standards.md"
    assert "at least every 2 minutes" in " ".join(answer.text.split())
    assert answer.hits[0].chunk.section == answer.citations[0].section


def test_an_answer_stated_under_the_sure_confidence_says_it_may_not_answer(company_services, probability):
    shipped_threshold = AnswerabilityModel.load().threshold
    unsure = skill_with(company_services, shipped_threshold, 0.2, sure_confidence=min(probability + 0.01, 1.0))
    sure = skill_with(company_services, shipped_threshold, 0.2, sure_confidence=probability - 0.01)
    hedged = unsure.answer(QUESTION, language="en")
    plain = sure.answer(QUESTION, language="en")
    assert hedged.answerable and plain.answerable
    assert hedged.text == f"{NOT_SURE['en']}\n{plain.text}"
    assert hedged.citations == plain.citations and hedged.confidence == plain.confidence


def test_the_doubt_is_stated_in_the_askers_language_and_never_on_a_heading_match(company_services):
    unsure = skill_with(company_services, AnswerabilityModel.load().threshold, 0.2, sure_confidence=1.0)
    italian = unsure.answer("quanti giorni di ferie ho nel Regno Unito?", language="it")
    assert italian.answerable and italian.text.startswith(NOT_SURE["it"]), italian.text
    purpose = unsure.answer("What is our purpose?", language="en")
    assert purpose.answerable and NOT_SURE["en"] not in purpose.text, purpose.text


def test_an_uncertain_answer_is_a_gap_that_links_the_nearest_page_and_its_owner(company_services, probability):
    answer = skill_with(company_services, threshold=min(probability + 0.01, 1.0),
                        suggestion_floor=probability - 0.01).answer(QUESTION, language="en")
    assert not answer.answerable
    assert [citation.path for citation in answer.citations] == ["en/customers/plant-guarantee.md"]
    assert "don't know" in answer.text and "may help" in answer.text
    assert "(plants@verdello.example)" in answer.text
    assert answer.text_origin is TextOrigin.COMPANY  # fixed wording, a title and an owner: no words of the asker


def test_below_the_suggestion_floor_the_gap_names_no_page(company_services, probability):
    answer = skill_with(company_services, threshold=min(probability + 0.01, 1.0),
                        suggestion_floor=min(probability + 0.005, 1.0)).answer(QUESTION, language="en")
    assert not answer.answerable and answer.citations == []
    assert "don't know" in answer.text and "logged the question" in answer.text
    assert "may help" not in answer.text


def test_an_uncertain_italian_answer_suggests_in_italian(company_services):
    question = "Quanti giorni di ferie spettano a un dipendente a tempo pieno?"
    answer = skill_with(company_services, threshold=1.0, suggestion_floor=0.0).answer(question, language="it")
    assert answer.citations and answer.citations[0].path.startswith("it/")
    assert "potrebbe aiutarti" in answer.text


# Answered only on "Handling a disciplinary matter", a page for managers.


def test_a_question_only_a_managers_page_answers_is_withheld_from_staff_and_says_why(company_services):
    staff = company_services.skill.answer(APPEAL, audience="staff", language="en")
    assert not staff.answerable and staff.citations == []
    assert staff.withheld is not None and staff.withheld.path == "en/staff/disciplinary-procedure.md"
    assert "written for managers only" in staff.text and "don't know" not in staff.text
    assert "employeerelations@verdello.example" in staff.text  # the page's owner, who can help
    assert "7 days" not in staff.text and "Handling a disciplinary matter" not in staff.text
    assert staff.text_origin is TextOrigin.COMPANY
    manager = company_services.skill.answer(APPEAL, audience="managers", language="en")
    assert manager.answerable and manager.withheld is None
    assert manager.citations[0].path == "en/staff/disciplinary-procedure.md"


def test_the_withheld_reply_speaks_the_askers_language(company_services):
    # Found across languages: the managers' page is in English only.
    question = "quanto tempo ha un collega per impugnare un provvedimento disciplinare?"
    staff = company_services.skill.answer(question, audience="all", language="it")
    assert staff.withheld is not None and staff.withheld.path == "en/staff/disciplinary-procedure.md"
    assert "riservata ai responsabili" in staff.text and staff.citations == []


def test_a_question_no_page_answers_for_anyone_is_not_withheld(company_services):
    answer = company_services.skill.answer("is there a bonus if i refer a friend", audience="staff", language="en")
    assert not answer.answerable and answer.withheld is None and "don't know" in answer.text


def test_an_index_with_no_page_hidden_from_the_asker_is_not_searched_twice(company_services, monkeypatch):
    from dataclasses import replace

    skill = company_services.skill
    index = skill.searcher.index
    everything_visible = replace(index.snapshot(), audiences=frozenset({"all", "staff"}))
    monkeypatch.setattr(index, "snapshot", lambda: everything_visible)
    searched: list[str] = []
    real_search = skill.searcher.search

    def counting(text, filters, **options):
        searched.append(text)
        return real_search(text, filters, **options)

    monkeypatch.setattr(skill.searcher, "search", counting)
    question = "is there a bonus if i refer a friend"
    skill.answer(question, audience="managers", language="en")  # the widest audience never searches again
    once = len(searched)
    answer = skill.answer(question, audience="staff", language="en")
    assert not answer.answerable and answer.withheld is None
    assert len(searched) == 2 * once
