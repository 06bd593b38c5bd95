"""A gap report over 100,000 gaps: wall time per stage, peak memory, and the machine.

Usage: .venv/bin/python benchmarks/bench_gap_report.py [--gaps 100000] [--answered-per-gap 2] [--db FILE] [--json]
Target (issue 11): the report, themes and EX dimensions included, in <= 30 s on 2 cores.

The store. A real SQLite interaction store (`InteractionStore`, migrated to the newest schema) is filled with N gaps
spread over the last 12 weeks, and `--answered-per-gap` x N turns answered from a page (the report's training needs
read them). Questions come from `benchmarks/gap_corpus.py` (64 topics plus a long tail, English and Italian, Zipf
over topics, a quarter exact repeats, typos, personal data planted; see its docstring). Rows are written by one bulk
INSERT into the store's own `turns` table rather than through `record_turn` (which takes one transaction per row:
hours for 300,000 rows), but each row is what `record_turn` would write: the question redacted by the store's
`Redactor` (spaCy names included, each distinct text once), asker and conversation hashed with the store's keyed
hasher, citations as the store serialises them, gap state open (a few resolved or dismissed). Askers: 4,000 in 60
teams, 120 locations and 6 roles. `--db FILE` keeps the filled database and reuses it on the next run.

What is timed, after the embedding model is loaded (as in a running server): `GapInsightsService.report()` as
`Services.insights()` builds it (real MiniLM through `SentenceTransformerEmbedder`, questions' vectors kept in the
store by `StoredQuestionEmbedder`, the EX-dimension classifier trained from nlu_data), split into reading the gaps,
reading the answered turns, themes, EX dimensions and the rest (facts, counting). Twice: cold (the store's
question vectors emptied first, so every question the themes pick is embedded during the report) and warm (the
vectors are there, as `assistant serve`'s background warmer keeps them: it embeds each new gap's question within a
minute). Then the warm report is rendered as JSON and as HTML (`connectors/reports/gaps.py`).
Training the classifier happens once per process and is shown apart. Peak RSS is the process's (resource.getrusage);
the Python heap's peak during the cold report is from tracemalloc when `--tracemalloc` is given (it slows Python code
down, so not by default).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import random
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score
from sqlalchemy import create_engine, delete, insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.insights.dimensions import (  # noqa: E402
    EX_DIMENSIONS_FILE,
    DimensionClassifier,
    load_labelled_questions,
)
from assistant.insights.question_vectors import StoredQuestionEmbedder  # noqa: E402
from assistant.insights.service import GapInsightsService  # noqa: E402
from assistant.insights.themes import ThemeBuilder, ThemeGrouping  # noqa: E402
from assistant.interactions import InteractionStore  # noqa: E402
from assistant.interactions.hashing import IdentifierHasher  # noqa: E402
from assistant.interactions.schema import feedback, question_vectors, turns  # noqa: E402
from assistant.privacy import Redactor  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from benchmarks.gap_corpus import GapQuestions  # noqa: E402
from benchmarks.machine import machine, peak_rss_mib  # noqa: E402
from connectors.app.services import build_services  # noqa: E402
from connectors.reports.gaps import render_gap_report  # noqa: E402

SALT = "bench-gap-report"
WEEKS = 12
END = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC)
REASONS = {"no_answer": 0.42, "low_confidence": 0.30, "negative_feedback": 0.13, "handoff_requested": 0.09,
           "out_of_scope": 0.06}
CHANNELS = {"slack": 0.55, "teams": 0.35, "http": 0.10}
ROLES = ("associate", "associate", "associate", "team leader", "duty manager", "store manager")
PAGES = [f"en/{section}/{name}.md" for section in ("customers", "people", "store-ops", "safety", "company")
         for name in ("returns", "delivery", "payments", "leave", "pay", "rota", "tills", "stock", "cleaning",
                      "security", "first-aid", "values")]


class Timed:
    """Wraps an object and adds up the wall time spent in the named methods."""

    def __init__(self, inner, *methods: str) -> None:
        self._inner = inner
        self.seconds: dict[str, float] = dict.fromkeys(methods, 0.0)
        self.calls: Counter[str] = Counter()
        self.items: Counter[str] = Counter()
        self.last = None

    def __getattr__(self, name: str):
        attribute = getattr(self._inner, name)
        if name not in self.seconds:
            return attribute

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                self.last = attribute(*args, **kwargs)
                return self.last
            finally:
                self.seconds[name] += time.perf_counter() - started
                self.calls[name] += 1
                if args and isinstance(args[0], list):
                    self.items[name] += len(args[0])

        return timed


def fill(database_url: str, gaps: int, answered_per_gap: float, seed: int,
         topics: dict[str, str]) -> dict[str, object]:
    """Writes the gaps and answered turns; returns what was written and how long it took, and fills `topics`
    (gap id: the topic its question was drawn from)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    questions = GapQuestions(seed)
    redactor = Redactor()
    store = InteractionStore(database_url, redactor, salt=SALT)  # creates and migrates the schema
    store.close()
    hasher = IdentifierHasher(SALT)
    askers = [f"U{number:05d}" for number in range(4000)]
    profile = {asker: (f"team-{rng.randrange(60):02d}", f"store-{rng.randrange(120):03d}", rng.choice(ROLES))
               for asker in askers}
    asker_weights = [1.0 / (rank + 1) ** 0.6 for rank in range(len(askers))]  # some staff ask far more often
    redacted: dict[str, str] = {}
    redaction_seconds = 0.0
    rows = []
    span = dt.timedelta(weeks=WEEKS).total_seconds()
    raw_languages: Counter[str] = Counter()
    for _ in range(gaps):
        raw = questions.draw()
        raw_languages[raw.language] += 1
        if raw.question not in redacted:
            began = time.perf_counter()
            redacted[raw.question] = redactor.redact(raw.question)
            redaction_seconds += time.perf_counter() - began
        reason = rng.choices(list(REASONS), weights=list(REASONS.values()))[0]
        cited = reason in ("low_confidence", "negative_feedback") or rng.random() < 0.3
        rows.append(_row(rng, hasher, profile, askers, asker_weights, span, redacted[raw.question], raw.language,
                         gap_reason=reason, cited=cited))
        topics[rows[-1]["id"]] = raw.topic
    for _ in range(round(gaps * answered_per_gap)):
        # A tenth asked in Italian and answered from an English page: the report's pages read in another language.
        crossed = rng.random() < 0.1
        rows.append(_row(rng, hasher, profile, askers, asker_weights, span, "(an answered question)",
                         "it" if crossed else "en", gap_reason=None, cited=True,
                         source_language="en" if crossed else None))
    votes = _votes(rng, rows)
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            for start in range(0, len(rows), 20_000):
                connection.execute(insert(turns), rows[start:start + 20_000])
            for start in range(0, len(votes), 20_000):
                connection.execute(insert(feedback), votes[start:start + 20_000])
    finally:
        engine.dispose()
    return {"gaps": gaps, "answered_turns": len(rows) - gaps, "votes": len(votes),
            "distinct_raw_questions": len(redacted),
            "distinct_stored_questions": len(set(redacted.values())),
            "languages": dict(raw_languages), "redaction_seconds": round(redaction_seconds, 1),
            "fill_seconds": round(time.perf_counter() - started, 1)}


