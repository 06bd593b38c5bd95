"""Cross-lingual answers: an Italian question answered from an English page and an English one from an Italian page,
said so in the asker's language and quoted; own-language answers left alone; held-back replies suggesting the other
language's nearest pages, marked with their language in every channel; real models throughout."""

from __future__ import annotations

import shutil

import httpx
import pytest

from assistant.access import visible_audiences
from assistant.answering.crosslingual_answer import (
    OVERRULING_LEAD,
    PHRASING_MIN_SCORE,
    CrosslingualChoice,
    choose,
    scores_as_a_paraphrase,
)
from assistant.models import Answer, Citation, GapReason, Route
from assistant.retrieval.crosslingual import unit_rows
from assistant.skills.page_answers import PageAnswer, overruling_choice
from benchmarks.standins.app_server import AppServer
from connectors.app.services import build_services
from connectors.channels.http.app import create_app
from connectors.channels.slack.blocks import source_blocks
from connectors.channels.slack.shown import answer_from_json, answer_json
from connectors.channels.teams.cards import answer_card
from connectors.channels.web.views import AnswerView
from tests.conftest import KNOWLEDGE_DIR, make_settings


def test_an_italian_question_is_answered_from_the_english_page_that_alone_holds_the_answer(company_services):
    answer = company_services.skill.answer("sono malato da 5 giorni, serve il certificato medico?", language="it")

    assert answer.answerable and answer.source_language == "en"
    assert [citation.path for citation in answer.citations] == ["en/staff/sickness-absence.md"]
    first_line, quote = answer.text.split("\n", 1)
    assert first_line.startswith("La risposta è in una pagina in inglese")
    assert "Sickness absence" in first_line
    # The page's own words, as its passages hold them (without Markdown emphasis).
    sickness_page = (KNOWLEDGE_DIR / "en/staff/sickness-absence.md").read_text(encoding="utf-8").replace("**", "")
    quoted_words = quote.strip("“”").removesuffix(" …").split()
    assert " ".join(quoted_words[:8]) in " ".join(sickness_page.split()), "the quote is the page's own words"


def test_a_page_whose_phrasing_and_own_text_both_lead_answers_under_the_paraphrase_score(company_services):
    question = "a che ora chiudiamo la vigilia di natale?"
    index = company_services.skill.crosslingual.index_for(company_services.index.snapshot())
    results = company_services.skill.crosslingual.search(question, visible_audiences("staff"), asked_in="it")
    english = next(result for result in results if result.language == "en")
    hit = english.hits[0]
    assert hit.passage.path == "en/stores/opening-hours-and-holidays.md"
    assert hit.unit is not None and hit.unit.kind == "question" and hit.score < PHRASING_MIN_SCORE
    assert hit.text_leads and not any(other.text_leads for other in english.hits[1:])
    assert index is not None

    answer = company_services.skill.answer(question, language="it")
    assert answer.answerable and answer.source_language == "en"
    assert answer.citations[0].path == "en/stores/opening-hours-and-holidays.md"


def test_a_page_far_ahead_in_another_language_replaces_an_answer_the_own_language_gives_anyway(company_services):
    question = "il cliente vuole cambiare il giorno di consegna della casetta, quanto prima deve dirlo?"
    never_compared = company_services.skill.with_crosslingual(None).answer(question, language="it")
    assert never_compared.answerable and never_compared.citations[0].path.startswith("it/")
    results = company_services.skill.crosslingual.search(question, visible_audiences("staff"), asked_in="it")
    own = next(result for result in results if result.language == "it")
    choice = choose(own, [result for result in results if result.language != "it"], "it")
    # The English page fails the paraphrase gate, so on its own it would not answer across languages.
    assert choice.hit.passage.path == "en/orders/large-item-delivery.md"
    assert not scores_as_a_paraphrase(choice.hit) and not choice.answers
    assert choice.lead >= OVERRULING_LEAD

    answer = company_services.skill.answer(question, language="it")
    assert answer.answerable and answer.source_language == "en"
    assert answer.citations[0].path == "en/orders/large-item-delivery.md"
    assert 'La risposta è in una pagina in inglese, "Large and bulky item delivery"' in answer.text
    assert "Rebooking is free if done at least 48 hours" in answer.text
    # As sure as the own-language answer it replaces, not as the lead alone would say.
    assert answer.confidence == never_compared.confidence < choice.confidence
    assert answer.features["crosslingual_overruled"] == 1.0


