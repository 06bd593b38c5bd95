"""What recording a turn costs on the reply path, before and after the spool, in the same run.

`inline` is how turns were recorded before: question and answer both through the full redactor (spaCy), then a
database insert, all before the reply. `spooled` is what `assistant serve` does now: the question's redaction
started when it arrived (here `--overlap-ms` before recording, standing for NLU and retrieval), the answer (a
page quote) through the pattern tier only, and an fsync'd append to the spool; the database insert follows the
reply. Each figure is the time spent inside `record_turn`, on a real SQLite store and spool in a temporary folder.

Usage: .venv/bin/python benchmarks/bench_record.py [--turns N] [--overlap-ms MS]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.interactions import InteractionStore  # noqa: E402
from assistant.interactions.spool import TurnSpool  # noqa: E402
from assistant.interactions.spooled_recorder import SpooledRecorder  # noqa: E402
from assistant.models import Answer, Message, Route, TextOrigin  # noqa: E402
from assistant.privacy import Redactor  # noqa: E402
from benchmarks.machine import machine, summary_ms  # noqa: E402

QUESTION = "Customer Giulia Rossi called from 347 123 4567: how long does she have to return a lawnmower? #{n}"
ANSWER = ("Customers can return most items within 30 days of purchase with proof of purchase. Garden machinery "
          "such as lawnmowers can be returned within 30 days if unused; faulty items are covered by the warranty "
          "and go back to the manufacturer through the store's service desk.")


def _answer(origin: TextOrigin) -> Answer:
    return Answer(text=ANSWER, route=Route.KNOWLEDGE, confidence=0.9, answer_id=uuid.uuid4().hex, text_origin=origin)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--overlap-ms", type=float, default=30.0)
    args = parser.parse_args()
    redactor = Redactor()
    redactor.warm_up()
    inline: list[float] = []
    spooled: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = InteractionStore(f"sqlite:///{Path(tmp) / 'assistant.db'}", redactor, salt="bench")
        recorder = SpooledRecorder(store, TurnSpool(Path(tmp) / "spool.sqlite3"))
        recorder.start()
        try:
            for n in range(args.turns):  # interleaved, so both see the same machine load
                message = Message(text=QUESTION.format(n=n))
                started = time.perf_counter()
                store.record_turn(message, _answer(TextOrigin.FREE), 40.0)
                inline.append((time.perf_counter() - started) * 1000)

                message = Message(text=QUESTION.format(n=n) + " again")
                pending = recorder.redact_question_early(message.text)
                time.sleep(args.overlap_ms / 1000)
                started = time.perf_counter()
                recorder.record_turn(message, _answer(TextOrigin.COMPANY), 40.0, redacted_question=pending)
                spooled.append((time.perf_counter() - started) * 1000)
            waiting = recorder.flush()
        finally:
            recorder.close()
            stored = store.counts()["turns"]
            store.close()
    print(f"machine: {machine()}")
    print(f"inline (before): {summary_ms(inline)}")
    print(f"spooled (now):   {summary_ms(spooled)}")
    print(f"p50 ratio now/before: {summary_ms(spooled)['p50_ms'] / summary_ms(inline)['p50_ms']:.2f}")
    print(f"turns stored: {stored} of {2 * args.turns}; still spooled: {waiting}")
    return 0 if stored == 2 * args.turns else 1


if __name__ == "__main__":
    sys.exit(main())
