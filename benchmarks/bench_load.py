"""Throughput of POST /v1/ask over real HTTP: a uvicorn server in this process, `--concurrency` clients asking
distinct questions for `--seconds`; every answered turn must be in the store at the end (checked after the spool
is written), and there must be no errors.

Usage: .venv/bin/python benchmarks/bench_load.py [--knowledge DIR --questions FILE] [--seconds N] [--concurrency C]
       [--nlu] [--data-dir DIR] [--json]
A `--data-dir` that already holds the index skips most of the ingest on a second run. Target: >= 25 questions/s
at concurrency 32 on 2 cores with Rasa in the loop.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.questions import load_questions  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from benchmarks.factories import index_knowledge  # noqa: E402
from benchmarks.machine import machine, summary_ms  # noqa: E402
from benchmarks.nlu_service import started_nlu  # noqa: E402
from benchmarks.standins.app_server import AppServer  # noqa: E402
from connectors.app.services import build_services  # noqa: E402
from connectors.channels.http.app import create_app  # noqa: E402

MAX_ERROR_EXAMPLES = 5


async def _load(base_url: str, questions: list[str], seconds: float, concurrency: int) -> dict:
    counter = itertools.count()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    error_examples: list[str] = []
    answer_ids: list[str] = []
    degraded = 0
    deadline = time.perf_counter() + seconds

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal degraded
        while time.perf_counter() < deadline:
            n = next(counter)
            text = f"{questions[n % len(questions)]} #{n}"  # distinct, so no cache answers
            started = time.perf_counter()
            try:
                response = await client.post("/v1/ask", json={"text": text})
            except httpx.HTTPError as error:
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                if len(error_examples) < MAX_ERROR_EXAMPLES:  # the type alone does not say which side closed
                    error_examples.append(f"{type(error).__name__} after {time.perf_counter() - started:.2f} s: "
                                          f"{error!r} (cause: {error.__cause__!r})")
                continue
            if response.status_code != 200:
                errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            body = response.json()
            answer_ids.append(body["id"])
            degraded += bool(body["degraded"])

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"elapsed_s": round(elapsed, 2), "answered": len(latencies), "errors": errors,
            "error_examples": error_examples,
            "questions_per_s": round(len(latencies) / elapsed, 2), "latency": summary_ms(latencies),
            # Routed without Rasa (its parse missed the budget, or its circuit was open): less work than a full
            # answer, so a throughput with many of them is not comparable with one without.
            "degraded": degraded,
            "answer_ids": answer_ids}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "data" / "company_questions.jsonl")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--nlu", action="store_true", help="start Rasa and route through it")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    questions = [q.question for q in load_questions(args.questions)]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, knowledge_dir=args.knowledge, data_dir=args.data_dir or Path(tmp),
                            hash_salt="bench")
        runtime = started_nlu(settings) if args.nlu else None
        services = build_services(settings, intent_parser=runtime.client if runtime else None)
        recorder = getattr(services, "recorder", None)  # absent before the spool existed: then turns are written inline
        try:
            index_knowledge(services, args.knowledge)
            services.warm_up()
            if recorder is not None:
                recorder.start()  # as `assistant serve` does
            with AppServer(create_app(services.api_ports())) as base_url:
                with httpx.Client(base_url=base_url, timeout=60) as client:
                    for question in questions[:5]:
                        client.post("/v1/ask", json={"text": question + " (warm-up)"}).raise_for_status()
                result = asyncio.run(_load(base_url, questions, args.seconds, args.concurrency))
            waiting = recorder.flush() if recorder is not None else 0
            ids = result.pop("answer_ids")
            missing = sum(1 for answer_id in ids if services.interactions.turn(answer_id) is None)
        finally:
            services.close()
            if runtime is not None:
                runtime.stop()
    report = {"benchmark": "load", "nlu": args.nlu, "concurrency": args.concurrency, "machine": machine(),
              "spool": recorder is not None, **result, "turns_missing": missing, "spool_waiting_at_end": waiting}
    print(json.dumps(report, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in report.items()))
    return 0 if not result["errors"] and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
