"""The assistant's Prometheus metrics, in a registry of their own (one per app, so several apps never collide)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

PREFIX = "assistant_"
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
"""The text exposition format 0.0.4, which every Prometheus version reads (our names need nothing newer)."""

REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
CALL_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0)
"""For calls to other services (Rasa, the order system), whose time budgets are fractions of a second."""


class AssistantMetrics:
    """Every metric the app records as things happen; the parts' state is read at scrape time by collectors
    registered with `watch`. Labels are route templates, channel names and enum values, never user text or ids."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.http_requests = Counter(
            f"{PREFIX}http_requests", "HTTP requests served, by method, route template and status code.",
            ["method", "route", "status"], registry=registry)
        self.http_duration = Histogram(
            f"{PREFIX}http_request_duration_seconds", "Time to serve an HTTP request, by method and route template.",
            ["method", "route"], buckets=REQUEST_BUCKETS, registry=registry)
        self.answers = Counter(
            f"{PREFIX}answers", "Questions answered, by channel, answer route and whether NLU was degraded.",
            ["channel", "route", "degraded"], registry=registry)
        self.answer_duration = Histogram(
            f"{PREFIX}answer_duration_seconds", "Time from a question to its answer inside the assistant, by channel.",
            ["channel"], buckets=REQUEST_BUCKETS, registry=registry)
        self.answer_errors = Counter(
            f"{PREFIX}answer_errors", "Questions that got an error instead of an answer, by channel and error kind.",
            ["channel", "kind"], registry=registry)
        self.gaps = Counter(
            f"{PREFIX}gaps", "Turns that became knowledge gaps, by reason (every thumbs-down and hand-off counts).",
            ["reason"], registry=registry)
        self.nlu_parse_duration = Histogram(
            f"{PREFIX}nlu_parse_duration_seconds", "Time of a Rasa parse, by outcome (ok, unavailable, circuit_open).",
            ["outcome"], buckets=CALL_BUCKETS, registry=registry)
        self.order_lookup_duration = Histogram(
            f"{PREFIX}order_lookup_duration_seconds",
            "Time of an order look-up, by outcome (found, not_found, unreadable, unavailable, circuit_open).",
            ["outcome"], buckets=CALL_BUCKETS, registry=registry)

    def watch(self, collector: Collector) -> None:
        """Add a collector that reads state when Prometheus scrapes (health, the index, the last ingest)."""
        self.registry.register(collector)

    def exposition(self) -> bytes:
        """Every metric in the text exposition format."""
        return generate_latest(self.registry)
