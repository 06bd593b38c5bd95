"""What observability costs: the request-id and metrics middleware per HTTP request, the measured answering port per
question, and one `/metrics` scrape with many series.

Usage: .venv/bin/python benchmarks/bench_observability.py [--calls N] [--json]

Means per call in microseconds; the scrape as percentiles.

1. Middleware: a trivial ASGI app called directly (no server, no network), with and without `ObservingMiddleware`
   around it; the difference is the middleware's own cost (request id, header, counter, histogram).
2. Measured port: `MeasuredAnswering` around an answerer that returns a fixed answer, against the answerer alone
   (its log line goes to a logger with no handler above WARNING, as in production at INFO it would cost a write more).
3. Scrape: the exposition of a registry holding 4 channels x 5 routes x 2 answer series, 40 routes x 6 statuses of
   HTTP series, 7 gap reasons and the NLU and order histograms.
Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.models import Answer, GapReason, Message, Route  # noqa: E402
from benchmarks.machine import machine, summary_ms  # noqa: E402
from connectors.observability.http_middleware import ObservingMiddleware  # noqa: E402
from connectors.observability.measured_ports import MeasuredAnswering  # noqa: E402
from connectors.observability.metrics import AssistantMetrics  # noqa: E402


class _Route:
    path = "/v1/ask"


async def _plain_app(scope, receive, send) -> None:
    scope["route"] = _Route()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})


async def _call(app, scope: dict) -> None:
    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        return None

    await app(dict(scope), receive, send)


def _time_asgi(app, calls: int) -> list[float]:
    scope = {"type": "http", "method": "POST", "path": "/v1/ask", "headers": [(b"x-request-id", b"bench-1")]}

    async def run() -> list[float]:
        timings = []
        for _ in range(calls):
            started = time.perf_counter()
            await _call(app, scope)
            timings.append((time.perf_counter() - started) * 1000)
        return timings

    return asyncio.run(run())


class _FixedAnswers:
    def handle(self, message: Message) -> Answer:
        return Answer(text="fixed", route=Route.KNOWLEDGE, confidence=0.9, answer_id="a1")


def _time_answering(answering, calls: int) -> list[float]:
    message = Message(text="how long do returns take?", channel="api")
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        answering.handle(message)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _mean_us(timings_ms: list[float]) -> float:
    return round(sum(timings_ms) / len(timings_ms) * 1000, 1)


def _populated_metrics() -> AssistantMetrics:
    metrics = AssistantMetrics()
    for route_number in range(40):
        for status in ("200", "401", "403", "404", "422", "500"):
            metrics.http_requests.labels("POST", f"/route/{route_number}", status).inc()
        metrics.http_duration.labels("POST", f"/route/{route_number}").observe(0.05)
    for channel in ("api", "web", "slack", "teams"):
        metrics.answer_duration.labels(channel).observe(0.05)
        for route in Route:
            for degraded in ("true", "false"):
                metrics.answers.labels(channel, route.value, degraded).inc()
    for reason in GapReason:
        metrics.gaps.labels(reason.value).inc()
    for outcome in ("ok", "unavailable", "circuit_open"):
        metrics.nlu_parse_duration.labels(outcome).observe(0.02)
    for outcome in ("found", "not_found", "unreadable", "unavailable", "circuit_open"):
        metrics.order_lookup_duration.labels(outcome).observe(0.02)
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    plain = _mean_us(_time_asgi(_plain_app, args.calls))
    observed = _mean_us(_time_asgi(ObservingMiddleware(_plain_app, AssistantMetrics()), args.calls))
    bare = _mean_us(_time_answering(_FixedAnswers(), args.calls))
    measured = _mean_us(_time_answering(MeasuredAnswering(_FixedAnswers(), AssistantMetrics()), args.calls))
    metrics = _populated_metrics()
    scrapes = []
    for _ in range(200):
        started = time.perf_counter()
        body = metrics.exposition()
        scrapes.append((time.perf_counter() - started) * 1000)
    result = {
        "machine": machine(),
        "calls": args.calls,
        "middleware_mean_us": {"without": plain, "with": observed, "overhead": round(observed - plain, 1)},
        "measured_answering_mean_us": {"without": bare, "with": measured, "overhead": round(measured - bare, 1)},
        "scrape": {**summary_ms(scrapes), "bytes": len(body),
                   "series": sum(1 for line in body.decode().splitlines() if line and not line.startswith("#"))},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"machine: {result['machine']}")
    print(f"middleware per request (mean of {args.calls}): {plain} us without, {observed} us with "
          f"(+{result['middleware_mean_us']['overhead']} us)")
    print(f"measured answering port per question: {bare} us without, {measured} us with "
          f"(+{result['measured_answering_mean_us']['overhead']} us)")
    print(f"/metrics exposition: p50 {result['scrape']['p50_ms']} ms, p95 {result['scrape']['p95_ms']} ms, "
          f"{result['scrape']['series']} samples, {result['scrape']['bytes']} bytes")


if __name__ == "__main__":
    main()
