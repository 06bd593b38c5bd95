"""Cross-lingual answers: an Italian question answered from an English page and an English one from an Italian page,
said so in the asker's language and quoted; own-language answers and gaps left alone; real models throughout."""

from __future__ import annotations

import shutil

import pytest

from assistant.access import visible_audiences
from assistant.retrieval.crosslingual import unit_rows
from connectors.app.services import build_services
from tests.conftest import KNOWLEDGE_DIR, make_settings


def test_an_italian_question_is_answered_from_the_english_page_that_alone_holds_the_answer(company_services):
    answer = company_services.skill.answer("sono malato da 5 giorni, serve il certificato medico?", language="it")

    assert answer.answerable and answer.source_language == "en"
    assert [citation.path for citation in answer.citations] == ["en/staff/sickness-absence.md"]
    first_line, quote = answer.text.split("\n", 1)
    assert first_line.startswith("La risposta è in una pagina in inglese")
    assert "Sickness absence" in first_line
    sickness_page = (KNOWLEDGE_DIR / "en/staff/sickness-absence.md").read_text(encoding="utf-8")
    quoted_words = quote.strip("“”").removesuffix(" …").split()
    assert " ".join(quoted_words[:8]) in " ".join(sickness_page.split()), "the quote is the page's own words"


def test_the_api_answer_names_the_source_language(assistant_service):
    from assistant.models import Message

    answer = assistant_service.handle(Message(text="sono malato da 5 giorni, serve il certificato medico?",
                                              asker="crosslingual-test", channel="api", language="it"))
    assert answer.source_language == "en" and not answer.gap
    assert answer.citations[0].path == "en/staff/sickness-absence.md"


@pytest.mark.parametrize(("question", "language", "page"), [
    ("how long does a customer have to return a lawnmower?", "en", "en/customers/returns.md"),
    ("in quanto tempo arriva il rimborso sulla carta di credito?", "it", "it/customers/rimborsi.md"),
])
def test_a_question_answered_in_its_own_language_stays_there(company_services, question, language, page):
    answer = company_services.skill.answer(question, language=language)
    assert answer.answerable and answer.source_language is None
    assert answer.citations[0].path == page


def test_a_question_nothing_answers_is_still_a_gap(company_services):
    answer = company_services.skill.answer("quando arriva la tredicesima?", language="it")
    assert not answer.answerable and answer.source_language is None
    assert "Non lo so ancora" in answer.text


def test_cross_lingual_search_only_returns_pages_the_asker_may_see(company_services):
    crosslingual = company_services.skill.crosslingual
    snapshot = company_services.index.snapshot()
    staff = visible_audiences("staff")
    for question in ("di quanto posso sforare il budget ore nel piano turni?",
                     "come supervisore fino a che importo posso autorizzare un rimborso?"):
        for result in crosslingual.search(question, staff, snapshot=snapshot):
            assert result.hits
            assert all(hit.passage.audience in staff for hit in result.hits)
            assert all(hit.passage.language == result.language for hit in result.hits)


def test_an_english_question_is_answered_from_a_page_that_exists_only_in_italian(tmp_path, embedder, redactor):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, knowledge)
    (knowledge / "en/orders/click-and-collect.md").unlink()  # its Italian version stays: now Italian-only
    services = build_services(make_settings(tmp_path / "data", knowledge_dir=knowledge), embedder=embedder,
                              redactor=redactor)
    try:
        services.ingestor().ingest(knowledge)
        assert services.warm_crosslingual() > 0
        answer = services.skill.answer("the customer can't come, can someone else pick up their click and collect "
                                       "order for them?", language="en")
    finally:
        services.close()

    assert answer.answerable and answer.source_language == "it"
    assert answer.citations[0].path == "it/orders/ritiro-in-negozio.md"
    assert answer.text.startswith("The answer is on a page in Italian")


def test_a_one_language_knowledge_base_gets_no_multilingual_index(tmp_path, embedder, redactor):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR / "en", knowledge / "en")
    services = build_services(make_settings(tmp_path / "data", knowledge_dir=knowledge), embedder=embedder,
                              redactor=redactor)
    try:
        services.ingestor().ingest(knowledge)
        assert services.warm_crosslingual() == 0
        answer = services.skill.answer("quando arriva la tredicesima?", language="it")
    finally:
        services.close()
    assert answer.source_language is None


def test_crosslingual_can_be_switched_off(tmp_path, company_services):
    services = build_services(make_settings(tmp_path, crosslingual=False), embedder=company_services.embedder,
                              redactor=company_services.redactor)
    try:
        assert services.skill.crosslingual is None
    finally:
        services.close()


def test_units_are_passages_windows_and_questions_only(company_services):
    snapshot = company_services.index.snapshot()
    kinds = {snapshot.chunks[int(row)].kind for row in unit_rows(snapshot)}
    assert kinds <= {"section", "window", "question"} and "section" in kinds and "window" in kinds


@pytest.mark.parametrize("message", ["ciao!", "grazie"])
def test_a_one_word_message_is_never_answered_across_languages(company_services, message):
    assert company_services.skill.answer(message, language="it").source_language is None
