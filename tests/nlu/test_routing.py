"""The pipeline with a real Rasa server and the intent ensemble `assistant train` leaves beside it: routing, Italian,
the order-number slot, degraded mode (the dense classifier keeps intents) and recovery."""

from __future__ import annotations

import os
import signal
import time

import pytest

from assistant.models import GapReason, Message, Route
from assistant.nlu.circuit_breaker import CircuitBreakingNLU
from assistant.nlu.rasa_client import RasaNLUClient
from connectors.app.services import build_services
from tests.conftest import make_settings
from tests.support.order_system import OrderSystem

ORDERS = {"ORD-20481736": {"id": "ORD-20481736", "status": "out_for_delivery", "eta": "2026-11-25",
                           "carrier": "DPD", "tracking_number": "1550123"}}


@pytest.fixture(scope="module")
def order_system():
    with OrderSystem(ORDERS) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def nlu_client(rasa_server):
    client = CircuitBreakingNLU(RasaNLUClient(rasa_server.base_url, timeout_seconds=2.0), cooldown_seconds=1.0)
    client.parse("warm up")  # Rasa's first parse after start-up is slow; the routing tests time the rest
    yield client
    client.backend.close()


@pytest.fixture(scope="module")
def services(tmp_path_factory, embedder, redactor, company_services, nlu_client, order_system, intent_models_dir):
    data_dir = tmp_path_factory.mktemp("routing-data")
    # Reuse the session's index: same chroma directory, so nothing is embedded again.
    settings = make_settings(data_dir, orders_url=order_system, models_dir=intent_models_dir)
    settings.data_dir = company_services.settings.data_dir
    built = build_services(settings, embedder=embedder, redactor=redactor, intent_parser=nlu_client)
    yield built
    built.close()


def ask(services, text, thread="t1", asker="u1"):
    return services.assistant.handle(Message(text=text, asker=asker, channel="test", thread=thread))


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("hello there!", Route.SMALL_TALK),
        ("ciao!", Route.SMALL_TALK),
        ("thanks a lot", Route.SMALL_TALK),
        ("what can you do for me?", Route.SMALL_TALK),
        ("I want to talk to a real person please", Route.HANDOFF),
        ("what's the status of order ORD-20481736?", Route.ORDER_STATUS),
        ("How many days does a customer have to return an item?", Route.KNOWLEDGE),
        ("Quanti giorni ha un cliente per restituire un articolo?", Route.KNOWLEDGE),
        # Both once went to a person: a weak hand-off guess outranked a confident answer.
        ("can I swap a shift with a colleague", Route.KNOWLEDGE),
        ("un cliente diventa aggressivo, che frase uso all'altoparlante per chiamare aiuto?", Route.KNOWLEDGE),
        # The employee wants a person; a customer who wants one is a procedure question.
        ("I need to speak to my store manager", Route.HANDOFF),
        ("customer wants to speak to a manager, what do I do?", Route.KNOWLEDGE),
    ],
)
def test_messages_are_routed_to_the_right_skill(services, text, route):
    answer = ask(services, text, thread=f"route-{text}")
    assert answer.route == route, (answer.route, answer.intent, answer.text)
    assert not answer.degraded


@pytest.mark.parametrize(("text", "reply"), [("buonanotte", "A presto!"), ("sei stato utilissimo", "Prego!"),
                                            ("thx", "You're welcome!")])
def test_short_chat_without_function_words_is_answered_in_its_own_language(services, text, reply):
    answer = ask(services, text, thread=f"chat-{text}")
    assert answer.route == Route.SMALL_TALK and answer.text == reply, (answer.route, answer.intent, answer.text)


