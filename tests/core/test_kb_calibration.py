"""The per-knowledge-base answerability calibration: made by every ingest from the pages themselves, read by the
answering path for the generation it answers from, and absent without harm."""

from __future__ import annotations

import logging
import shutil

import pytest

from assistant.answering.answerability import AnswerabilityModel, answerability_features
from assistant.answering.kb_calibration import (
    CALIBRATION_METHOD,
    FILE_PREFIX,
    KEEP_FILES,
    CalibrationStore,
    KnowledgeBaseCalibration,
    ensure_calibrated,
)
from assistant.answering.probes import offtopic_probes, offtopic_questions, page_probes
from assistant.retrieval.search import SearchFilters
from assistant.skills.page_answers import PageAnswerSkill
from connectors.app.services import build_services
from tests.conftest import KNOWLEDGE_DIR, make_settings

PAGES = ("en/staff/dress-code.md", "en/customers/gift-cards.md", "it/staff/ferie.md")


def _snapshot(company_services):
    return company_services.index.snapshot()


def test_ingest_writes_the_calibration_of_the_generation_it_activates(company_services):
    snapshot = _snapshot(company_services)
    path = company_services.settings.calibration_dir / f"{FILE_PREFIX}{snapshot.name}.json"
    assert path.exists(), "the session's ingest did not calibrate its index"
    calibration = KnowledgeBaseCalibration.load(path)
    assert calibration.generation == snapshot.name
    assert calibration.positives >= len(snapshot.passage_rows)  # at least every page's title
    assert calibration.negatives == sum(len(questions) for questions in offtopic_questions().values())
    assert company_services.skill.calibrations.get(snapshot.name) == calibration


