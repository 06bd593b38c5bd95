"""Time of the answerability calibration `assistant ingest` runs after each ingest, on an indexed knowledge base.

Usage: .venv/bin/python benchmarks/bench_calibration.py [--knowledge DIR | --chroma DIR] [--rounds N] [--json]
Indexes DIR (the handbook by default) into a temporary index first, or reuses an index already built in --chroma
(the `chroma` folder of a data directory). Prints the seconds per calibration (probes asked in batches, with every
page visible), the probe counts and the shift; the embedding model is loaded and warmed before timing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.access import Audience
from assistant.answering.answerability import AnswerabilityModel
from assistant.answering.kb_calibration import calibrate_knowledge_base
from assistant.retrieval.embedder import SentenceTransformerEmbedder
from assistant.retrieval.ingest import Ingestor
from assistant.retrieval.passage_index import PassageIndex
from assistant.retrieval.search import HybridSearcher
from assistant.retrieval.vector_store import ChromaVectorStore
from assistant.skills.page_answers import PageAnswerSkill
from benchmarks.machine import machine
from connectors.app.process_tuning import limit_blas_threads

HANDBOOK = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "tts_handbook"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--knowledge", type=Path, default=HANDBOOK)
    parser.add_argument("--chroma", type=Path, default=None, help="reuse the index in this chroma folder")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    limit_blas_threads()
    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    with tempfile.TemporaryDirectory() as tmp:
        if args.chroma is not None:
            store = ChromaVectorStore.embedded(args.chroma)
        elif args.knowledge.exists():
            store = ChromaVectorStore.embedded(Path(tmp) / "chroma")
            Ingestor(store, embedder).ingest(args.knowledge)
        else:
            print(f"{args.knowledge} is absent", file=sys.stderr)
            return 2
        model = AnswerabilityModel.load()
        skill = PageAnswerSkill(HybridSearcher(PassageIndex(store), embedder), model)
        snapshot = skill.searcher.index.snapshot()

        def search_many(texts, languages):
            return [result for result, _ in skill.search_many(texts, Audience.MANAGERS, languages)]

        seconds = []
        calibration = None
        for _ in range(args.rounds):
            embedder.clear_cache()
            started = time.perf_counter()
            calibration = calibrate_knowledge_base(snapshot, search_many, model)
            seconds.append(time.perf_counter() - started)
    assert calibration is not None
    result = {
        "benchmark": "answerability calibration",
        "machine": machine(),
        "pages": len(snapshot.passage_rows),
        "positive_probes": calibration.positives,
        "offtopic_probes": calibration.negatives,
        "seconds_median": round(statistics.median(seconds), 2),
        "seconds_max": round(max(seconds), 2),
        "positive_median_logit": calibration.positive_median,
        "offtopic_median_logit": calibration.negative_median,
        "midpoint": calibration.midpoint,
        "shift": calibration.shift,
        "positives_answered": calibration.positives_answered,
        "negatives_held_back": calibration.negatives_held_back,
    }
    print(json.dumps(result, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
