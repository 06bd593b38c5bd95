"""Cross-validate the live intent ensemble on nlu_data/: per-intent precision, recall and F1, three ways.

Rasa is trained once per fold (each model without the fold it parses); the dense classifier and the
ensemble's calibration are cross-validated inside each training part (see
`assistant/evaluation/intent_cross_validation.py`). The rows: the ensemble as live routing uses it, the
ensemble while Rasa is down (the dense classifier alone), and Rasa alone (its top intent). Expect a few
minutes on 2 cores.

    .venv/bin/python benchmarks/nlu_cross_validation.py [--folds 3] [--json] [--write-shipped]

`--write-shipped` also stores the calibration in assistant/nlu/intent_ensemble.json, the one the
assistant ships with (do it after changing nlu_data/, and commit the file).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.evaluation.intent_cross_validation import format_report, run_intent_evaluation  # noqa: E402
from assistant.nlu.intent_model import DEFAULT_CALIBRATION_PATH  # noqa: E402
from assistant.nlu.intent_spaces import IntentSpaces  # noqa: E402
from assistant.retrieval.embedder import SentenceTransformerEmbedder  # noqa: E402
from assistant.retrieval.multilingual_embedder import MultilingualEmbedder  # noqa: E402
from benchmarks.machine import machine  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nlu-data", type=Path, default=REPO / "nlu_data")
    parser.add_argument("--rasa", type=Path, default=REPO / ".venv-rasa" / "bin" / "rasa")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--write-shipped", action="store_true",
                        help=f"store the calibration in {DEFAULT_CALIBRATION_PATH.relative_to(REPO)}")
    args = parser.parse_args(argv)

    host = machine()
    started = time.monotonic()
    spaces = IntentSpaces(SentenceTransformerEmbedder(), MultilingualEmbedder())
    with tempfile.TemporaryDirectory(prefix="nlu-cv-") as work_dir:
        report, calibration = run_intent_evaluation(
            args.nlu_data, rasa_executable=args.rasa, spaces=spaces,
            work_dir=Path(work_dir), folds=args.folds, progress=None if args.json else print,
        )
    report["duration_seconds"] = round(time.monotonic() - started, 1)
    report["machine"] = host
    if args.write_shipped:
        calibration.save(DEFAULT_CALIBRATION_PATH)
        report["written_to"] = str(DEFAULT_CALIBRATION_PATH)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"machine: {host}")
    print(format_report(report))
    print(f"({report['duration_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