def test_a_new_generation_gets_its_own_calibration_and_old_ones_are_pruned(tmp_path, embedder, redactor):
    knowledge = tmp_path / "knowledge"
    for page in PAGES:
        (knowledge / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(KNOWLEDGE_DIR / page, knowledge / page)
    settings = make_settings(tmp_path / "data", knowledge_dir=knowledge)
    services = build_services(settings, embedder=embedder, redactor=redactor)
    try:
        generations = []
        for edit in range(KEEP_FILES + 1):
            if edit:
                page = knowledge / PAGES[0]
                page.write_text(page.read_text(encoding="utf-8") + f"\n\nEdited {edit}.\n", encoding="utf-8")
            report = services.ingestor().ingest(knowledge)
            generations.append(report.generation)
            assert (settings.calibration_dir / f"{FILE_PREFIX}{report.generation}.json").exists()
        assert len(set(generations)) == KEEP_FILES + 1
        kept = sorted(path.name for path in settings.calibration_dir.glob(f"{FILE_PREFIX}*.json"))
        assert kept == sorted(f"{FILE_PREFIX}{generation}.json" for generation in generations[-KEEP_FILES:])
    finally:
        services.close()


def test_without_a_calibration_the_shipped_model_decides(company_services, tmp_path):
    model = AnswerabilityModel.load()
    searcher = company_services.skill.searcher
    result = searcher.search("how long does a customer have to return a lawnmower?")
    shipped = model.probability(answerability_features(result))
    assert PageAnswerSkill(searcher, model).probability(result) == shipped
    assert PageAnswerSkill(searcher, model, calibrations=CalibrationStore(tmp_path)).probability(result) == shipped


def test_a_damaged_calibration_falls_back_to_the_shipped_model(company_services, tmp_path, caplog):
    model = AnswerabilityModel.load()
    searcher = company_services.skill.searcher
    result = searcher.search("how long does a customer have to return a lawnmower?")
    store = CalibrationStore(tmp_path)
    store.path(result.snapshot.name).write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        probability = PageAnswerSkill(searcher, model, calibrations=store).probability(result)
    assert probability == model.probability(answerability_features(result))
    assert "cannot read the answerability calibration" in caplog.text


def test_the_shift_moves_the_probability_of_that_generation_only(company_services, tmp_path):
    model = AnswerabilityModel.load()
    searcher = company_services.skill.searcher
    result = searcher.search("how long does a customer have to return a lawnmower?")
    store = CalibrationStore(tmp_path)
    stored = KnowledgeBaseCalibration.load(company_services.settings.calibration_dir
                                           / f"{FILE_PREFIX}{result.snapshot.name}.json")
    stored.shift = 1.0
    store.write(stored)
    skill = PageAnswerSkill(searcher, model, calibrations=store)
    assert skill.probability(result) == pytest.approx(model.probability(answerability_features(result), 1.0))
    assert skill.probability(result) < model.probability(answerability_features(result))
    assert store.shift("another-generation") == 0.0


def test_the_calibrated_decision_separates_the_pages_probes_from_the_off_topic_questions(company_services):
    calibration = company_services.skill.calibrations.get(_snapshot(company_services).name)
    assert calibration.positive_median > calibration.negative_median + 1.5
    assert calibration.negatives_held_back >= 0.95
    assert calibration.positives_answered >= 0.6


def test_probes_cover_every_page_with_its_title_and_both_languages_off_topic(company_services):
    snapshot = _snapshot(company_services)
    probes = page_probes(snapshot)
    assert {probe.page for probe in probes} == set(snapshot.passage_rows)
    assert all(probe.answerable for probe in probes)
    assert page_probes(snapshot) == probes, "the same index must give the same probes"
    phrasings = {chunk.text for chunk in snapshot.chunks if chunk.kind == "question"}
    assert phrasings, "the demo pages have questions phrasings"
    assert not phrasings & {probe.text for probe in probes}, "a phrasing would find its own chunk word for word"
    negatives = offtopic_probes(snapshot.languages)
    assert {probe.language for probe in negatives} == {"en", "it"}
    assert not any(probe.answerable for probe in negatives)
    assert len(negatives) >= 80


@pytest.mark.parametrize("question", [
    "What is our purpose?", "what are our values?", "what are our company values", "what is verdello's purpose?",
    "what are the values of verdello",
    "qual è la nostra missione?", "quali sono i nostri valori?",
])
def test_purpose_and_values_questions_are_never_gaps(company_services, question):
    answer = company_services.skill.answer(question)
    assert answer.answerable, f"{question!r}: {answer.text}"
    assert answer.citations[0].path.split("/")[-2] == "company"


def test_a_page_title_asked_as_a_question_is_never_a_gap(company_services):
    titles = {}
    for chunk in _snapshot(company_services).chunks:
        titles.setdefault(chunk.path, (chunk.title, chunk.language))
    held_back = []
    for path, (title, language) in sorted(titles.items()):
        for question in (title, f"{title}?"):
            answer = company_services.skill.answer(question, audience="managers", language=language)
            if not answer.answerable or answer.citations[0].path != path:
                held_back.append((question, answer.confidence, [c.path for c in answer.citations]))
    assert not held_back


def test_probes_search_the_pages_content_without_their_phrasings(company_services):
    searcher = company_services.skill.searcher
    phrasing = "Chi ha diritto ai buoni pasto?"  # one of the meal-voucher page's own phrasings, word for word
    with_phrasings = searcher.search(phrasing, SearchFilters(languages=("it",)))
    without = searcher.search(phrasing, SearchFilters(languages=("it",), phrasings=False))
    assert with_phrasings.hits[0].chunk.path == without.hits[0].chunk.path == "it/staff/buoni-pasto.md"
    assert with_phrasings.hits[0].dense_score > 0.95  # found itself (its indexed text also names the page)
    assert without.hits[0].dense_score < with_phrasings.hits[0].dense_score - 0.1, without.hits[0]  # the words only


def test_a_calibration_made_by_an_earlier_method_is_made_again(company_services, tmp_path):
    snapshot = _snapshot(company_services)
    store = CalibrationStore(tmp_path)
    stale = KnowledgeBaseCalibration.load(company_services.settings.calibration_dir
                                          / f"{FILE_PREFIX}{snapshot.name}.json")
    assert stale.method == CALIBRATION_METHOD
    stale.method, stale.shift = 1, 1.2
    store.write(stale)
    skill = company_services.skill
    redone = ensure_calibrated(snapshot, store, lambda texts, languages: [
        result for result, _ in skill.search_many(texts, "managers", languages, phrasings=False)], skill.answerability)
    assert redone.method == CALIBRATION_METHOD and redone.shift != 1.2
    assert store.get(snapshot.name) == redone