def test_only_an_own_language_answer_from_another_page_not_named_by_the_question_is_overruled(company_services):
    question = "il cliente vuole cambiare il giorno di consegna della casetta, quanto prima deve dirlo?"
    results = company_services.skill.crosslingual.search(question, visible_audiences("staff"), asked_in="it")
    own = next(result for result in results if result.language == "it")
    searched = (own, [result for result in results if result.language != "it"])
    italian = [Citation(title="Consegna", path="it/orders/consegna.md", section="", score=0.7)]
    english = [Citation(title="Large and bulky item delivery", path="en/orders/large-item-delivery.md", section="",
                        score=0.7)]

    def own_reply(answerable: bool, citations: list[Citation], **features: float) -> PageAnswer:
        return PageAnswer(text="…", citations=citations, confidence=0.7, answerable=answerable, features=features)

    chosen = overruling_choice(own_reply(True, italian), searched)
    assert chosen is not None and chosen.hit.passage.path == "en/orders/large-item-delivery.md"
    assert overruling_choice(own_reply(False, italian), searched) is None, "a held-back reply stays held back"
    assert overruling_choice(own_reply(True, italian, heading_match=1.0), searched) is None
    assert overruling_choice(own_reply(True, english), searched) is None, "already that page"
    assert overruling_choice(own_reply(True, italian), None) is None


@pytest.mark.parametrize(("question", "page"), [
    ("regalo preso il 10 dicembre, fino a quando il cliente può riportarlo?", "it/customers/resi.md"),
    ("un signore mi ha portato 15 lampade solari tutte insieme da buttare, che faccio?", "it/stores/ritiro-raee.md"),
])
def test_an_own_language_answer_stays_when_the_other_languages_page_is_not_far_ahead(company_services, question,
                                                                                      page):
    results = company_services.skill.crosslingual.search(question, visible_audiences("managers"), asked_in="it")
    own = next(result for result in results if result.language == "it")
    choice = choose(own, [result for result in results if result.language != "it"], "it")
    assert choice.lead > 0 and not choice.answers and not choice.overrules

    answer = company_services.skill.answer(question, audience="managers", language="it")
    assert answer.answerable and answer.source_language is None and answer.citations[0].path == page


def test_a_choice_overrules_from_the_overruling_lead(company_services):
    results = company_services.skill.crosslingual.search("quanto dura la formazione dei nuovi assunti?",
                                                         visible_audiences("staff"), asked_in="it")
    english = next(result for result in results if result.language == "en")
    at = CrosslingualChoice(english.hits[0], english, OVERRULING_LEAD)
    under = CrosslingualChoice(english.hits[0], english, OVERRULING_LEAD - 0.001)
    assert at.overrules and not under.overrules


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


# Cross-lingual suggestions on held-back replies. The questions were written for these tests (not taken from
# crosslingual_dev.jsonl or crosslingual_questions.jsonl); measured 2026-12-04 with phrasings on every demo page: the
# Italian one is held back (answerability about 0.43) when pages are ranked by the cosine alone, with the English
# complaints page among its suggestions (ranked with the words it shares with that page's Italian phrasings, it is
# answered from that page); the English one is answered from the Italian meal-voucher page.
HELD_BACK_IT = "un cliente non è contento e vuole fare reclamo scritto, cosa faccio?"
ANSWERED_IN_ITALIAN = "do colleagues in Italy get meal vouchers?"


def _suggested(answer) -> list[tuple[str, str]]:
    return [(citation.path, citation.language) for citation in answer.citations if citation.language]


@pytest.fixture(scope="module")
def cosine_only_skill(company_services):
    """The company skill with cross-lingual pages ranked by the multilingual cosine alone (no word evidence)."""
    return company_services.skill.with_crosslingual(company_services.skill.crosslingual.with_word_weight(0.0))


def test_words_shared_with_a_pages_phrasings_answer_what_the_cosine_alone_held_back(company_services,
                                                                                     cosine_only_skill):
    assert not cosine_only_skill.answer(HELD_BACK_IT, language="it").answerable
    answer = company_services.skill.answer(HELD_BACK_IT, language="it")
    assert answer.answerable and answer.source_language == "en"
    assert answer.citations[0].path == "en/customers/complaints-and-escalation.md"


def test_a_held_back_italian_question_suggests_the_english_page_and_says_it_is_in_english(cosine_only_skill):
    answer = cosine_only_skill.answer(HELD_BACK_IT, language="it")

    assert not answer.answerable and answer.source_language is None
    assert ("en/customers/complaints-and-escalation.md", "en") in _suggested(answer)
    assert len(_suggested(answer)) <= 3
    assert all(language == "en" for _, language in _suggested(answer))
    assert answer.text.startswith("Non lo so ancora")
    assert "in inglese e potrebbero" in answer.text and "Complaints" in answer.text
    # The own-language nearest page, when there is one, stays first and unmarked, as before.
    assert answer.citations[0].language is None or answer.citations[0].path.startswith("en/")


def test_an_english_question_answered_from_an_italian_page_says_the_page_is_in_italian(company_services):
    answer = company_services.skill.answer(ANSWERED_IN_ITALIAN, language="en")

    assert answer.answerable and answer.source_language == "it"
    assert answer.citations[0].path == "it/staff/buoni-pasto.md"
    assert answer.text.startswith('The answer is on a page in Italian, "Buoni pasto":')


