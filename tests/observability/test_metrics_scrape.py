"""`GET /metrics` after real questions through the real pipeline over the demo knowledge (real HTTP server): the
counters moved with the right labels, the parts' state is read at scrape time, and every log line written for a
question, in the NLU worker thread too, carries its request id."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from assistant.errors import OrderNotFoundError
from assistant.health import PartHealth
from assistant.nlu.intents import Intent
from assistant.nlu.result import NLUResult
from assistant.nlu.understanding import Understander
from assistant.orders.model import OrderStatus
from assistant.pipeline import Assistant
from assistant.skills.orders import OrdersSkill
from benchmarks.standins.app_server import AppServer
from connectors.channels.http.app import ApiPorts, create_app
from connectors.observability.collectors import IngestCollector
from connectors.observability.ingest_record import IngestRecordFile
from connectors.observability.log_format import JsonLineFormatter, RequestIdFilter
from connectors.observability.measured_ports import MeasuredAnswering, TimedIntentParser, TimedOrderSource
from connectors.observability.metrics import AssistantMetrics

parser_log = logging.getLogger("tests.observability.scripted_parser")


class _ScriptedParser:
    """Stands in for Rasa: greets for "hello", order status when the text names an order, a policy question
    otherwise (with little confidence, so the knowledge decides). Logs every parse."""

    degraded_reason = None

    def parse(self, text: str) -> NLUResult:
        parser_log.info("parsing a message of %d characters", len(text))
        if text == "hello":
            return NLUResult(Intent.GREET, 0.99)
        if "order" in text:
            return NLUResult(Intent.ORDER_STATUS, 0.97)
        return NLUResult(Intent.ASK_POLICY, 0.6)


class _NoOrdersKnown:
    """An order system that knows no order."""

    def lookup(self, order_number: str) -> OrderStatus:
        raise OrderNotFoundError(f"no order {order_number}")

    def health(self) -> PartHealth:
        return PartHealth("orders", ok=True, details={"source": "fake", "circuit": "closed"})

    def close(self) -> None:
        return None


@pytest.fixture(scope="module")
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonLineFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(scope="module")
def scraped(company_services, log_stream) -> dict:
    metrics = AssistantMetrics()
    orders = _NoOrdersKnown()
    assistant = Assistant(company_services.skill, None,
                          understander=Understander(TimedIntentParser(_ScriptedParser(), metrics), None),
                          orders=OrdersSkill(TimedOrderSource(orders, metrics)))
    ports = ApiPorts(answering=MeasuredAnswering(assistant, metrics), gaps=company_services.interactions,
                     health_checks=(company_services.index.health, orders.health))
    metrics.watch(IngestCollector(IngestRecordFile(company_services.settings.data_dir).read))
    questions = [("How many days does a customer have to return an item?", "req-knowledge"),
                 ("hello", "req-greeting"),
                 ("What is the wifi password for the staff canteen TV?", "req-gap"),
                 ("where is my order ORD-1234567?", "req-order"),
                 ("???", "req-empty")]
    try:
        with AppServer(create_app(ports, metrics=metrics)) as base_url, \
                httpx.Client(base_url=base_url, timeout=30) as client:
            answers = {rid: client.post("/v1/ask", json={"text": text}, headers={"X-Request-ID": rid})
                       for text, rid in questions}
            client.get("/no/such/page")
            exposition = client.get("/metrics").text
    finally:
        assistant.close()
    samples = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return {"answers": answers, "samples": samples, "text": exposition}


def _value(scraped: dict, name: str, **labels: str) -> float | None:
    return scraped["samples"].get((name, frozenset(labels.items())))


def test_the_questions_were_answered_as_scripted(scraped) -> None:
    routes = {rid: response.json().get("route") for rid, response in scraped["answers"].items()}
    assert routes == {"req-knowledge": "knowledge", "req-greeting": "small_talk", "req-gap": "knowledge",
                      "req-order": "order_status", "req-empty": None}
    assert all(response.headers["x-request-id"] == rid for rid, response in scraped["answers"].items())


def test_answers_are_counted_by_channel_route_and_degradation(scraped) -> None:
    assert _value(scraped, "assistant_answers_total", channel="api", route="knowledge", degraded="false") == 2
    assert _value(scraped, "assistant_answers_total", channel="api", route="small_talk", degraded="false") == 1
    assert _value(scraped, "assistant_answers_total", channel="api", route="order_status", degraded="false") == 1
    assert _value(scraped, "assistant_answer_duration_seconds_count", channel="api") == 4
    assert _value(scraped, "assistant_answer_errors_total", channel="api", kind="empty_question") == 1


def test_the_gap_is_counted_by_its_reason(scraped) -> None:
    gaps = {labels: value for (name, labels), value in scraped["samples"].items() if name == "assistant_gaps_total"}
    assert sum(gaps.values()) == 1
    [(labels, _)] = gaps.items()
    assert dict(labels)["reason"] in {"no_answer", "low_confidence"}


def test_http_requests_are_counted_by_route_template_and_status(scraped) -> None:
    assert _value(scraped, "assistant_http_requests_total", method="POST", route="/v1/ask", status="200") == 4
    assert _value(scraped, "assistant_http_requests_total", method="POST", route="/v1/ask", status="422") == 1
    assert _value(scraped, "assistant_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert _value(scraped, "assistant_http_request_duration_seconds_count", method="POST", route="/v1/ask") == 5


def test_nlu_and_order_calls_are_timed_by_outcome(scraped) -> None:
    assert _value(scraped, "assistant_nlu_parse_duration_seconds_count", outcome="ok") == 4
    assert _value(scraped, "assistant_order_lookup_duration_seconds_count", outcome="not_found") == 1


def test_the_parts_state_the_index_and_the_last_ingest_are_read_at_scrape_time(scraped, company_services) -> None:
    assert _value(scraped, "assistant_part_up", part="index") == 1
    assert _value(scraped, "assistant_part_up", part="orders") == 1
    assert _value(scraped, "assistant_order_system_circuit", state="closed") == 1
    generation = company_services.index.health().details["generation"]
    assert _value(scraped, "assistant_index_generation_info", generation=generation) == 1
    assert _value(scraped, "assistant_index_chunks") == company_services.index.health().details["chunks"] > 0
    assert _value(scraped, "assistant_ingest_last_duration_seconds") > 0
    assert _value(scraped, "assistant_ingest_last_finished_timestamp_seconds") > 1.7e9


def test_no_question_text_becomes_a_label(scraped) -> None:
    for word in ("wifi", "canteen", "ORD-1234567", "customer"):
        assert word not in scraped["text"]


def test_every_log_line_of_a_question_carries_its_request_id(scraped, log_stream) -> None:
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines() if line.strip()]
    assert all(set(line) >= {"timestamp", "level", "logger", "message", "request_id"} for line in lines)
    for rid in ("req-knowledge", "req-greeting", "req-gap", "req-order"):
        mine = [line for line in lines if line["request_id"] == rid]
        # The parse ran in the pipeline's NLU worker thread; the answer line came from the measured port.
        assert {line["logger"] for line in mine} >= {"tests.observability.scripted_parser",
                                                     "connectors.observability.measured_ports"}
    answer_line = next(line for line in lines if line["request_id"] == "req-order"
                       and line["logger"] == "connectors.observability.measured_ports")
    assert "order_status" in answer_line["message"] and "ORD" not in answer_line["message"]