def _votes(rng: random.Random, rows: list[dict]) -> list[dict]:
    """A thumbs-down (a third with a comment) on every thumbs-down gap; a vote on a fifth of the answered turns."""
    comments = ("wrong page", "this is out of date", "not what I asked", "la risposta non c'entra")
    votes = []
    for row in rows:
        when = row["created_at"] + dt.timedelta(minutes=2)
        if row["gap_reason"] == "negative_feedback":
            votes.append({"turn_id": row["id"], "created_at": when, "helpful": False,
                          "comment": rng.choice(comments) if rng.random() < 0.33 else None})
        elif not row["gap"] and rng.random() < 0.2:
            votes.append({"turn_id": row["id"], "created_at": when, "helpful": rng.random() < 0.85, "comment": None})
    return votes


def _row(rng, hasher, profile, askers, asker_weights, span, question, language, *, gap_reason, cited,
         source_language=None) -> dict:
    asker = rng.choices(askers, weights=asker_weights)[0]
    team, location, role = profile[asker]
    created = END - dt.timedelta(seconds=rng.random() * span)
    page = rng.choice(PAGES)
    citations = [{"title": page.rsplit("/", 1)[1][:-3].replace("-", " ").title(), "path": page,
                  "section": "Overview", "score": round(rng.uniform(0.2, 0.9), 4)}] if cited else []
    gap = gap_reason is not None
    state = None
    resolved_at = resolved_page = resolution = None
    if gap:
        state = rng.choices(("open", "resolved", "dismissed"), weights=(0.85, 0.12, 0.03))[0]
        if state == "resolved":
            resolved_at = min(END, created + dt.timedelta(days=rng.expovariate(1 / 6)))
            resolved_page, resolution = rng.choice(PAGES), rng.choice(("recheck", "person"))
    return {
        "id": uuid.UUID(int=rng.getrandbits(128)).hex, "created_at": created,
        "channel": rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0],
        "asker_hash": hasher.hash(asker), "conversation_hash": hasher.hash(f"{asker}:{created.date()}"),
        "question": question, "answer": "(redacted answer)", "route": "knowledge", "intent": "knowledge_question",
        "confidence": round(rng.uniform(0.05, 0.6), 4) if gap else round(rng.uniform(0.6, 0.99), 4),
        "citations": citations, "gap": gap, "gap_reason": gap_reason, "degraded": False, "language": language,
        "latency_ms": round(rng.uniform(20, 80), 1), "team": team, "location": location, "role": role,
        "gap_state": state, "resolved_at": resolved_at, "resolved_page": resolved_page, "resolution": resolution,
        "state_note": "dismissed: not for us" if state == "dismissed" else None,
        "state_changed_by": "admin" if state in ("resolved", "dismissed") else None,
        "source_language": source_language,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gaps", type=int, default=100_000)
    parser.add_argument("--answered-per-gap", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", type=Path, default=None, help="keep the filled SQLite file here (reused if present)")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace the Python heap's peak (slower)")
    parser.add_argument("--themes-module", type=Path, default=None,
                        help="a themes.py to take ThemeBuilder from instead (e.g. an older version, to compare)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = args.db or Path(tmp) / "gaps.db"
        database_url = f"sqlite:///{db_path.resolve()}"
        filled: dict[str, object] = {"reused": str(db_path)}
        topics_path = db_path.with_suffix(".topics.json")
        if not db_path.exists():
            topics: dict[str, str] = {}
            filled = fill(database_url, args.gaps, args.answered_per_gap, args.seed, topics)
            topics_path.write_text(json.dumps(topics), encoding="utf-8")
        topics = json.loads(topics_path.read_text(encoding="utf-8")) if topics_path.exists() else {}
        settings = Settings(_env_file=None, data_dir=Path(tmp) / "data", knowledge_dir=ROOT / "knowledge",
                            nlu_data_dir=ROOT / "nlu_data", database_url=database_url, hash_salt=SALT)
        services = build_services(settings)
        try:
            result = measure(services, args.tracemalloc, topics, _theme_builder(args.themes_module))
        finally:
            services.close()
    result = {"benchmark": "gap_report", "machine": machine(), "fill": filled, **result, "target_s": 30}
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json
          else "\n".join(f"{key}: {value}" for key, value in result.items()))
    return 0


