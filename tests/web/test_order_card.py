"""The quick ask answer shows a found order as a compact card, masked exactly as Slack and Teams show it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from assistant.access import ApiKey
from assistant.orders.summary import OrderFact, OrderSummary
from connectors.channels.api_ports import ApiPorts
from connectors.channels.http.app import create_app
from connectors.channels.web import ConsoleConfig, install_console
from connectors.channels.web.views import OrderCardView
from tests.orders.samples import PERSONAL
from tests.orders.test_cards import wired  # noqa: F401  (the real order skill over a stand-in order system)
from tests.web.console_support import ENTRIES, SECRET, sign_in


def _client(assistant, store) -> TestClient:
    ports = ApiPorts(answering=assistant, gaps=store, api_keys=tuple(ApiKey.parse(entry) for entry in ENTRIES))
    app = create_app(ports)
    install_console(app, ports, ConsoleConfig(session_secret=SECRET))
    return TestClient(app, client=("127.0.0.1", 50000))


def test_an_order_answer_shows_a_masked_card_with_the_tracking_link(wired) -> None:  # noqa: F811
    _, assistant, store, _ = wired
    client = _client(assistant, store)
    token = sign_in(client, "staff")
    html = client.post("/console/ask", json={"text": "where is ord 4827193?"}, headers={"X-CSRF-Token": token}).text
    assert 'data-order="ORD-4827193" data-status="delayed"' in html
    card = re.search(r'<section class="order-card".*?</section>', html, re.S).group(0)
    assert '<span class="order-status">delayed</span>' in card
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", card))
    assert facts["Carrier"] == "DPD" and facts["Expected delivery"] == "Wednesday 9 December 2026"
    assert facts["Items"] == "3" and facts["Total"] == "£266.98"
    assert facts["Customer (check)"] == "G. R., g***@example.com, *** *** 0812"
    assert 'href="https://dpd.example/track/15501234567890"' in card
    assert "Tell the customer:" in card
    assert not any(personal in html for personal in PERSONAL)


def test_a_collection_order_names_its_store_and_a_missing_order_shows_no_card(wired) -> None:  # noqa: F811
    _, assistant, store, _ = wired
    client = _client(assistant, store)
    token = sign_in(client, "staff")
    html = client.post("/console/ask", json={"text": "ORD-5531208"}, headers={"X-CSRF-Token": token}).text
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html))
    assert facts["Collect at"] == "Verdello Milano Bicocca"
    assert 'class="track"' not in html  # no tracking address is known for it
    missing = client.post("/console/ask", json={"text": "ORD-9999999"}, headers={"X-CSRF-Token": token}).text
    assert "order-card" not in missing


def test_a_tracking_address_that_is_not_http_is_never_a_link() -> None:
    summary = OrderSummary(order_number="ORD-1", status="shipped", status_text="shipped", language="en",
                           tracking_url="javascript:alert(1)",
                           facts=(OrderFact("Status", "shipped"), OrderFact("Carrier", "DPD")))
    card = OrderCardView.of(summary)
    assert card.tracking_href is None
    assert card.facts == (("Carrier", "DPD"),)
