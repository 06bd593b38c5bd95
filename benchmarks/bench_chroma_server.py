"""The Chroma server path against the embedded store: retrieval quality, latency and memory on the handbook.

Usage: .venv/bin/python benchmarks/bench_chroma_server.py [--knowledge DIR] [--questions FILE]
           [--candidates 50,100] [--json]

Indexes DIR (the handbook by default; each text embedded once) into an embedded store and into a real `chroma run`
server on 127.0.0.1, then, in one child process per mode so each process's memory is its own, loads the index
as a replica does, calibrates it as `assistant ingest` does and asks every question with hybrid search
(`assistant eval retrieval`'s code: Recall@5, MRR, gap F1, per-query latency of search and short answer).
The server mode is measured for each candidate count (`ASSISTANT_CHROMA_DENSE_CANDIDATES`), and at the largest
with rows the server did not return scored 0 instead of the lowest cosine it returned. Prints the machine too.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from assistant.answering.answerability import AnswerabilityModel
from assistant.answering.kb_calibration import CalibrationStore
from assistant.evaluation.questions import load_questions
from assistant.evaluation.retrieval_eval import evaluate_mode
from assistant.evaluation.retrieval_metrics import summarise
from assistant.retrieval.dense import ExactDenseScorer, ServerDenseScorer
from assistant.retrieval.embedder import SentenceTransformerEmbedder
from assistant.retrieval.ingest import Ingestor
from assistant.retrieval.passage_index import PassageIndex
from assistant.retrieval.search import HybridSearcher, SearchMode
from assistant.retrieval.vector_store import ChromaVectorStore
from assistant.skills.page_answers import PageAnswerSkill
from benchmarks.machine import machine
from benchmarks.standins.chroma_server import ChromaServer
from connectors.app.process_tuning import limit_blas_threads

SHARED = Path(__file__).resolve().parents[2] / "shared"
HANDBOOK = SHARED / "datasets" / "tts_handbook"
QUESTIONS = SHARED / "eval" / "handbook_dev.jsonl"


class EmbedOnce:
    """The real model, each text embedded once for both stores (the second ingest only writes)."""

    def __init__(self, inner: SentenceTransformerEmbedder) -> None:
        self._inner = inner
        self._known: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        return self._inner.name

    def encode(self, texts, *, show_progress=False):
        missing = [text for text in dict.fromkeys(texts) if text not in self._known]
        if missing:
            self._known.update(zip(missing, self._inner.encode(missing), strict=True))
        return np.stack([self._known[text] for text in texts])

    def encode_query(self, text):
        return self._inner.encode_query(text)


def rss_mib() -> float:
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    return round(int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024, 1)


def measure(store: ChromaVectorStore, server: bool, variants: list[tuple[int, float | None]],
            questions_path: Path, calibration_dir: Path) -> dict:
    """One replica: load the index, calibrate, ask every question (once per variant on the server path)."""
    limit_blas_threads()
    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    questions = load_questions(questions_path)
    baseline = rss_mib()
    index = PassageIndex(store, keep_vectors=not server)
    started = time.perf_counter()
    snapshot = index.snapshot()
    load_seconds = time.perf_counter() - started
    results = {}
    for candidates, floor in variants or [(0, None)]:
        dense = ServerDenseScorer(store, candidates, floor) if server else ExactDenseScorer()
        skill = PageAnswerSkill(HybridSearcher(index, embedder, dense=dense), AnswerabilityModel.load(),
                                calibrations=CalibrationStore(calibration_dir / f"{candidates}-{floor}"))
        calibration = skill.calibrate()
        figures = summarise(evaluate_mode(skill, questions, SearchMode.HYBRID, embedder))
        label = "exact" if not server else f"hnsw n={candidates} unreturned={'lowest' if floor is None else floor}"
        results[label] = {
            "recall@5": round(figures["recall@5"], 4), "mrr": round(figures["mrr@10"], 4),
            "recall@1": round(figures["recall@1"], 4), "gap_f1": round(figures["gap_f1"], 4),
            "latency_ms_p50": round(figures["latency_ms_p50"], 1),
            "latency_ms_p95": round(figures["latency_ms_p95"], 1),
            "calibration_shift": calibration.shift if calibration is not None else None,
        }
    matrix = snapshot.embeddings
    return {
        "chunks": len(snapshot.chunks),
        "snapshot_load_seconds": round(load_seconds, 2),
        "vector_matrix_mib": round(matrix.nbytes / 2**20, 2) if matrix is not None else 0.0,
        "vectors_fetched_and_kept": getattr(snapshot.vectors, "cached", len(snapshot.chunks)),
        "rss_mib_model_only": baseline,
        "rss_mib": rss_mib(),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "runs": results,
    }


def child(args: argparse.Namespace) -> int:
    # Each candidate count with unreturned rows at the lowest returned cosine, and the largest with them at 0.0
    # (the default `ServerDenseScorer`, which the product uses).
    variants: list[tuple[int, float | None]] = [(int(n), None) for n in args.candidates.split(",")]
    if args.url:
        variants.append((max(n for n, _ in variants), 0.0))
        store = ChromaVectorStore.remote(args.url)
    else:
        variants = []
        store = ChromaVectorStore.embedded(Path(args.chroma_dir))
    print(json.dumps(measure(store, bool(args.url), variants, args.questions, Path(args.calibration_dir))))
    return 0


def run_child(extra: list[str], args: argparse.Namespace, calibration_dir: Path) -> dict:
    command = [sys.executable, __file__, "--questions", str(args.questions), "--candidates", args.candidates,
               "--calibration-dir", str(calibration_dir), *extra]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(extra)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--knowledge", type=Path, default=HANDBOOK)
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--candidates", default="50,100", help="server candidate counts to measure")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--chroma-dir", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--calibration-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.chroma_dir or args.url:
        return child(args)
    for path in (args.knowledge, args.questions):
        if not path.exists():
            print(f"{path} is absent", file=sys.stderr)
            return 2
    limit_blas_threads()
    with tempfile.TemporaryDirectory(prefix="bench-chroma-") as tmp:
        server = ChromaServer(Path(tmp) / "server").start()
        try:
            embedder = EmbedOnce(SentenceTransformerEmbedder())
            started = time.perf_counter()
            Ingestor(ChromaVectorStore.embedded(Path(tmp) / "embedded"), embedder).ingest(args.knowledge)
            embedded_ingest = time.perf_counter() - started
            started = time.perf_counter()
            Ingestor(ChromaVectorStore.remote(server.url), embedder).ingest(args.knowledge)
            server_write = time.perf_counter() - started
            del embedder
            embedded = run_child(["--chroma-dir", str(Path(tmp) / "embedded")], args, Path(tmp) / "cal-embedded")
            served = run_child(["--url", server.url], args, Path(tmp) / "cal-server")
            server_rss = server.rss_mib()
        finally:
            server.stop()
    exact = embedded["runs"]["exact"]
    report = {
        "machine": machine(),
        "knowledge": str(args.knowledge),
        "questions": str(args.questions),
        "ingest_seconds": {"embedded_with_embedding": round(embedded_ingest, 1),
                           "server_writes_only": round(server_write, 1)},
        "embedded": embedded,
        "server": served,
        "chroma_server_rss_mib": server_rss,
        "differences_vs_exact": {
            label: {"recall@5": round(run["recall@5"] - exact["recall@5"], 4),
                    "mrr": round(run["mrr"] - exact["mrr"], 4)}
            for label, run in served["runs"].items()
        },
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(json.dumps(report["machine"]))
    print(f"{report['knowledge']}: {embedded['chunks']} chunks; ingest {report['ingest_seconds']}")
    print(f"{'mode':40} {'R@5':>6} {'MRR':>6} {'R@1':>6} {'gapF1':>6} {'p50 ms':>7} {'p95 ms':>7}  dR@5    dMRR")
    for mode, runs in (("embedded", embedded["runs"]), ("server", served["runs"])):
        for label, run in runs.items():
            difference = report["differences_vs_exact"].get(label, {"recall@5": 0.0, "mrr": 0.0})
            print(f"{mode + ' ' + label:40} {run['recall@5']:6.3f} {run['mrr']:6.3f} {run['recall@1']:6.3f} "
                  f"{run['gap_f1']:6.3f} {run['latency_ms_p50']:7.1f} {run['latency_ms_p95']:7.1f}  "
                  f"{difference['recall@5']:+.3f} {difference['mrr']:+.3f}")
    for mode, figures in (("embedded", embedded), ("server", served)):
        print(f"{mode}: RSS {figures['rss_mib']} MiB (model loaded, no index: {figures['rss_mib_model_only']}; "
              f"max {figures['max_rss_mib']}); vector matrix {figures['vector_matrix_mib']} MiB; vectors held "
              f"{figures['vectors_fetched_and_kept']} of {figures['chunks']}; snapshot load "
              f"{figures['snapshot_load_seconds']} s")
    print(f"chroma run server RSS: {server_rss} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
