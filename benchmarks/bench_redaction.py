"""Median time to redact a typical 20-word staff question, with and without spaCy's NER.

Run from the repository root: `.venv/bin/python benchmarks/bench_redaction.py [--runs N]`.
The model is loaded (and timed) before the runs, so the figures are per-question costs.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

from assistant.privacy import Redactor

QUESTION = (
    "Customer Giulia Rossi called from 347 123 4567 about order ORD-20481736; "
    "can I refund her card at the Milan store?"
)


def median_ms(redactor: Redactor, text: str, runs: int) -> float:
    """The median wall-clock time of one `redact` call, in milliseconds."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        redactor.redact(text)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="timed calls per configuration")
    args = parser.parse_args(argv)

    with_ner = Redactor()
    without_ner = Redactor(use_ner=False)
    load_start = time.perf_counter()
    with_ner.warm_up()
    load_seconds = time.perf_counter() - load_start
    for redactor in (with_ner, without_ner):  # first calls fill caches; not timed
        for _ in range(10):
            redactor.redact(QUESTION)

    print(f"machine: {platform.platform()}; {platform.machine()}; {os.cpu_count()} CPUs")
    print(f"python:  {platform.python_version()} ({sys.implementation.name})")
    print(f"question ({len(QUESTION.split())} words): {QUESTION}")
    print(f"redacted: {with_ner.redact(QUESTION)}")
    print(f"model load (once per process): {load_seconds * 1000:.0f} ms")
    print(f"median without NER: {median_ms(without_ner, QUESTION, args.runs):.3f} ms ({args.runs} runs)")
    print(f"median with NER:    {median_ms(with_ner, QUESTION, args.runs):.3f} ms ({args.runs} runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
