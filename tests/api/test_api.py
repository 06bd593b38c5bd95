"""The HTTP API over real HTTP: answers with citations, gaps, feedback, errors, health, API keys."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from assistant.access import ApiKey
from benchmarks.standins.app_server import AppServer
from connectors.channels.http.app import create_app


@pytest.fixture(scope="module")
def api(company_services):
    with AppServer(create_app(company_services.api_ports())) as base_url, httpx.Client(base_url=base_url,
                                                                                   timeout=30) as client:
        yield client


def test_knowledge_question_is_answered_with_citations(api):
    response = api.post("/v1/ask", json={"text": "How many days does a customer have to return an item?",
                                         "user": "U123"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"id", "answer", "route", "intent", "confidence", "citations", "gap", "gap_reason"}
    assert body["route"] == "knowledge" and body["gap"] is False and body["gap_reason"] is None
    assert body["citations"][0]["path"] == "en/customers/returns.md"
    assert set(body["citations"][0]) >= {"title", "path", "section", "score"}


def test_answer_quotes_the_standard_time_limit(api):
    # The most similar window is the Christmas exception; the rule sits in the window before it, in the same section.
    body = api.post("/v1/ask", json={"text": "How many days does a customer have to return an item?"}).json()
    assert "30 days from the date of purchase" in body["answer"]


def test_an_unrelated_question_is_an_honest_gap_that_suggests_no_page(api):
    response = api.post("/v1/ask", json={"text": "What is the wifi password for the staff canteen TV?"})
    body = response.json()
    assert response.status_code == 200
    assert body["gap"] is True and body["gap_reason"] in {"low_confidence", "no_answer"}
    assert "don't know" in body["answer"] and "logged the question" in body["answer"]
    assert body["citations"] == []


def test_a_near_miss_is_a_gap_that_links_the_nearest_page(api):
    # Answerability about 0.40, under the threshold and over the suggestion floor (measured 2026-12-04).
    body = api.post("/v1/ask", json={"text": "do i have to wear a name badge"}).json()
    assert body["gap"] is True and body["gap_reason"] == "low_confidence"
    assert "don't know" in body["answer"] and "Store Operations" in body["answer"]
    assert [citation["path"] for citation in body["citations"]] == ["en/staff/dress-code.md"]


def test_italian_question_gets_an_italian_page(api):
    body = api.post("/v1/ask", json={"text": "Quanti giorni di ferie spettano a un dipendente a tempo pieno?"}).json()
    assert body["citations"] and body["citations"][0]["path"].startswith("it/")


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_text_is_422_with_a_clear_message(api, text):
    response = api.post("/v1/ask", json={"text": text})
    assert response.status_code == 422
    assert "empty" in response.json()["detail"]


@pytest.mark.parametrize("text", ["???!!!", "\U0001f331\U0001f331", " ... "])
def test_text_without_words_is_422_and_not_logged_as_a_gap(api, text):
    response = api.post("/v1/ask", json={"text": text})
    assert response.status_code == 422
    assert "no words or numbers" in response.json()["detail"]
    gaps = api.get("/v1/gaps").json()
    assert all(gap["question"] != text.strip() for gap in gaps["gaps"])


def test_a_bare_number_is_still_a_question(api):
    # A reply to "which order number?" can be digits only.
    assert api.post("/v1/ask", json={"text": "12345678"}).status_code == 200


@pytest.mark.parametrize(("country", "fact", "not_fact"), [
    ("IT", "26 working days of ferie", "25 days of annual leave"),
    ("GB", "25 days of annual leave", "26 working days of ferie"),
])
def test_the_request_chooses_the_countrys_section(api, country, fact, not_fact):
    # An agent serving a customer (or a colleague) in a country asks for that country's rules.
    body = api.post("/v1/ask", json={"text": "how many days of holiday do I get?", "country": country}).json()
    assert fact in body["answer"] and not_fact not in body["answer"]


def test_an_unknown_country_is_422(api):
    response = api.post("/v1/ask", json={"text": "how many days of holiday do I get?", "country": "FR"})
    assert response.status_code == 422 and "country" in response.text


def test_missing_text_is_422(api):
    assert api.post("/v1/ask", json={"user": "x"}).status_code == 422


def test_text_over_4000_characters_is_413(api):
    response = api.post("/v1/ask", json={"text": "a" * 4001})
    assert response.status_code == 413
    assert "4000" in response.json()["detail"]


def test_exactly_4000_characters_is_answered(api):
    text = ("returns policy " * 300)[:4000]
    assert api.post("/v1/ask", json={"text": text}).status_code == 200


def test_malformed_json_is_rejected(api):
    headers = {"content-type": "application/json"}
    assert api.post("/v1/ask", content=b"{not json", headers=headers).status_code == 422
    assert api.post("/v1/ask", content=b"\xff\xfe not utf-8", headers=headers).status_code == 422


def test_feedback_turns_a_thumbs_down_into_a_gap(api):
    answer = api.post("/v1/ask", json={"text": "Can I swap a shift with a colleague?"}).json()
    response = api.post("/v1/feedback", json={"answer_id": answer["id"], "helpful": False,
                                              "comment": "call me on +44 7700 900123"})
    assert response.status_code == 200
    assert response.json()["gap"] is True and response.json()["gap_reason"] == "negative_feedback"
    gaps = api.get("/v1/gaps").json()["gaps"]
    mine = [gap for gap in gaps if gap["answer_id"] == answer["id"]]
    assert mine and "7700" not in (mine[0]["feedback_comment"] or "")


def test_feedback_on_an_unknown_answer_is_404(api):
    assert api.post("/v1/feedback", json={"answer_id": "nope", "helpful": True}).status_code == 404


def test_personal_data_in_questions_is_redacted_in_the_gap_log(api):
    api.post("/v1/ask", json={"text": "Customer jane.doe@example.com wants a refund to IBAN "
                                      "GB82 WEST 1234 5698 7654 32 for a hot tub"})
    stored = " ".join(gap["question"] for gap in api.get("/v1/gaps").json()["gaps"])
    all_questions = stored
    assert "jane.doe@example.com" not in all_questions and "GB82" not in all_questions


def test_healthz_reports_ok_and_the_index(api):
    body = api.get("/healthz").json()
    assert body["status"] == "ok" and body["index"]["pages"] >= 25


def test_openapi_docs_are_served(api):
    assert api.get("/docs").status_code == 200
    assert "/v1/ask" in api.get("/openapi.json").json()["paths"]


def test_api_keys_protect_the_v1_endpoints(company_services):
    app = create_app(replace(company_services.api_ports(), api_keys=(ApiKey.parse("s3cret"),)))
    with AppServer(app) as base_url, httpx.Client(base_url=base_url) as client:
        question = {"text": "gift card balance"}
        assert client.post("/v1/ask", json=question).status_code == 401
        assert client.post("/v1/ask", json=question, headers={"X-API-Key": "wrong"}).status_code == 401
        assert client.post("/v1/ask", json=question, headers={"X-API-Key": "s3cret"}).status_code == 200
        assert client.post("/v1/ask", json=question, headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert client.get("/healthz").status_code == 200
