"""The why line end to end: the API's `why` field, on the demo knowledge (measured 2026-12-03)."""

from __future__ import annotations

import httpx
import pytest

from benchmarks.standins.app_server import AppServer
from connectors.channels.http.app import create_app


@pytest.fixture(scope="module")
def api(company_services):
    with AppServer(create_app(company_services.api_ports())) as base_url, httpx.Client(base_url=base_url,
                                                                                   timeout=30) as client:
        yield client


def ask(api: httpx.Client, text: str) -> dict:
    response = api.post("/v1/ask", json={"text": text})
    assert response.status_code == 200
    return response.json()


def test_an_answer_from_a_page_that_serves_a_value_carries_its_why(api):
    body = ask(api, "Can I lift a 25 kg bag of cement on my own?")
    assert not body["gap"] and body["citations"][0]["path"] == "en/stores/health-and-safety-accidents.md"
    assert body["why"] == ("Rooted in care: We look after customers, colleagues and living stock as if they were "
                           "our own.")


def test_the_why_is_in_italian_for_an_answer_from_an_italian_page(api):
    body = ask(api, "Quanti giorni di ferie spettano a un dipendente a tempo pieno?")
    assert not body["gap"] and body["citations"][0]["path"] == "it/staff/ferie.md"
    assert body["why"] == "Radicati nella cura: Ci prendiamo cura di clienti, colleghi e piante come se fossero nostri."


def test_a_page_that_names_no_value_gets_no_why(api):
    body = ask(api, "How many days does a customer have to return an item?")
    assert not body["gap"] and body["citations"][0]["path"] == "en/customers/returns.md"
    assert body["why"] is None


def test_a_gap_gets_no_why_even_when_its_nearest_page_serves_a_value(api):
    # A near miss (answerability about 0.27) that links the plant guarantee, a page that names a value.
    body = ask(api, "Can staff get a discount on plants?")
    assert body["gap"] and [citation["path"] for citation in body["citations"]] == ["en/customers/plant-guarantee.md"]
    assert body["why"] is None
