"""Where the time of one answered question goes: `Assistant.handle` under cProfile, in process (no HTTP).

Usage: .venv/bin/python benchmarks/profile_ask.py [--knowledge DIR --questions FILE] [--nlu] [--data-dir DIR]
       [--top N] [--wait-for-records]
A `--data-dir` that already holds the index makes a second run skip most of the ingest. The report lists the
functions with the most cumulative time, then how often each embedding model encoded a question per request.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.questions import load_questions  # noqa: E402
from assistant.models import Message  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from benchmarks.factories import index_knowledge  # noqa: E402
from benchmarks.machine import machine  # noqa: E402
from benchmarks.nlu_service import started_nlu  # noqa: E402
from connectors.app.services import build_services  # noqa: E402

_WATCHED = ("encode_query", "encode_questions", "redact_with_report", "understand", "record_turn", "search")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "data" / "company_questions.jsonl")
    parser.add_argument("--nlu", action="store_true", help="start Rasa and route through it")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    questions = [q.question for q in load_questions(args.questions)]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        settings = Settings(_env_file=None, knowledge_dir=args.knowledge, data_dir=data_dir, hash_salt="bench")
        runtime = started_nlu(settings) if args.nlu else None
        services = build_services(settings, intent_parser=runtime.client if runtime else None)
        try:
            index_knowledge(services, args.knowledge)
            services.warm_up()
            for question in questions[:5]:
                services.assistant.handle(Message(text=question + " (warm-up)"))
            profile = cProfile.Profile()
            started = time.perf_counter()
            profile.enable()
            for question in questions:
                services.assistant.handle(Message(text=question + " (profiled)"))
            profile.disable()
            elapsed = time.perf_counter() - started
            flush = getattr(services.interactions, "flush", None)
            if flush is not None:
                flush()
        finally:
            services.close()
            if runtime is not None:
                runtime.stop()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(args.top)
    print(f"machine: {machine()}")
    print(f"{len(questions)} questions in {elapsed:.2f} s: {elapsed / len(questions) * 1000:.1f} ms each "
          "(this thread's view; NLU and early redaction run in worker threads)")
    print("calls per question of watched functions (all threads are not profiled, only this one):")
    for (filename, _, name), (calls, _, _, cumulative, _) in sorted(stats.stats.items()):  # type: ignore[attr-defined]
        if name in _WATCHED:
            short = "/".join(Path(filename).parts[-2:])
            print(f"  {short}:{name}: {calls / len(questions):.2f} calls, {cumulative / len(questions) * 1000:.2f} ms")
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
