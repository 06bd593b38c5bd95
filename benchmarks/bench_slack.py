"""Slack latency: from an event received at `POST /slack/events` to Slack's `chat.postMessage` call.

The real FastAPI app with the Slack router runs under uvicorn on 127.0.0.1 and talks to the local
Slack stand-in of the tests (a real HTTP server). Each event is a signed `app_mention`, sent one at
a time; the latency is from just before the request is sent to the moment the stand-in receives
the answer's `chat.postMessage` (both clocks are this process's monotonic clock). The time to
Slack's acknowledgement (the HTTP 200) is reported too. Target: p95 <= 300 ms.

Run from the repository root:

    .venv/bin/python benchmarks/bench_slack.py
        # the connector alone, with the tests' instant canned assistant
    .venv/bin/python benchmarks/bench_slack.py --factory PACKAGE.MODULE:FUNCTION
        # a real assistant: FUNCTION() must return an object with handle(message) and
        # record_feedback(...), e.g. the composition root's builder
    options: --events 50 --warmup 3 --questions tests/data/company_questions.jsonl --json

From Python: `measure(assistant, events=50)` returns a `SlackLatency`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assistant.ports import AnswersQuestions  # noqa: E402
from benchmarks.factories import CannedAssistant  # noqa: E402
from benchmarks.standins.slack import SlackStandIn  # noqa: E402
from benchmarks.standins.slack_app import mention, start_harness  # noqa: E402

DEFAULT_QUESTIONS = ROOT / "tests" / "data" / "company_questions.jsonl"
FALLBACK_QUESTIONS = (
    "What is the Verdello customer promise?",
    "How long does a customer have to return a lawnmower?",
    "Can I price match Amazon?",
    "How many days of annual leave do I get?",
)
TARGET_P95_MS = 300.0


@dataclass(frozen=True)
class SlackLatency:
    """Latency figures in milliseconds over `events` answered events."""

    events: int
    answer_p50_ms: float
    answer_p95_ms: float
    answer_max_ms: float
    ack_p50_ms: float
    ack_p95_ms: float
    assistant: str
    python: str
    platform: str
    processor: str
    cpu_count: int


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (`fraction` in 0..1) of `values`."""
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def load_questions(path: Path | None) -> list[str]:
    """Questions from a JSONL file with a "question" field, or a small built-in list."""
    if path is None or not path.exists():
        return list(FALLBACK_QUESTIONS)
    with path.open(encoding="utf-8") as lines:
        questions = [json.loads(line)["question"] for line in lines if line.strip()]
    return questions or list(FALLBACK_QUESTIONS)


def measure(
    assistant: AnswersQuestions,
    events: int = 50,
    warmup: int = 3,
    questions: Sequence[str] = FALLBACK_QUESTIONS,
) -> SlackLatency:
    """Send `warmup` + `events` signed mentions one by one; time each until its chat.postMessage."""
    answer_ms: list[float] = []
    ack_ms: list[float] = []
    with SlackStandIn() as standin:
        harness = start_harness(standin, assistant)
        try:
            for i in range(warmup + events):
                posted_before = len(standin.calls_to("chat.postMessage"))
                event = mention(questions[i % len(questions)])
                sent = time.monotonic()
                response = harness.slack.event(event)
                acked = time.monotonic()
                if response.status_code != 200:
                    raise RuntimeError(f"event {i} was answered {response.status_code}: {response.text}")
                posted = standin.wait_for("chat.postMessage", posted_before + 1, timeout=30)[-1]
                if posted.body.get("thread_ts") != event["ts"]:
                    raise RuntimeError(f"event {i}: the answer went to the wrong thread")
                if i >= warmup:
                    answer_ms.append((posted.at - sent) * 1000)
                    ack_ms.append((acked - sent) * 1000)
        finally:
            harness.stop()
    return SlackLatency(
        events=events,
        answer_p50_ms=round(statistics.median(answer_ms), 1),
        answer_p95_ms=round(percentile(answer_ms, 0.95), 1),
        answer_max_ms=round(max(answer_ms), 1),
        ack_p50_ms=round(statistics.median(ack_ms), 1),
        ack_p95_ms=round(percentile(ack_ms, 0.95), 1),
        assistant=type(assistant).__qualname__,
        python=platform.python_version(),
        platform=platform.platform(),
        processor=platform.processor() or platform.machine(),
        cpu_count=os.cpu_count() or 0,
    )


def load_factory(spec: str) -> Callable[[], AnswersQuestions]:
    """`package.module:function` -> the function (called with no arguments to build the assistant)."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise SystemExit(f"--factory must look like package.module:function, got {spec!r}")
    return getattr(importlib.import_module(module_name), attribute)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factory", help="package.module:function returning the assistant (default: canned)")
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    factory: Callable[[], AnswersQuestions] = load_factory(args.factory) if args.factory else CannedAssistant
    assistant = factory()
    result = measure(assistant, args.events, args.warmup, load_questions(args.questions))
    if args.json:
        print(json.dumps(asdict(result), indent=2))
    else:
        print(
            f"machine: {result.platform}, {result.processor}, {result.cpu_count} CPUs, Python {result.python}"
        )
        print(f"assistant: {result.assistant}; {result.events} events, one at a time")
        print(
            f"event -> chat.postMessage: p50 {result.answer_p50_ms} ms, p95 {result.answer_p95_ms} ms, "
            f"max {result.answer_max_ms} ms (target p95 <= {TARGET_P95_MS:.0f} ms)"
        )
        print(f"event -> HTTP 200 (ack):   p50 {result.ack_p50_ms} ms, p95 {result.ack_p95_ms} ms")
    return 0 if result.answer_p95_ms <= TARGET_P95_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