def _theme_builder(path: Path | None):
    """ThemeBuilder from this checkout, or from another themes.py (one without `group` gets one added)."""
    if path is None:
        return ThemeBuilder
    spec = importlib.util.spec_from_file_location("other_themes", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["other_themes"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)

    class WithGroup(module.ThemeBuilder):
        def group(self, gaps):
            return ThemeGrouping(self.build(gaps), {gap.question: gap.question for gap in gaps}, -1)

    return WithGroup


def measure(services, trace: bool, topics: dict[str, str], builder) -> dict[str, object]:
    started = time.perf_counter()
    services.embedder.warm_up()
    load_seconds = time.perf_counter() - started
    rss_before = peak_rss_mib()
    engine = create_engine(services.interactions.database_url)
    with engine.begin() as connection:  # start cold: no question embedded yet
        connection.execute(delete(question_vectors))
    engine.dispose()
    embedder = Timed(services.embedder, "encode", "encode_questions")
    questions = StoredQuestionEmbedder(embedder, services.interactions)
    started = time.perf_counter()
    # As `Services.dimension_classifier()` trains it, but through the timed embedder.
    classifier = DimensionClassifier(questions).fit(
        load_labelled_questions(services.settings.nlu_data_dir / EX_DIMENSIONS_FILE))
    fit_seconds = time.perf_counter() - started
    source = Timed(services.interactions, "gaps", "answered_turns")
    themes = Timed(builder(questions), "group")
    dimensions = Timed(classifier, "tag")
    service = GapInsightsService(source, themes, services.index.page_owner,
                                 min_group_size=services.settings.min_group_size, dimensions=dimensions)
    if trace:
        tracemalloc.start()
    # Cold: every question the themes pick is embedded now. Warm: as after `assistant serve`'s warmer has embedded
    # the gaps as they came (here: the vectors the cold report stored), so only reading, grouping and counting remain.
    cold = _timed_report(service, source, themes, dimensions, embedder)
    cold_grouping = themes.last
    heap_peak = None
    if trace:
        heap_peak = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    warm = _timed_report(service, source, themes, dimensions, embedder)
    insights, rows = warm.pop("result")
    cold.pop("result")
    same_themes = [t.member_ids for t in cold_grouping.themes] == [t.member_ids for t in themes.last.themes]
    started = time.perf_counter()
    as_json = render_gap_report(insights, rows, "json")
    json_seconds = time.perf_counter() - started
    started = time.perf_counter()
    as_html = render_gap_report(insights, rows, "html")
    html_seconds = time.perf_counter() - started
    sizes = np.array([theme.gaps for theme in insights.themes])
    theme_of = {member: theme.theme_id for theme in themes.last.themes for member in theme.member_ids}
    scored = [gap_id for gap_id in topics if gap_id in theme_of]
    agreement = round(adjusted_rand_score([topics[i] for i in scored], [theme_of[i] for i in scored]), 3) \
        if scored else None
    taggable = dimensions_of(themes.last)
    unclassified = sum(1 for row in rows if row.question not in taggable)
    return {
        "precision": services.embedder.precision.value,
        "model_load_seconds": round(load_seconds, 1),
        "classifier_fit_seconds_once_per_process": round(fit_seconds, 1),
        "report_cold": cold,
        "report_warm": warm,
        "warm_themes_identical_to_cold": same_themes,
        "render_json_seconds": round(json_seconds, 2), "json_mib": round(len(as_json.encode()) / 2**20, 1),
        "render_html_seconds": round(html_seconds, 2), "html_kib": round(len(as_html.encode()) / 2**10, 1),
        "warm_report_plus_json_seconds": round(warm["seconds"] + json_seconds, 1),
        "gaps_in_report": len(rows),
        "distinct_questions": len({row.question for row in rows}),
        "themes": len(insights.themes),
        "themes_vs_generated_topics_ari": agreement,
        "questions_embedded_by_themes": themes.last.embedded,
        "gaps_without_ex_dimension": unclassified,
        "themes_of_10_or_more_gaps": int((sizes >= 10).sum()),
        "one_off_themes": int((sizes == 1).sum()),
        "gaps_in_top_50_themes_share": round(float(np.sort(sizes)[::-1][:50].sum() / max(sizes.sum(), 1)), 3),
        "largest_themes": [f"{theme.gaps} {theme.label}" for theme in sorted(insights.themes,
                                                                             key=lambda t: -t.gaps)[:8]],
        "peak_rss_mib_before_report": rss_before,
        "peak_rss_mib": peak_rss_mib(),
        "python_heap_peak_mib_during_cold_report": heap_peak,
    }


def _timed_report(service, source, themes, dimensions, embedder) -> dict[str, object]:
    """One `report()`, its stages' seconds and the texts the model embedded during it (result under "result")."""
    for timed in (source, themes, dimensions, embedder):
        timed.seconds.update(dict.fromkeys(timed.seconds, 0.0))
        timed.items.clear()
    started = time.perf_counter()
    result = service.report()
    seconds = time.perf_counter() - started
    parts = {"read_gaps": source.seconds["gaps"], "read_answered_turns": source.seconds["answered_turns"],
             "themes": themes.seconds["group"], "ex_dimensions": dimensions.seconds["tag"]}
    parts["facts_and_counting"] = seconds - sum(parts.values())
    return {
        "seconds": round(seconds, 1),
        "stages_seconds": {name: round(value, 2) for name, value in parts.items()},
        "of_which_embedding_seconds": round(embedder.seconds["encode"] + embedder.seconds["encode_questions"], 2),
        "texts_embedded": embedder.items["encode"] + embedder.items["encode_questions"],
        "result": result,
    }


def dimensions_of(grouping: ThemeGrouping) -> set[str]:
    """The questions the report could tag (those with an embedded stand-in)."""
    return {question for question, stand_in in grouping.representative.items() if stand_in is not None}


if __name__ == "__main__":
    sys.exit(main())
