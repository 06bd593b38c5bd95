"""Rechecking 10,000 open gaps against a real index over the handbook: wall time, resolutions, peak memory.

Usage: .venv/bin/python benchmarks/bench_recheck.py [--gaps 10000] [--data-dir DIR] [--one-by-one] [--json]
Target (issue 11): `recheck_open_gaps` over 10,000 open gaps in <= 60 s on 2 cores.

The index is the handbook at ../shared/datasets/tts_handbook/ (skipped with a message when absent), ingested as
`assistant ingest` does (`--data-dir` keeps it, so a second run only checks that nothing changed). The open gaps
are a mix of questions the handbook answers and questions it does not: 35% are the questions of
../shared/eval/handbook_dev.jsonl (answerable and unanswerable ones) typed the way staff type (typos, greetings,
casing; see `benchmarks/gap_corpus.py`), 65% are retail staff questions from `gap_corpus.GapQuestions` that the
handbook does not cover; with the corpus's repeats. Reasons: no answer, low confidence and thumbs-down (with the
page voted down), plus hand-offs, which a recheck leaves alone. They are written to a real SQLite interaction store
as in `bench_gap_report.py` (one bulk insert of rows redacted by the store's `Redactor`). Each timed run starts from
a fresh copy of that database, since a recheck resolves gaps. `--one-by-one` times the question-at-a-time path
(`PageAnswerSkill.answer` per distinct question) instead of the batched one, for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.access import Audience  # noqa: E402
from assistant.evaluation.questions import load_questions  # noqa: E402
from assistant.insights.recheck import recheck_open_gaps  # noqa: E402
from assistant.interactions import InteractionStore  # noqa: E402
from assistant.interactions.hashing import IdentifierHasher  # noqa: E402
from assistant.interactions.schema import turns  # noqa: E402
from assistant.privacy import Redactor  # noqa: E402
from assistant.retrieval.language import guess_language  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from benchmarks.gap_corpus import GapQuestions, _typo  # noqa: E402
from benchmarks.machine import machine, peak_rss_mib  # noqa: E402
from connectors.app.services import build_services  # noqa: E402

SHARED = ROOT.parent / "shared"
HANDBOOK = SHARED / "datasets" / "tts_handbook"
QUESTIONS = SHARED / "eval" / "handbook_dev.jsonl"
SALT = "bench-recheck"
HANDBOOK_SHARE = 0.35
REASONS = {"no_answer": 0.45, "low_confidence": 0.30, "negative_feedback": 0.15, "handoff_requested": 0.10}
OPENINGS = ("", "", "", "hi, ", "quick question: ", "hey ", "sorry, ")
ENDINGS = ("", "", "?", "??", " thanks", " pls")
END = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC)


def handbook_variant(question: str, rng: random.Random) -> str:
    words = question.split()
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        position = rng.randrange(len(words))
        words[position] = _typo(words[position], rng)
    text = rng.choice(OPENINGS) + " ".join(words) + rng.choice(ENDINGS)
    return text.lower() if rng.random() < 0.15 else text


def fill(database_url: str, count: int, seed: int) -> dict[str, object]:
    started = time.perf_counter()
    rng = random.Random(seed)
    handbook = [question.question for question in load_questions(QUESTIONS)]
    corpus = GapQuestions(seed)
    redactor = Redactor()
    InteractionStore(database_url, redactor, salt=SALT).close()  # creates and migrates the schema
    hasher = IdentifierHasher(SALT)
    redacted: dict[str, str] = {}
    asked: list[str] = []
    rows = []
    kinds: Counter[str] = Counter()
    pages = ["pages/travel-and-leave/leave.md", "pages/about-us/tts-history.md", "pages/general-information-and-"
             "resources/tech-and-software.md", None]
    for _ in range(count):
        if asked and rng.random() < 0.2:
            raw = rng.choice(asked)  # the same text asked again
        elif rng.random() < HANDBOOK_SHARE:
            raw = handbook_variant(rng.choice(handbook), rng)
            kinds["handbook"] += 1
        else:
            raw = corpus.draw().question
            kinds["retail"] += 1
        asked.append(raw)
        if raw not in redacted:
            redacted[raw] = redactor.redact(raw)
        reason = rng.choices(list(REASONS), weights=list(REASONS.values()))[0]
        page = rng.choice(pages) if reason in ("low_confidence", "negative_feedback") else None
        created = END - dt.timedelta(seconds=rng.random() * 84 * 86400)
        rows.append({
            "id": uuid.UUID(int=rng.getrandbits(128)).hex, "created_at": created, "channel": "slack",
            "asker_hash": hasher.hash(f"U{rng.randrange(2000)}"), "conversation_hash": hasher.hash(str(created)),
            "question": redacted[raw], "answer": "(redacted answer)", "route": "knowledge",
            "intent": "knowledge_question", "confidence": round(rng.uniform(0.05, 0.6), 4),
            "citations": [{"title": "Page", "path": page, "section": "", "score": 0.5}] if page else [],
            "gap": True, "gap_reason": reason, "degraded": False, "language": "en", "latency_ms": 40.0,
            "team": None, "location": None, "role": None, "gap_state": "open",
        })
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(insert(turns), rows)
    finally:
        engine.dispose()
    return {"open_gaps": count, "new_wordings": dict(kinds), "distinct_questions": len(set(redacted.values())),
            "by_reason": dict(Counter(row["gap_reason"] for row in rows)),
            "fill_seconds": round(time.perf_counter() - started, 1)}


def _agreement(skill, filled_db: Path, count: int, seed: int) -> dict[str, object]:
    """Decisions of `answer_many` against `answer` on a sample of the distinct open questions."""
    store = InteractionStore(f"sqlite:///{filled_db.resolve()}", Redactor(use_ner=False), salt=SALT)
    try:
        questions = sorted({gap.question for gap in store.gaps(limit=1_000_000)})
    finally:
        store.close()
    sample = random.Random(seed).sample(questions, min(count, len(questions)))
    languages = [guess_language(question) for question in sample]
    batched = skill.answer_many(sample, audience=Audience.MANAGERS.value, languages=languages)
    decisions = pages = 0
    largest = 0.0
    for question, language, many in zip(sample, languages, batched, strict=True):
        one = skill.answer(question, audience=Audience.MANAGERS.value, language=language)
        decisions += many.answerable != one.answerable
        pages += [c.path for c in many.citations[:1]] != [c.path for c in one.citations[:1]]
        largest = max(largest, abs(many.confidence - one.confidence))
    return {"questions": len(sample), "answerable_differs": decisions, "first_page_differs": pages,
            "largest_confidence_difference": round(largest, 4)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gaps", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=None, help="keep the index (and the filled store) here")
    parser.add_argument("--one-by-one", action="store_true", help="time the question-at-a-time path instead")
    parser.add_argument("--agreement", type=int, default=300,
                        help="after the run, ask this many distinct questions both ways and count differing decisions")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not HANDBOOK.exists() or not QUESTIONS.exists():
        print(f"skipped: the handbook ({HANDBOOK}) or its questions ({QUESTIONS}) are absent", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        filled_db = data_dir / f"open-gaps-{args.gaps}-{args.seed}.db"
        filled: dict[str, object] = {"reused": str(filled_db)}
        if not filled_db.exists():
            filled = fill(f"sqlite:///{filled_db.resolve()}", args.gaps, args.seed)
        run_db = Path(tmp) / "recheck.db"
        shutil.copyfile(filled_db, run_db)
        settings = Settings(_env_file=None, knowledge_dir=HANDBOOK, data_dir=data_dir, hash_salt=SALT,
                            database_url=f"sqlite:///{run_db.resolve()}")
        services = build_services(settings)
        try:
            started = time.perf_counter()
            ingest = services.ingestor().ingest(HANDBOOK)
            ingest_seconds = time.perf_counter() - started
            services.embedder.warm_up()
            services.index.reload()
            started = time.perf_counter()
            if args.one_by_one:
                result = recheck_open_gaps(services.interactions, services.skill, batch_size=None)
            else:
                result = recheck_open_gaps(services.interactions, services.skill)
            seconds = time.perf_counter() - started
            still_open = len(services.interactions.gaps(limit=1_000_000, state="open"))
            agreement = _agreement(services.skill, filled_db, args.agreement, args.seed)
        finally:
            services.close()
    pages = Counter(result.resolved.values())
    output = {"benchmark": "recheck", "machine": machine(), "fill": filled,
              "precision": services.embedder.precision.value,
              "path": "one by one" if args.one_by_one else "batched",
              "index": {"pages": ingest.documents, "chunks": ingest.chunks, "embedded_now": ingest.embedded,
                        "ingest_seconds": round(ingest_seconds, 1)},
              "recheck_seconds": round(seconds, 1), "checked": result.checked, "resolved": len(result.resolved),
              "still_open": still_open, "resolving_pages": len(pages),
              "top_pages": dict(pages.most_common(5)), "batched_vs_one_by_one": agreement,
              "peak_rss_mib": peak_rss_mib(), "target_s": 60}
    print(json.dumps(output, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in output.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
