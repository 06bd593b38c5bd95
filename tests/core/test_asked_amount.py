"""A question asking for an amount is answered only from a passage that states one: otherwise the page is suggested
and the question is a gap (a near miss: the page is about it, the figure is missing)."""

from __future__ import annotations

import pytest

from assistant.answering.asked_amount import asks_for_amount, misses_asked_amount, states_amount
from assistant.evaluation.questions import EvalQuestion
from assistant.evaluation.retrieval_eval import EVERYONE, evaluate_mode
from assistant.models import GapReason, Message
from assistant.retrieval.search import SearchMode


@pytest.mark.parametrize("question", [
    "how much does the gym at head office cost per month?",
    "what's the per-mile reimbursement rate when I drive my own car?",
    "how much is a meal voucher worth for our italian colleagues?",
    "how much do we charge to assemble a garden furniture set?",
    "what is the price of next-day delivery?",
    "what's the TSP match rate?",
    "quanto costa la consegna express in italia?",
    "quanto rimborsano al km se uso la mia macchina?",
    "qual è la tariffa per il parcheggio?",
])
def test_questions_asking_for_money(question) -> None:
    assert asks_for_amount(question)


@pytest.mark.parametrize("question", [
    "how much annual leave do I earn each pay period?",  # "pay" in "pay period" is no price
    "what is the leave accrual rate?",  # a rate of days, not of money
    "how much time do we get for lunch?",
    "how much leave can I carry over?",
    "how much notice do I give before paid leave?",
    "quanti giorni di ferie ho all'anno?",
    "can a customer return an item without a receipt?",
])
def test_questions_asking_for_something_else(question) -> None:
    assert not asks_for_amount(question)


@pytest.mark.parametrize(("text", "states"), [
    ("Express delivery costs £9.95 per order.", True),
    ("La consegna costa 12 €.", True),
    ("Each voucher is worth 8 euro.", True),
    ("Staff get 20% off.", True),
    ("Assembly is free of charge.", True),
    ("Refund the price paid to the original payment method.", True),
    ("A carrier bag is 10p.", True),
    ("The first ten days of sickness are on full pay.", True),
    ("Drop-in hours are from 9 a.m. to 4 p.m. on Mondays.", False),
    ("Call 415-556-2766 to book.", False),
    ("Mileage is reimbursed at the published rates.", False),
])
def test_passages_stating_an_amount(text, states) -> None:
    assert states_amount(text) is states


def test_only_a_question_asking_for_an_amount_needs_one() -> None:
    opening_hours = "The gym is in the basement, open from 9 a.m. to 4 p.m."
    assert misses_asked_amount("how much does the gym cost?", opening_hours)
    assert not misses_asked_amount("where is the gym?", opening_hours)
    assert not misses_asked_amount("how much does the gym cost?", "Membership is $30 a month.")


def test_a_page_that_states_no_price_is_suggested_not_quoted(assistant_service) -> None:
    # The shift-swap page is the right topic (answerable at about 0.8) but says nothing about money.
    answer = assistant_service.handle(Message("how much does it cost to swap a shift?"))
    assert answer.gap and answer.gap_reason is GapReason.UNSTATED_AMOUNT, answer.text
    assert [citation.path for citation in answer.citations] == ["en/staff/shifts-and-rota-swaps.md"]
    assert "I don't know that yet" in answer.text


def test_a_question_whose_page_states_the_price_is_answered(assistant_service) -> None:
    answer = assistant_service.handle(Message("how much do we charge to reserve a click and collect order?"))
    assert not answer.gap, answer.text
    assert answer.citations[0].path == "en/orders/click-and-collect.md"


def test_across_languages_a_page_that_states_no_price_is_suggested_not_quoted(assistant_service) -> None:
    # The shift-swap page is English only; asked in Italian, it is suggested in Italian as a page in English.
    answer = assistant_service.handle(Message("quanto costa cambiare turno con una collega?"))
    assert answer.gap and answer.gap_reason is GapReason.UNSTATED_AMOUNT, answer.text
    assert [citation.path for citation in answer.citations] == ["en/staff/shifts-and-rota-swaps.md"]
    assert "inglese" in answer.text and "Non lo so ancora" in answer.text


def test_the_quote_leads_with_the_window_that_states_the_amount(assistant_service) -> None:
    # The meal-voucher page is Italian only; its most similar window says who gets a voucher, a later one its value.
    answer = assistant_service.handle(Message("how much is a meal voucher worth for colleagues in italy?"))
    assert not answer.gap and answer.citations[0].path == "it/staff/buoni-pasto.md"
    assert "8 euro" in answer.text


def test_eval_retrieval_holds_back_what_the_reply_holds_back(company_services, embedder) -> None:
    asked = ["how much does it cost to swap a shift?",  # held back: no amount on the page
             "how much do we charge to reserve a click and collect order?",  # answered: the fee is stated
             "what is the dress code in store?",  # answered
             "when does the staff canteen in leeds serve sushi?"]  # held back: nothing answers it
    questions = [EvalQuestion(id=str(number), question=question, answerable=True, expected_sources=(),
                              answer_contains=(), kind="other") for number, question in enumerate(asked)]
    outcomes = evaluate_mode(company_services.skill, questions, SearchMode.HYBRID, embedder)

    replies = [company_services.skill.answer(question, audience=EVERYONE, language="en") for question in asked]
    assert [outcome.flagged_gap for outcome in outcomes] == [not reply.answerable for reply in replies]
    assert [reply.answerable for reply in replies] == [False, True, True, False]
    assert replies[0].amount_unstated
