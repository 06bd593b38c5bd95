"""A found order as a card: Slack Block Kit, a Teams Adaptive Card, and the HTTP API's JSON (with /healthz)."""

from __future__ import annotations

import json

import httpx
import pytest

from assistant.circuit_breaker import CircuitBreaker
from assistant.interactions import InteractionStore
from assistant.models import Answer, Message, OrderOutcome, Route
from assistant.order_numbers import OrderNumberFinder
from assistant.orders.describe import OrderDescriber
from assistant.pipeline import Assistant
from assistant.privacy import Redactor
from assistant.skills.orders import OrdersSkill
from benchmarks.standins.app_server import AppServer
from connectors.channels.http.app import ApiPorts, create_app
from connectors.channels.slack.blocks import answer_blocks
from connectors.channels.teams.cards import answer_card
from connectors.sources.orders.guarded import GuardedOrderSource
from connectors.sources.orders.http_source import HttpOrderSource, HttpTimeouts
from tests.support.order_system import OrderSystem

from .samples import ORDERS, PERSONAL
from .test_pipeline_orders import NoPages

TRACKING = {"DPD": "https://dpd.example/track/{tracking}"}


@pytest.fixture
def wired(tmp_path):
    system = OrderSystem(ORDERS)
    with system as base_url:
        rest = HttpOrderSource(base_url, timeouts=HttpTimeouts(retries=0))
        source = GuardedOrderSource(rest, CircuitBreaker("orders", failure_threshold=1, cooldown_seconds=60))
        finder = OrderNumberFinder()
        store = InteractionStore(f"sqlite:///{tmp_path / 'turns.db'}", Redactor(use_ner=False), salt="s")
        assistant = Assistant(NoPages(), store, orders=OrdersSkill(source, finder=finder,
                                                                   describer=OrderDescriber(TRACKING)),
                              order_numbers=finder)
        yield system, assistant, store, source
        assistant.close()
        store.close()


def order_answer(wired, text="ORD-4827193", language="en") -> Answer:
    _, assistant, _, _ = wired
    answer = assistant.handle(Message(text=text, language=language))
    assert answer.route is Route.ORDER_STATUS
    return answer


def test_slack_shows_a_compact_card_with_a_tracking_button(wired):
    answer = order_answer(wired)
    blocks = answer_blocks(answer, key=answer.answer_id)
    flat = json.dumps(blocks)
    assert blocks[0]["text"]["text"] == ":package: *ORD-4827193* · delayed"
    fields = [field["text"] for field in blocks[1]["fields"]]
    assert "*Carrier*\nDPD" in fields and "*Expected delivery*\nWednesday 9 December 2026" in fields
    assert "*Customer (check)*\nG. R., g***@example.com, *** *** 0812" in fields
    [track] = [block for block in blocks if block["type"] == "actions" and block["elements"][0].get("url")]
    assert track["elements"][0]["url"] == "https://dpd.example/track/15501234567890"
    assert "*Tell the customer:* Apologise" in flat
    assert not any(personal in flat for personal in PERSONAL)


def test_slack_keeps_the_sentence_when_not_every_order_was_found(wired):
    answer = order_answer(wired, "ORD-4827193 and ORD-9999999")
    blocks = answer_blocks(answer, key="k")
    assert "couldn't find" in json.dumps(blocks) and any(block["type"] == "divider" for block in blocks)


def test_teams_shows_a_factset_and_a_tracking_link_in_italian(wired):
    answer = order_answer(wired, "ordine ORD-4827193", language="it")
    card = answer_card(answer)
    [facts] = [element for element in card["body"] if element["type"] == "FactSet"]
    assert {"title": "Corriere", "value": "DPD"} in facts["facts"]
    [links] = [element for element in card["body"] if element["type"] == "ActionSet"]
    assert links["actions"][0] == {"type": "Action.OpenUrl", "title": "Traccia la spedizione",
                                   "url": "https://dpd.example/track/15501234567890"}
    assert card["body"][0]["text"] == "ORD-4827193 · in ritardo"
    assert not any(personal in json.dumps(card) for personal in PERSONAL)


def test_a_card_without_an_order_is_unchanged(wired):
    answer = order_answer(wired, "ORD-9999999")
    assert answer.outcome is OrderOutcome.NOT_FOUND and answer.orders == []
    assert answer_card(answer)["body"][0]["text"] == answer.text


def test_the_api_answer_carries_the_masked_order_and_healthz_its_state(wired):
    system, assistant, store, source = wired
    app = create_app(ApiPorts(answering=assistant, gaps=store, health_checks=(store.health, source.health)))
    with AppServer(app) as base_url, httpx.Client(base_url=base_url, timeout=10) as client:
        body = client.post("/v1/ask", json={"text": "where is ord 5531208?"}).json()
        assert body["route"] == "order_status" and body["outcome"] == "order_found"
        [order] = body["orders"]
        assert order["status"] == "ready_for_collection" and order["collection_store"] == "Verdello Milano Bicocca"
        assert order["customer"] == {"initials": "M. B.", "email": "m***@example.it", "phone": "*** *** 0123"}
        assert order["total"] == "€1,249.50" and order["item_count"] == 1
        assert not any(personal in json.dumps(body) for personal in PERSONAL)

        health = client.get("/healthz").json()
        assert health["status"] == "ok" and health["orders"]["circuit"] == "closed"

        system.down(503)
        down = client.post("/v1/ask", json={"text": "ORD-4827193"}).json()
        assert down["gap"] is True and down["gap_reason"] == "order_system_unavailable"
        health = client.get("/healthz").json()
        assert health["status"] == "degraded" and health["orders"]["ok"] is False
        assert health["interaction_store"]["ok"] is True, "the rest stays ok"
        assert any(reason.startswith("orders:") for reason in health["reasons"])