def test_saying_an_answer_did_not_help_votes_it_down_and_apologises(services):
    answer = ask(services, "How many days does a customer have to return an item?", thread="unhelpful", asker="c1")
    assert answer.route == Route.KNOWLEDGE and not answer.gap
    # Someone else in the same thread complains: their complaint is about their own answers, not this one.
    other = ask(services, "that answer was useless", thread="unhelpful", asker="c2")
    assert other.intent == "not_helpful" and other.route == Route.SMALL_TALK and not other.gap
    assert "marked" not in other.text
    complaint = ask(services, "no, that is not what I asked at all", thread="unhelpful", asker="c1")
    assert complaint.intent == "not_helpful" and not complaint.gap, (complaint.intent, complaint.text)
    assert "I've marked my last answer as not helpful" in complaint.text
    services.recorder.flush()
    voted = services.interactions.turn(answer.answer_id)
    assert voted.gap and voted.gap_reason is GapReason.NEGATIVE_FEEDBACK and voted.helpful is False
    assert voted.feedback[-1].comment == "no, that is not what I asked at all"
    again = ask(services, "still not helpful", thread="unhelpful", asker="c1")
    assert again.intent == "not_helpful" and "marked" not in again.text, "an answer is voted down once"


@pytest.mark.parametrize("text", ["risposta sbagliata, non c'entra niente", "mi hai dato la pagina sbagliata"])
def test_an_italian_complaint_gets_an_italian_apology(services, text):
    ask(services, "Quanti giorni ha un cliente per restituire un articolo?", thread=f"it-{text}", asker="c3")
    complaint = ask(services, text, thread=f"it-{text}", asker="c3")
    assert complaint.intent == "not_helpful" and complaint.text.startswith("Mi dispiace"), complaint.text
    assert "Ho segnato la mia ultima risposta come non utile" in complaint.text


def test_order_status_with_a_number_reads_the_order_system(services):
    answer = ask(services, "where is order ORD-20481736", thread="o1")
    assert "is **out for delivery**" in answer.text and "Wednesday 25 November 2026" in answer.text
    assert answer.orders[0].carrier == "DPD"


def test_unknown_order_number_gets_a_clear_reply(services):
    answer = ask(services, "status of ORD-99999999 please", thread="o2")
    assert answer.route == Route.ORDER_STATUS and "couldn't find" in answer.text


def test_order_question_without_a_number_asks_for_it_and_the_next_message_supplies_it(services):
    first = ask(services, "can you check the status of my customer's order?", thread="slot")
    assert first.route == Route.ORDER_STATUS and first.follow_up == "order_number"
    second = ask(services, "it's ORD-20481736", thread="slot")
    assert second.route == Route.ORDER_STATUS and "out for delivery" in second.text
    unrelated = ask(services, "it's ORD-20481736", thread="another-thread")
    assert unrelated.route == Route.ORDER_STATUS


def test_italian_order_question(services):
    answer = ask(services, "a che punto è l'ordine ORD-20481736?", thread="it-order")
    assert answer.route == Route.ORDER_STATUS and "L'ordine ORD-20481736 è **in consegna**" in answer.text


@pytest.mark.slow  # waits for Rasa to start again
def test_rasa_killed_gives_degraded_answers_then_recovers(services, rasa_server, nlu_client):
    os.kill(rasa_server.pid, signal.SIGKILL)
    answer = ask(services, "How many days does a customer have to return an item?", thread="down")
    assert answer.route == Route.KNOWLEDGE and answer.degraded and answer.citations
    assert nlu_client.degraded_reason is not None
    # Rasa is down, not the intents: the dense classifier still routes small talk, hand-offs and orders.
    for text, route in (("thanks a lot!", Route.SMALL_TALK), ("I need to speak to a real person", Route.HANDOFF),
                        ("can you check where my customer's order is?", Route.ORDER_STATUS)):
        answer = ask(services, text, thread=f"down-{text}")
        assert answer.route == route and answer.degraded, (text, answer.route, answer.intent)
    rasa_server.wait_until_ready(180)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answer = ask(services, "hello!", thread="up")
        if not answer.degraded:
            break
        time.sleep(1)
    assert not answer.degraded and answer.route == Route.SMALL_TALK
    assert nlu_client.degraded_reason is None
