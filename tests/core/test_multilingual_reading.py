"""The multilingual reading of a question (`MultilingualReading`): which passage of a page, and which of its windows,
an Italian reply quotes. Real parts: e5, the demo knowledge's index."""

from __future__ import annotations

import numpy as np

from assistant.evaluation.crosslingual_eval import answering_figures
from assistant.evaluation.questions import load_questions
from assistant.evaluation.retrieval_metrics import holds_answer
from assistant.retrieval.crosslingual import CrosslingualSearcher
from tests.conftest import PROJECT_ROOT

QUESTION = "lavoro part-time, quante ferie e permessi maturo rispetto a un full time?"
"""From tests/data/italian_answers_dev.jsonl (ia-034): its reply missed the fact when MiniLM chose the windows."""
PAGE = "it/staff/ferie.md"
FACT = "maturano ferie e permessi in proporzione all'orario"


def reading(company_services, text: str = QUESTION):
    snapshot = company_services.index.snapshot()
    company_services.skill.crosslingual.index_for(snapshot)  # built, as after an ingest
    found = company_services.skill.crosslingual.reading(text, snapshot)
    assert found is not None
    return found, snapshot


def test_the_best_passage_of_a_page_is_the_one_e5_finds_closest(company_services):
    found, _ = reading(company_services)
    passage = found.best_passage(PAGE)
    assert passage is not None and passage.path == PAGE and passage.kind == "section"
    assert holds_answer(passage.text, [FACT])
    assert found.best_passage("en/no/such-page.md") is None


def test_similarities_cover_passages_and_windows_only(company_services):
    found, snapshot = reading(company_services)
    rows = np.arange(len(snapshot.chunks))
    scores = found.similarities(rows)
    kinds = np.array([chunk.kind for chunk in snapshot.chunks])
    assert np.all(np.isfinite(scores[kinds == "window"])) and np.all(np.isfinite(scores[kinds == "section"]))
    assert np.all(scores <= 1.0 + 1e-5)


def test_an_italian_reply_quotes_the_passage_e5_reads_as_the_answer(company_services):
    answer = company_services.skill.answer(QUESTION, "managers", "it")
    assert answer.answerable and answer.citations[0].path == PAGE
    assert holds_answer(answer.text, [FACT]), answer.text
    assert answer.citations[0].section == answer.hits[0].chunk.section  # the citation names the quoted section


def test_no_reading_for_english_questions_or_before_the_index_is_built(company_services, monkeypatch):
    skill = company_services.skill
    snapshot = company_services.index.snapshot()
    asked = []
    monkeypatch.setattr(skill.crosslingual, "reading", lambda text, snapshot: asked.append(text))
    answer = skill.answer("how many days of annual leave do I get?", "managers", "en")
    assert answer.answerable and answer.source_language is None
    assert asked == []  # an English answer from an English page is quoted as the main model reads it
    monkeypatch.undo()
    unbuilt = CrosslingualSearcher(company_services.index, company_services.multilingual)
    assert unbuilt.reading(QUESTION, snapshot) is None  # never waits for a build, nor starts one
    assert unbuilt.health().ok and unbuilt.wait_for_build(0)


def test_a_cross_lingual_answer_quotes_what_e5_reads_as_the_answer(company_services):
    # English questions over the Italian-only pages (the development set): the quote is composed from e5's passage
    # and windows, and holds the fact at least as often as the single best window did.
    questions = load_questions(PROJECT_ROOT / "tests" / "data" / "crosslingual_dev_en.jsonl")
    read = answering_figures(company_services.skill, questions)
    plain = answering_figures(company_services.skill.without_multilingual_reading(), questions)
    assert read.crossed == plain.crossed >= 10 and read.recall_at_1 == plain.recall_at_1
    assert read.reply_accuracy >= max(plain.reply_accuracy, 0.58), (read, plain)
