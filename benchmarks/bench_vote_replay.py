"""Votes teach ranking: the company questions replayed with simulated votes, Recall@1 before and after.

Usage: .venv/bin/python benchmarks/bench_vote_replay.py [--voters 3] [--noise 0 0.2] [--bounds 0.05]
                                                        [--floors 0.6] [--handbook] [--scale 5000] [--seed 0]
                                                        [--crosslingual [--multilingual-floors 0.9]]
                                                        [--no-company] [--data-dir DIR] [--json]

The demo knowledge is indexed once; the answerable questions of tests/data/company_questions.jsonl and
company_holdout.jsonl are split in two halves (by a seeded shuffle of their ids). For each half in turn, in a fresh
SQLite interaction store, `--voters` simulated members of staff ask each of its questions through the whole
pipeline (`Assistant.handle`, over the API, Slack and Teams channel names in turn, audience managers as in
`assistant eval retrieval`) and vote through `Assistant.record_feedback`: helpful when the first cited page is the
expected one, not helpful when it is another page (no vote when the reply cites no page); with `--noise` p, each vote
is the wrong one with probability p. The prior reloads the store after each voter's round, as `assistant serve` does
every 30 s. Recall@1 (the first page of the answer) is then measured on:

- repeated: the voted half's questions asked again, word for word;
- paraphrases: tests/data/company_paraphrases.jsonl entries whose original is in the voted half;
- others: the other half's questions and their paraphrases, which nobody voted on (they must not fall).

Both halves are voted on in turn and the counts added, so every question is once "repeated" and once "other".
With --crosslingual the same replay runs on the cross-lingual questions (tests/data/crosslingual_dev.jsonl,
crosslingual_dev_en.jsonl and crosslingual_questions.jsonl: Italian questions over English-only pages and the other
way round), where "right" is what `bench_crosslingual.py` counts: an answer (not held back) whose first cited page
is the expected one. They have no paraphrases; the "others" of a half include questions written independently
about the same pages, which is what a colleague asking the same thing in other words looks like.
With --handbook the same replay runs on the public-domain handbook (../shared/datasets/tts_handbook, its 60
answerable dev questions, which search gets wrong more often; it has no paraphrases), when it is there.
"Before" is the same questions with no votes at all. The prior's cost per question is the time of
`VotePrior.rerank` on a search result, with the replay's few voted turns and with `--scale` voted turns of
realistic staff questions (`benchmarks/gap_corpus.py`, votes on random pages) loaded, which also times a refresh
that embeds all their questions (cold) and one that finds them stored (warm).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.access import Audience, visible_audiences  # noqa: E402
from assistant.answering.vote_prior import MULTILINGUAL_SIMILARITY_FLOOR  # noqa: E402
from assistant.evaluation.questions import EvalQuestion, load_questions  # noqa: E402
from assistant.interactions.hashing import IdentifierHasher  # noqa: E402
from assistant.interactions.schema import feedback, turns  # noqa: E402
from assistant.models import Message  # noqa: E402
from assistant.retrieval.embedder import SentenceTransformerEmbedder  # noqa: E402
from assistant.retrieval.language import guess_language  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from benchmarks.gap_corpus import GapQuestions  # noqa: E402
from benchmarks.machine import machine, summary_ms  # noqa: E402
from connectors.app.services import Services, build_services  # noqa: E402

DATA = ROOT / "tests" / "data"
QUESTION_FILES = (DATA / "company_questions.jsonl", DATA / "company_holdout.jsonl")
PARAPHRASES = DATA / "company_paraphrases.jsonl"
KNOWLEDGE = ROOT / "knowledge"
CROSSLINGUAL_FILES = (DATA / "crosslingual_dev.jsonl", DATA / "crosslingual_dev_en.jsonl",
                      DATA / "crosslingual_questions.jsonl")
HANDBOOK = ROOT.parent / "shared" / "datasets" / "tts_handbook"
HANDBOOK_QUESTIONS = ROOT.parent / "shared" / "eval" / "handbook_dev.jsonl"
CHANNELS = ("api", "slack", "teams")
AUDIENCE = Audience.MANAGERS.value
SALT = "bench-vote-replay"


@dataclass(frozen=True)
class Asked:
    """A question to measure: its text and the pages that answer it (any of them first is right)."""

    id: str
    text: str
    pages: tuple[str, ...]


def load_sets() -> tuple[list[Asked], dict[str, list[Asked]]]:
    """The answerable company questions, and their paraphrases by original id (each paraphrase's page is its
    original's: the fact lives in one place)."""
    originals = answerable(QUESTION_FILES)
    by_id = {asked.id: asked for asked in originals}
    paraphrases: dict[str, list[Asked]] = {}
    for number, line in enumerate(PARAPHRASES.read_text(encoding="utf-8").splitlines(), start=1):
        record = json.loads(line)
        original = by_id.get(record["original"])
        if original is None:
            raise SystemExit(f"{PARAPHRASES}:{number}: {record['original']!r} is no answerable company question")
        paraphrases.setdefault(original.id, []).append(Asked(record["id"], record["question"], original.pages))
    return originals, paraphrases


def answerable(paths: tuple[Path, ...]) -> list[Asked]:
    questions: list[EvalQuestion] = [q for path in paths for q in load_questions(path) if q.answerable]
    return [Asked(q.id, q.question, q.expected_sources) for q in questions]


def first_page(services: Services, asked: Asked) -> str | None:
    answer = services.skill.answer(asked.text, audience=AUDIENCE, language=guess_language(asked.text))
    return answer.hits[0].chunk.path if answer.hits else None


def answered_page(services: Services, asked: Asked) -> str | None:
    """The first page the reply cites when it answers (None when it holds the answer back)."""
    answer = services.skill.answer(asked.text, audience=AUDIENCE, language=guess_language(asked.text))
    return answer.citations[0].path if answer.answerable and answer.citations else None


def hits_at_1(services: Services, items: list[Asked], answered_only: bool = False) -> int:
    page = answered_page if answered_only else first_page
    return sum(page(services, asked) in asked.pages for asked in items)


def vote(services: Services, half: list[Asked], voters: int, noise: float, rng: random.Random) -> dict[str, int]:
    """Each voter asks every question of `half` through the pipeline and votes on the page it cites first."""
    cast = {"helpful": 0, "not_helpful": 0, "wrong_votes": 0, "no_page": 0}
    for voter in range(voters):
        for number, asked in enumerate(half):
            channel = CHANNELS[(voter + number) % len(CHANNELS)]
            answer = services.assistant.handle(Message(asked.text, asker=f"staff-{voter}-{asked.id}",
                                                       channel=channel, audience=AUDIENCE))
            if not answer.citations:
                cast["no_page"] += 1
                continue
            helpful = answer.citations[0].path in asked.pages
            if rng.random() < noise:
                helpful = not helpful
                cast["wrong_votes"] += 1
            services.assistant.record_feedback(answer.answer_id, helpful)
            cast["helpful" if helpful else "not_helpful"] += 1
        assert services.vote_prior is not None
        services.refresh_votes()
    return cast


def replay(embedder: SentenceTransformerEmbedder, data_dir: Path, knowledge: Path, originals: list[Asked],
           paraphrases: dict[str, list[Asked]], *, bound: float, floor: float, voters: int, noise: float,
           seed: int, answered_only: bool = False) -> dict[str, object]:
    """Both halves voted on in turn; Recall@1 of the three sets before and after, summed over the halves."""
    ids = sorted(asked.id for asked in originals)
    random.Random(seed).shuffle(ids)
    halves = [set(ids[: len(ids) // 2]), set(ids[len(ids) // 2:])]
    rng = random.Random(seed + 1)
    totals = {name: {"n": 0, "before": 0, "after": 0} for name in ("repeated", "paraphrases", "others")}
    cast_total: dict[str, int] = {}
    largest = 0.0
    for number, voted_ids in enumerate(halves):
        voted = [asked for asked in originals if asked.id in voted_ids]
        others = [asked for asked in originals if asked.id not in voted_ids]
        sets = {
            "repeated": voted,
            "paraphrases": [p for asked in voted for p in paraphrases.get(asked.id, [])],
            "others": others + [p for asked in others for p in paraphrases.get(asked.id, [])],
        }
        database = data_dir / f"replay-{uuid.uuid4().hex}.db"
        services = _services(embedder, data_dir, knowledge, database, bound)
        try:
            # The floor under test is the prior of the space these questions are decided in.
            prior = services.crosslingual_vote_prior if answered_only else services.vote_prior
            assert prior is not None
            prior.floor = floor
            before = {name: hits_at_1(services, items, answered_only) for name, items in sets.items()}
            cast = vote(services, voted, voters, noise, rng)
            after = {name: hits_at_1(services, items, answered_only) for name, items in sets.items()}
            asked_all = [a for items in sets.values() for a in items]
            largest = max(largest, _largest_crosslingual_adjustment(services, asked_all) if answered_only
                          else _largest_adjustment(services, asked_all))
        finally:
            services.close()
            _remove_database(database)
        for name, items in sets.items():
            totals[name]["n"] += len(items)
            totals[name]["before"] += before[name]
            totals[name]["after"] += after[name]
        for key, value in cast.items():
            cast_total[key] = cast_total.get(key, 0) + value
        print(f"  half {number + 1}: voted {len(voted)} questions, votes {cast}", file=sys.stderr)
    recall = {name: {"n": t["n"], "recall_at_1_before": round(t["before"] / max(t["n"], 1), 3),
                     "recall_at_1_after": round(t["after"] / max(t["n"], 1), 3), "right_before": t["before"],
                     "right_after": t["after"]} for name, t in totals.items()}
    return {"bound": bound, "floor": floor, "voters": voters, "noise": noise, "votes": cast_total,
            "largest_adjustment": round(largest, 4), **recall}


def _largest_adjustment(services: Services, items: list[Asked]) -> float:
    prior = services.vote_prior
    assert prior is not None
    largest = 0.0
    for asked in items:
        result, _ = services.skill.search(asked.text, AUDIENCE, guess_language(asked.text))
        found = prior.adjustments(result.query_vector, [hit.chunk.path for hit in result.hits])
        largest = max([largest, *(abs(value) for value in found.values())])
    return largest


def _largest_crosslingual_adjustment(services: Services, items: list[Asked]) -> float:
    prior, searcher = services.crosslingual_vote_prior, services.skill.crosslingual
    assert prior is not None and searcher is not None
    largest = 0.0
    for asked in items:
        for result in searcher.search(asked.text, visible_audiences(AUDIENCE), asked_in=guess_language(asked.text)):
            found = prior.adjustments(result.query_vector, [hit.passage.path for hit in result.hits])
            largest = max([largest, *(abs(value) for value in found.values())])
    return largest


def _services(embedder: SentenceTransformerEmbedder, data_dir: Path, knowledge: Path, database: Path,
              bound: float) -> Services:
    settings = Settings(_env_file=None, knowledge_dir=knowledge, data_dir=data_dir, hash_salt=SALT,
                        database_url=f"sqlite:///{database.resolve()}", vote_prior_bound=bound)
    return build_services(settings, embedder=embedder)


def cost(embedder: SentenceTransformerEmbedder, data_dir: Path, originals: list[Asked], scale: int,
         seed: int) -> dict[str, object]:
    """The prior's time per question (`rerank`), with `scale` voted turns loaded, and a cold and a warm refresh."""
    database = data_dir / f"scale-{uuid.uuid4().hex}.db"
    services = _services(embedder, data_dir, KNOWLEDGE, database, 0.05)
    try:
        pages = list(services.index.snapshot().pages)
        _fill_votes(f"sqlite:///{database.resolve()}", scale, pages, seed)
        prior = services.vote_prior
        assert prior is not None
        refreshes: list[float] = []
        loaded = -1
        while loaded < scale:  # each refresh embeds at most `new_per_refresh` new questions
            started = time.perf_counter()
            before, loaded = loaded, prior.refresh()
            refreshes.append(time.perf_counter() - started)
            if loaded == before:
                raise SystemExit(f"a refresh loaded no new voted turn ({loaded} of {scale})")
        started = time.perf_counter()
        prior._vectors_by_question.clear()  # as a new process finds them: in the store, not in memory
        prior.refresh()
        warm_from_store = time.perf_counter() - started
        started = time.perf_counter()
        prior.refresh()
        warm = time.perf_counter() - started
        results = [services.skill.search(asked.text, AUDIENCE, guess_language(asked.text))[0] for asked in originals]
        timings = []
        for _ in range(5):
            for result in results:
                started = time.perf_counter()
                prior.rerank(result)
                timings.append((time.perf_counter() - started) * 1000)
        answer_ms = []
        for asked in originals:
            started = time.perf_counter()
            services.skill.answer(asked.text, audience=AUDIENCE, language=guess_language(asked.text))
            answer_ms.append((time.perf_counter() - started) * 1000)
    finally:
        services.close()
        _remove_database(database)
    return {"voted_turns_loaded": loaded, "cold_refreshes": len(refreshes), "refresh_cold_s": round(sum(refreshes), 2),
            "longest_cold_refresh_s": round(max(refreshes), 2),
            "refresh_vectors_from_store_s": round(warm_from_store, 3), "refresh_warm_s": round(warm, 3),
            "rerank_per_question": summary_ms(timings),
            "answer_per_question_query_vector_cached": summary_ms(answer_ms)}


def _remove_database(database: Path) -> None:
    for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        path.unlink(missing_ok=True)


def _fill_votes(database_url: str, count: int, pages: list[str], seed: int) -> None:
    """`count` voted turns of realistic staff questions (redaction left out: none is read back as text)."""
    rng = random.Random(seed)
    corpus = GapQuestions(seed)
    hasher = IdentifierHasher(SALT)
    now = dt.datetime.now(dt.UTC)
    turn_rows, vote_rows = [], []
    for number in range(count):
        answer_id = uuid.UUID(int=rng.getrandbits(128)).hex
        created = now - dt.timedelta(seconds=(count - number) * 60)
        page = rng.choice(pages)
        turn_rows.append({
            "id": answer_id, "created_at": created, "channel": rng.choice(CHANNELS),
            "asker_hash": hasher.hash(f"U{rng.randrange(2000)}"), "conversation_hash": hasher.hash(answer_id),
            "question": corpus.draw().question, "answer": "(answer)", "route": "knowledge", "intent": None,
            "confidence": 0.7, "citations": [{"title": "Page", "path": page, "section": "", "score": 0.6}],
            "gap": False, "gap_reason": None, "degraded": False, "language": "en", "latency_ms": 40.0,
            "team": None, "location": None, "role": None, "gap_state": None,
        })
        vote_rows.append({"turn_id": answer_id, "created_at": created, "helpful": rng.random() < 0.7,
                          "comment": None})
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(insert(turns), turn_rows)
            connection.execute(insert(feedback), vote_rows)
    finally:
        engine.dispose()


def corpus_runs(name: str, knowledge: Path, originals: list[Asked], paraphrases: dict[str, list[Asked]],
                embedder: SentenceTransformerEmbedder, root: Path, args: argparse.Namespace,
                answered_only: bool = False) -> dict[str, object]:
    """Index `knowledge` once, then one replay per bound, floor and noise."""
    data_dir = root / name
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    indexer = _services(embedder, data_dir, knowledge, data_dir / "index.db", 0.05)
    try:
        ingest = indexer.ingestor().ingest(knowledge)
    finally:
        indexer.close()
    ingest_s = time.perf_counter() - started
    runs = []
    for bound in args.bounds:
        for floor in (args.multilingual_floors if answered_only else args.floors):
            for noise in args.noise:
                print(f"{name}: bound {bound}, floor {floor}, noise {noise}", file=sys.stderr)
                runs.append(replay(embedder, data_dir, knowledge, originals, paraphrases, bound=bound, floor=floor,
                                   voters=args.voters, noise=noise, seed=args.seed, answered_only=answered_only))
    return {"index": {"pages": ingest.documents, "chunks": ingest.chunks, "ingest_s": round(ingest_s, 1)},
            "questions": len(originals), "paraphrases": sum(len(items) for items in paraphrases.values()),
            "runs": runs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=3, help="simulated staff asking each voted question")
    parser.add_argument("--noise", type=float, nargs="+", default=[0.0, 0.2], help="shares of wrong votes, a run each")
    parser.add_argument("--bounds", type=float, nargs="+", default=[0.05], help="vote prior bounds, a run each")
    parser.add_argument("--floors", type=float, nargs="+", default=[0.6], help="similarity floors, a run each")
    parser.add_argument("--handbook", action="store_true", help="also replay the handbook's dev questions")
    parser.add_argument("--crosslingual", action="store_true",
                        help="also replay the cross-lingual questions (the multilingual vote prior)")
    parser.add_argument("--multilingual-floors", type=float, nargs="+", default=[MULTILINGUAL_SIMILARITY_FLOOR],
                        help="the multilingual prior's similarity floors, a cross-lingual run each")
    parser.add_argument("--no-company", action="store_true", help="leave out the company questions' replay")
    parser.add_argument("--scale", type=int, default=5000, help="voted turns for the cost run (0: none)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="keep the indexes here, so a second run only checks that nothing changed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    originals, paraphrases = load_sets()
    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    corpora: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = args.data_dir or Path(tmp)
        if not args.no_company:
            corpora["company"] = corpus_runs("company", KNOWLEDGE, originals, paraphrases, embedder, root, args)
        if args.crosslingual:
            corpora["crosslingual"] = corpus_runs("crosslingual", KNOWLEDGE, answerable(CROSSLINGUAL_FILES), {},
                                                  embedder, root, args, answered_only=True)
        if args.handbook:
            if HANDBOOK.exists() and HANDBOOK_QUESTIONS.exists():
                corpora["handbook"] = corpus_runs("handbook", HANDBOOK, answerable((HANDBOOK_QUESTIONS,)), {},
                                                  embedder, root, args)
            else:
                print(f"handbook skipped: {HANDBOOK} or {HANDBOOK_QUESTIONS} is absent", file=sys.stderr)
        costs = cost(embedder, root / "company", originals, args.scale, args.seed) if args.scale else None
    output = {"benchmark": "vote_replay", "machine": machine(), "precision": embedder.precision.value,
              "voters": args.voters, "corpora": corpora, "cost": costs}
    if args.json:
        print(json.dumps(output, indent=2))
        return 0
    print(f"machine: {output['machine']}\nprecision: {output['precision']}")
    for name, corpus in corpora.items():
        print(f"{name}: index {corpus['index']}, {corpus['questions']} questions, {corpus['paraphrases']} paraphrases")
        for run in corpus["runs"]:
            print(f"  bound {run['bound']} floor {run['floor']} voters {run['voters']} noise {run['noise']}: "
                  f"votes {run['votes']}, largest adjustment {run['largest_adjustment']}")
            for part in ("repeated", "paraphrases", "others"):
                figures = run[part]
                if figures["n"]:
                    print(f"    {part:12} n={figures['n']:3}  Recall@1 {figures['recall_at_1_before']:.3f} -> "
                          f"{figures['recall_at_1_after']:.3f}  "
                          f"({figures['right_before']} -> {figures['right_after']})")
    print(f"cost: {costs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