def test_a_single_language_answer_never_says_which_language_its_page_is_in(company_services):
    answer = company_services.skill.answer("How many days does a customer have to return an item?", language="en")

    assert answer.answerable and answer.source_language is None
    assert not answer.text.startswith("The answer is on a page")


@pytest.mark.parametrize("question", [
    "do i have to wear a name badge",  # held back; its Italian twin scored through a weak phrasing
    "What is the wifi password for the staff canteen TV?",  # nothing anywhere: under the suggestion floor
    "how long does a customer have to return a lawnmower?",  # answered: suggestions are for held-back replies
])
def test_an_english_question_over_english_knowledge_gets_no_crosslingual_suggestions(company_services, question):
    answer = company_services.skill.answer(question, language="en")
    assert _suggested(answer) == []
    assert "Italian" not in answer.text


def test_without_suggestions_the_held_back_reply_is_as_before(cosine_only_skill):
    plain = cosine_only_skill.without_crosslingual_suggestions().answer(HELD_BACK_IT, language="it")
    assert not plain.answerable and _suggested(plain) == []
    assert "inglese" not in plain.text


def test_the_http_answer_body_carries_the_suggestions_and_the_gap_lists_them(company_services, monkeypatch):
    monkeypatch.setattr(company_services.skill.crosslingual, "word_weight", 0.0)  # held back by the cosine alone
    with AppServer(create_app(company_services.api_ports())) as base_url, \
            httpx.Client(base_url=base_url, timeout=30) as client:
        body = client.post("/v1/ask", json={"text": HELD_BACK_IT, "language": "it",
                                            "user": "crosslingual-suggestions"}).json()
        assert body["gap"] is True and body["gap_reason"] in {"low_confidence", "no_answer"}
        assert body["source_language"] is None
        suggested = [citation for citation in body["citations"] if citation["language"]]
        assert "en/customers/complaints-and-escalation.md" in [citation["path"] for citation in suggested]
        assert {citation["language"] for citation in suggested} == {"en"}
        assert all(set(citation) >= {"title", "path", "section", "score", "url"} for citation in body["citations"])
        assert "in inglese e potrebbero" in body["answer"]

        company_services.recorder.flush()
        gaps = client.get("/v1/gaps").json()["gaps"]
    [gap] = [gap for gap in gaps if gap["answer_id"] == body["id"]]
    assert "en/customers/complaints-and-escalation.md" in gap["crosslingual_suggestions"]
    assert gap["nearest_path"] is None or not gap["nearest_path"].startswith("en/")


def test_every_channel_marks_a_suggested_page_with_its_language():
    citations = [Citation("Missione e valori", "it/company/missione-e-valori.md", "", 0.31),
                 Citation("Health and safety: accidents", "en/stores/health-and-safety-accidents.md", "", 0.86,
                          language="en")]
    answer = Answer(text="Non lo so ancora …", route=Route.KNOWLEDGE, confidence=0.25, citations=citations,
                    gap=True, gap_reason=GapReason.LOW_CONFIDENCE)

    slack = source_blocks(answer.citations, answer.citations_heading)[0]["elements"]
    assert [element["text"] for element in slack[1:]] == ["Missione e valori", "Health and safety: accidents (EN)"]
    card_texts = [block.get("text") for block in answer_card(answer)["body"]]
    assert "Health and safety: accidents (EN)" in card_texts and "Missione e valori" in card_texts
    assert [source.language for source in AnswerView.of("q", answer).sources] == [None, "en"]
    assert answer_from_json(answer_json(answer)).citations == citations


def test_a_page_only_in_italian_overrules_a_confident_english_answer_from_a_page_that_merely_shares_words(
        company_services):
    # The English search answers this confidently from the expenses page ("card", "pay"); the Italian
    # meal-voucher page leads it in the multilingual space by more than CONFIDENT_NATIVE_LEAD.
    question = "can I use my meal voucher card to pay for my shopping at Verdello?"
    never_compared = company_services.skill.with_crosslingual(None).answer(question, language="en")
    assert never_compared.answerable and never_compared.citations[0].path == "en/staff/expenses.md"

    answer = company_services.skill.answer(question, language="en")
    assert answer.answerable and answer.source_language == "it"
    assert answer.citations[0].path == "it/staff/buoni-pasto.md"
    assert answer.text.startswith('The answer is on a page in Italian, "Buoni pasto":')


@pytest.mark.parametrize("question", [
    "How many days does a customer have to return an item?",
    "how many days of annual leave do I get?",  # its Italian translation, ferie, is never offered to English askers
])
def test_a_confident_english_answer_with_an_english_page_stays_english(company_services, question):
    answer = company_services.skill.answer(question, language="en")
    assert answer.answerable and answer.source_language is None and answer.citations[0].path.startswith("en/")
