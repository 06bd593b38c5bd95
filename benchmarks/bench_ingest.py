"""Full ingest of the handbook into an empty index, then re-ingest after one page changes.

Usage: .venv/bin/python benchmarks/bench_ingest.py [--knowledge DIR] [--precision auto|float32|bfloat16]
       [--runtime onnx|torch] [--json]
Targets: full ingest <= 60 s on 2 cores; re-ingest after one page changes <= 3 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.retrieval.embedder import EmbeddingPrecision, EmbeddingRuntime, SentenceTransformerEmbedder
from assistant.retrieval.ingest import Ingestor
from assistant.retrieval.vector_store import ChromaVectorStore
from benchmarks.machine import machine, peak_rss_mib

HANDBOOK = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "tts_handbook"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--knowledge", type=Path, default=HANDBOOK)
    parser.add_argument("--precision", choices=[p.value for p in EmbeddingPrecision], default="auto")
    parser.add_argument("--runtime", choices=[r.value for r in EmbeddingRuntime], default="onnx")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.knowledge.exists():
        print(f"{args.knowledge} is absent", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        knowledge = Path(tmp) / "knowledge"
        shutil.copytree(args.knowledge, knowledge)
        started = time.perf_counter()
        embedder = SentenceTransformerEmbedder(precision=args.precision, runtime=args.runtime)
        embedder.warm_up()
        model_load = time.perf_counter() - started
        store = ChromaVectorStore.embedded(Path(tmp) / "chroma")
        full = Ingestor(store, embedder).ingest(knowledge)
        page = sorted(knowledge.rglob("*.md"))[len(list(knowledge.rglob("*.md"))) // 2]
        page.write_text(page.read_text(encoding="utf-8") + "\n\n## Benchmark note\nA new paragraph for the "
                        "benchmark, so this page has changed.\n", encoding="utf-8")
        changed = Ingestor(store, embedder).ingest(knowledge)
        unchanged = Ingestor(store, embedder).ingest(knowledge)
    result = {
        "benchmark": "ingest",
        "machine": machine(),
        "documents": full.documents,
        "vectors": full.chunks,
        "precision": embedder.precision.value,
        "runtime": embedder.runtime.value,
        "model_load_seconds": round(model_load, 2),
        "full_ingest_seconds": round(full.seconds, 2),
        "embedding_rate_per_second": round(full.embedded / full.seconds, 1),
        "one_page_changed_seconds": round(changed.seconds, 2),
        "one_page_changed_embedded": changed.embedded,
        "nothing_changed_seconds": round(unchanged.seconds, 2),
        "peak_rss_mib": peak_rss_mib(),
    }
    print(json.dumps(result, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
