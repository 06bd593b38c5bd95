"""Cross-validated accuracy of the EX-dimension classifier on nlu_data/ex_dimensions.yml.

Usage: .venv/bin/python benchmarks/ex_dimensions_cv.py [--folds 5] [--json]
Target: dimension accuracy >= 0.80.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.insights.dimensions import EX_DIMENSIONS_FILE, cross_validate, load_labelled_questions  # noqa: E402
from assistant.retrieval.embedder import SentenceTransformerEmbedder  # noqa: E402
from benchmarks.machine import machine  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    questions = load_labelled_questions(ROOT / "nlu_data" / EX_DIMENSIONS_FILE)
    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    started = time.perf_counter()
    report = cross_validate(embedder, questions, folds=args.folds)
    report["seconds"] = round(time.perf_counter() - started, 1)
    report["machine"] = machine()
    print(json.dumps(report, indent=2) if args.json else "\n".join(f"{key}: {value}" for key, value in report.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
