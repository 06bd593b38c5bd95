"""A question that names a page's title or heading is answered from that section, in both languages; a question
that asks for more than a heading names is left to the answerability decision, unless it asks about the company's
purpose or values: then the purpose page answers it from its most similar section."""

from __future__ import annotations

import pytest

from assistant.answering.heading_match import heading_match, purpose_match
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


@pytest.mark.parametrize(("question", "values"), [
    ("what are our values", ("Rooted in care", "Straight talk", "Green by default", "Better together")),
    ("quali sono i nostri valori?", ("Radicati nella cura", "Parlare chiaro", "Verde per scelta", "Meglio insieme")),
])
def test_a_parent_heading_brings_every_subsection_by_name_in_the_pages_order(assistant_service, question,
                                                                           values) -> None:
    answer = assistant_service.handle(Message(question))
    positions = [answer.text.find(f"{value}:") for value in values]
    assert -1 not in positions, answer.text
    # The values span two passages whose ids are digests: the page's order must come from the passages' positions.
    assert positions == sorted(positions), answer.text


@pytest.mark.parametrize(("question", "language", "page", "section", "expected"), [
    ("which of our values is about being honest with customers?", "en", PURPOSE_PAGE,
     "The four values > Straight talk", "Straight talk: We say what we know"),
    ("which value is about teamwork?", "en", PURPOSE_PAGE, "The four values > Better together", "Better together:"),
    ("what's our mission?", "en", PURPOSE_PAGE, "Our purpose", "Help everyone grow something"),
    ("qual è il valore che parla di ambiente?", "it", MISSIONE_PAGE, "I quattro valori > Verde per scelta",
     "Verde per scelta: La scelta sostenibile"),
])
def test_a_question_about_our_purpose_or_values_is_answered_from_the_purpose_page(assistant_service, question,
                                                                                 language, page, section,
                                                                                 expected) -> None:
    answer = assistant_service.handle(Message(question, language=language))
    assert not answer.gap, answer.text
    assert (answer.citations[0].path, answer.citations[0].section) == (page, section)
    assert expected in answer.text


def test_a_value_that_is_not_the_companys_is_left_to_the_page_that_names_it(company_services) -> None:
    result, _ = company_services.skill.search("what's the maximum value I can load on a gift card?", "staff", "en")
    matched = purpose_match(result)
    assert matched is not None and matched.hit.chunk.path == "en/customers/gift-cards.md"
    for question in ("what is the wifi password for the tills", "how many days of annual leave do I get?"):
        result, _ = company_services.skill.search(question, "staff", "en")
        assert purpose_match(result) is None, question


def test_questions_that_ask_more_than_a_heading_are_not_matched(company_services) -> None:
    skill = company_services.skill
    for question in ("our purpose values history culture behaviours", "what is the wifi password for the tills"):
        result, _ = skill.search(question, "staff", "en")
        assert heading_match(result) is None, question


@pytest.mark.parametrize(("question", "language", "page", "expected"), [
    ("delivery charges", "en", "en/orders/delivery.md", "£4.95"),
    ("quanto costa la consegna a domicilio?", "it", "it/orders/consegna.md", "€5,90"),
])
def test_a_question_naming_only_the_title_is_answered_from_the_opening_not_a_heading_sharing_one_word(
        assistant_service, company_services, question, language, page, expected) -> None:
    # Every word is in the title ("Home delivery options and charges"); "Failed delivery" and "Tracking and
    # delivery day" repeat one of them and used to be quoted.
    result, _ = company_services.skill.search(question, "staff", language)
    matched = heading_match(result)
    assert matched is not None and matched.hit.chunk.path == page
    assert "deliver" not in matched.hit.chunk.section.lower() and "consegna" not in matched.hit.chunk.section.lower()
    answer = assistant_service.handle(Message(question))
    assert not answer.gap, answer.text
    assert answer.citations[0].path == page
    assert expected in answer.text


def test_a_heading_holding_every_word_of_a_title_question_is_still_chosen(company_services) -> None:
    # "purpose" is in the title "Our purpose and values" and the heading "Our purpose" holds it all.
    result, _ = company_services.skill.search("what is our purpose?", "staff", "en")
    matched = heading_match(result)
    assert matched is not None and matched.hit.chunk.section == "Our purpose"


def test_a_title_question_whose_words_are_on_most_pages_is_answered_from_an_opening_that_holds_them(
        company_services) -> None:
    # "plant" is on most of a garden retailer's pages, so it cannot name a section; on its own, "guarantee" named
    # "When the guarantee does not apply" and the reply listed the exclusions. The opening holds both words.
    result, _ = company_services.skill.search("do plants have a guarantee?", "staff", "en")
    matched = heading_match(result)
    assert matched is not None and matched.hit.chunk.path == "en/customers/plant-guarantee.md"
    assert matched.hit.chunk.section == "" and matched.text is not None
    assert matched.text.startswith("We are confident in the quality of our plants")
    assert "We do not replace plants" not in matched.text


def test_an_opening_that_does_not_hold_the_words_asked_leaves_the_quote_to_the_passage(company_services) -> None:
    # The delivery page's opening speaks of fulfilment centres, not charges: its prices table answers.
    result, _ = company_services.skill.search("delivery charges", "staff", "en")
    matched = heading_match(result)
    assert matched is not None and matched.hit.chunk.kind == "section" and matched.text is None
