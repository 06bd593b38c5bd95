"""A 100k-chunk index built from the handbook's text: hybrid query latency and peak memory.

Chunks are runs of 1, 2, 3 ... consecutive handbook sentences (within one page) starting at every
sentence, until there are --chunks distinct texts; all of them are really embedded. Usage:
  .venv/bin/python benchmarks/bench_scale.py [--chunks 100000] [--queries 200] [--json]
Target: query p95 <= 150 ms; the process's peak memory is reported.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.questions import load_questions  # noqa: E402
from assistant.models import Chunk  # noqa: E402
from assistant.pages.chunker import chunk_document  # noqa: E402
from assistant.pages.loader import load_pages  # noqa: E402
from assistant.retrieval.embedder import SentenceTransformerEmbedder  # noqa: E402
from assistant.retrieval.passage_index import PassageIndex  # noqa: E402
from assistant.retrieval.search import HybridSearcher  # noqa: E402
from assistant.retrieval.vector_store import ChromaVectorStore  # noqa: E402
from benchmarks.machine import machine, peak_rss_mib, summary_ms  # noqa: E402
from connectors.app.process_tuning import limit_blas_threads  # noqa: E402

SHARED = ROOT.parent / "shared"
HANDBOOK = SHARED / "datasets" / "tts_handbook"
QUESTIONS = SHARED / "eval" / "handbook_dev.jsonl"
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def build_chunks(count: int) -> list[Chunk]:
    sentences: list[tuple[Chunk, str]] = []
    for document in load_pages(HANDBOOK).documents:
        for passage in chunk_document(document):
            if passage.kind == "section":
                sentences.extend((passage, s) for s in SENTENCE.split(passage.text) if len(s.split()) >= 3)
    chunks: list[Chunk] = []
    seen: set[str] = set()
    # Runs of 1, 2, 3 ... sentences from every start: each width adds about one chunk per sentence.
    for width in range(1, 40):
        for start in range(len(sentences)):
            source = sentences[start][0]
            run = [s for p, s in sentences[start:start + width] if p.path == source.path]
            text = " ".join(run)
            digest = hashlib.sha1(text.encode()).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            chunks.append(Chunk(chunk_id=f"s{len(chunks)}", path=source.path, title=source.title,
                                section=source.section, text=text, content_hash=digest, language="en"))
            if len(chunks) >= count:
                return chunks
    return chunks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not HANDBOOK.exists():
        print(f"{HANDBOOK} is absent", file=sys.stderr)
        return 2
    limit_blas_threads()  # as `assistant serve` does
    embedder = SentenceTransformerEmbedder()
    started = time.perf_counter()
    chunks = build_chunks(args.chunks)
    vectors = embedder.encode([c.embedding_text for c in chunks], show_progress=not args.json)
    embed_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        store = ChromaVectorStore.embedded(Path(tmp) / "chroma")
        started = time.perf_counter()
        store.activate(store.stage(embedder.name, chunks, vectors, retired_ids=[]))
        write_seconds = time.perf_counter() - started
        del vectors
        index = PassageIndex(store)
        started = time.perf_counter()
        index.snapshot()
        load_seconds = time.perf_counter() - started
        searcher = HybridSearcher(index, embedder)
        questions = [q.question for q in load_questions(QUESTIONS)]
        latencies = []
        for number in range(args.queries):
            text = f"{questions[number % len(questions)]} {number}"
            began = time.perf_counter()
            searcher.search(text)
            latencies.append((time.perf_counter() - began) * 1000)
    result = {"benchmark": "scale", "machine": machine(), "precision": embedder.precision.value, "chunks": len(chunks),
              "build_embed_seconds": round(embed_seconds, 1), "chroma_write_seconds": round(write_seconds, 1),
              "index_load_seconds": round(load_seconds, 1), "query": summary_ms(latencies),
              "peak_rss_mib": peak_rss_mib()}
    print(json.dumps(result, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
