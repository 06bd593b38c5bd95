"""Where the live pipeline sends labelled company questions: Rasa and the intent ensemble in the loop, each question
through `Assistant.handle` as a channel would send it.

Usage: .venv/bin/python benchmarks/bench_routing.py [--questions FILE ...] [--knowledge DIR] [--json]
Needs the NLU model `assistant train` (or `make train`) leaves in models/.

For every file: the answerable questions answered from knowledge (plainly, or followed by the offer to look an
order up), and those the routing took elsewhere although retrieval answered them (asked for an order number, handed
to a person, called out of scope); and where the unanswerable ones went. `eval retrieval` judges the knowledge skill
alone; this is what staff see once NLU has had its say.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.questions import load_questions  # noqa: E402
from assistant.models import Answer, GapReason, Message, Route  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from benchmarks.factories import index_knowledge  # noqa: E402
from benchmarks.machine import machine  # noqa: E402
from benchmarks.nlu_service import started_nlu  # noqa: E402
from connectors.app.services import build_services  # noqa: E402

DEFAULT_FILES = ("company_questions", "company_holdout", "crosslingual_questions",
                 "crosslingual_dev")


def outcome(answer: Answer) -> str:
    """What the asker got, in a word."""
    if answer.route is Route.KNOWLEDGE:
        if answer.gap:
            return "withheld: a page for managers answers it" if answer.gap_reason is GapReason.RESTRICTED \
                else "held back"
        return "answered, offering an order look-up" if answer.follow_up == "order_number" else "answered"
    return f"routed to {answer.route.value}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=Path, nargs="+",
                        default=[ROOT / "tests" / "data" / f"{name}.jsonl" for name in DEFAULT_FILES])
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, dict[str, int]]] = {}
    taken: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, knowledge_dir=args.knowledge, data_dir=Path(tmp), hash_salt="bench")
        runtime = started_nlu(settings)
        services = build_services(settings, intent_parser=runtime.client)
        try:
            index_knowledge(services, args.knowledge)
            services.warm_up()
            for path in args.questions:
                counts = {"answerable": Counter(), "unanswerable": Counter()}
                for number, question in enumerate(load_questions(path)):
                    answer = services.assistant.handle(
                        Message(text=question.question, asker="bench", channel="bench", thread=f"{path.stem}-{number}"))
                    kind = "answerable" if question.answerable else "unanswerable"
                    counts[kind][outcome(answer)] += 1
                    if question.answerable and answer.route is not Route.KNOWLEDGE:
                        taken.append({"file": path.name, "question": question.question, "route": answer.route.value,
                                      "intent": answer.intent, "confidence": round(answer.confidence, 3)})
                results[path.name] = {kind: dict(counter) for kind, counter in counts.items()}
        finally:
            services.close()
            runtime.stop()
    report = {"benchmark": "routing", "machine": machine(), "files": results,
              "answerable_taken_from_knowledge": taken}
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    for name, counts in results.items():
        print(name)
        for kind, counter in counts.items():
            print(f"  {kind}: " + ", ".join(f"{label} {count}" for label, count in sorted(counter.items())))
    print(f"answerable questions taken from knowledge: {len(taken)}")
    for row in taken:
        print(f"  {row['file']}: {row['route']} ({row['intent']} {row['confidence']}): {row['question']}")
    print(json.dumps(report["machine"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
