"""Warm latency of POST /v1/ask over real HTTP, for knowledge questions.

Usage: .venv/bin/python benchmarks/bench_ask.py [--knowledge DIR --questions FILE] [--rounds N] [--nlu] [--json]
Set ASSISTANT_EMBEDDING_PRECISION=float32 to compare with bfloat16 (the default where the CPU has it), and
ASSISTANT_EMBEDDING_RUNTIME=torch to compare with ONNX Runtime.
Targets: p95 <= 100 ms without NLU; p95 <= 60 ms with Rasa in the loop on the handbook (--nlu starts a Rasa
server from the model `assistant train` made). `--data-dir` keeps the index between runs.
"""

from __future__ import annotations

import argparse
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "data" / "company_questions.jsonl")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--nlu", action="store_true", help="start Rasa and route through it")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="keep the index (and store) here, so a second run skips most of the ingest")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    questions = [q.question for q in load_questions(args.questions) if q.answerable]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, knowledge_dir=args.knowledge, data_dir=args.data_dir or Path(tmp),
                            hash_salt="bench")
        runtime = started_nlu(settings) if args.nlu else None
        parser_client = runtime.client if runtime else None
        services = build_services(settings, intent_parser=parser_client)
        index_knowledge(services, args.knowledge)
        services.warm_up()
        recorder = getattr(services, "recorder", None)  # absent before the spool: turns were written inline
        if recorder is not None:
            recorder.start()  # turns are written after the reply, as under `assistant serve`
        precision = services.embedder.precision.value
        embedding_runtime = services.embedder.runtime.value
        latencies: list[float] = []
        routes: dict[str, int] = {}
        app = create_app(services.api_ports())
        try:
            with AppServer(app) as base_url, httpx.Client(base_url=base_url, timeout=120) as client:
                for question in questions[:5]:
                    client.post("/v1/ask", json={"text": question + " (warm-up)"})
                for round_number in range(args.rounds):
                    for question in questions:
                        # A distinct text each round, so the query-vector cache never answers.
                        text = question if round_number == 0 else f"{question} #{round_number}"
                        started = time.perf_counter()
                        response = client.post("/v1/ask", json={"text": text})
                        latencies.append((time.perf_counter() - started) * 1000)
                        response.raise_for_status()
                        route = response.json()["route"]
                        routes[route] = routes.get(route, 0) + 1
        finally:
            services.close()
            if runtime is not None:
                runtime.stop()
    result = {"benchmark": "ask", "nlu": args.nlu, "machine": machine(), "precision": precision,
              "runtime": embedding_runtime, "questions": len(questions),
              "latency": summary_ms(latencies), "routes": routes}
    print(json.dumps(result, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
