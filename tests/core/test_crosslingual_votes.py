"""Votes teach cross-lingual answers: the vote prior in the multilingual space, with the real e5 model, the demo
knowledge's index and a real SQLite interaction store.

At the centre is an Italian question whose answer is on an English page that cross-lingual search places a hair
behind another English page: "il cliente vuole cambiare un articolo in saldo con uno a prezzo pieno, come faccio?"
puts the price-match page just above the exchanges page (a fixture below checks that this still holds). Colleagues
who asked the same thing found the exchanges page helpful.
"""

from __future__ import annotations

import pytest

from assistant.access import visible_audiences
from assistant.answering.vote_prior import MULTILINGUAL_SIMILARITY_FLOOR, VotePrior
from assistant.insights.question_vectors import StoredQuestionEmbedder
from assistant.models import Message
from assistant.retrieval.crosslingual import CrosslingualResult
from assistant.skills.page_answers import PageAnswerSkill
from connectors.app.services import build_services
from tests.conftest import make_settings
from tests.support.votes import vote_store, voted

QUESTION = "il cliente vuole cambiare un articolo in saldo con uno a prezzo pieno, come faccio?"
ASKED_BEFORE = "come faccio se il cliente vuole cambiare un articolo in saldo con uno a prezzo pieno?"
LEADER = "en/customers/price-match.md"
"""First among the English pages for `QUESTION` without votes."""
VOTED_UP = "en/customers/exchanges.md"
"""A hair behind `LEADER`, and the page that answers."""
UNRELATED = "quanti giorni di ferie mi spettano quest'anno?"
AUDIENCE = "managers"


@pytest.fixture
def store(tmp_path):
    with vote_store(tmp_path, salt="crosslingual-votes") as opened:
        yield opened


@pytest.fixture
def prior(store, company_services) -> VotePrior:
    return VotePrior(store, StoredQuestionEmbedder(company_services.multilingual, store),
                     floor=MULTILINGUAL_SIMILARITY_FLOOR)


def english_pages(company_services, text: str) -> CrosslingualResult:
    searcher = company_services.skill.crosslingual
    results = searcher.search(text, visible_audiences(AUDIENCE), asked_in="it")
    return next(result for result in results if result.language == "en")


@pytest.fixture
def level_english(company_services) -> CrosslingualResult:
    result = english_pages(company_services, QUESTION)
    assert [hit.passage.path for hit in result.hits[:2]] == [LEADER, VOTED_UP], "the premise of these tests"
    assert result.hits[0].rank_score - result.hits[1].rank_score < 0.01
    assert result.query_vector is not None
    return result


def voting_skill(company_services, prior: VotePrior) -> PageAnswerSkill:
    skill = company_services.skill.without_votes()
    return PageAnswerSkill(skill.searcher, skill.answerability, calibrations=skill.calibrations,
                           crosslingual=skill.crosslingual, crosslingual_votes=prior)


def test_helpful_votes_on_a_similar_italian_question_move_the_english_page_up(store, prior, level_english):
    assert prior.rerank_across(level_english) is level_english  # no votes yet
    for asker in ("U1", "U2"):
        voted(store, ASKED_BEFORE, VOTED_UP, helpful=True, asker=asker)
    assert prior.refresh() == 2

    reranked = prior.rerank_across(level_english)

    assert reranked.hits[0].passage.path == VOTED_UP
    cosines = {hit.passage.path: hit.score for hit in level_english.hits}
    assert {hit.passage.path: hit.score for hit in reranked.hits} == cosines  # votes never change a cosine
    gained = reranked.hits[0].rank_score - next(hit.rank_score for hit in level_english.hits
                                                if hit.passage.path == VOTED_UP)
    assert 0 < gained < prior.bound


def test_votes_on_an_unrelated_question_change_nothing(store, prior, company_services):
    voted(store, UNRELATED, VOTED_UP, helpful=True, asker="U1")
    voted(store, UNRELATED, LEADER, helpful=False, asker="U2")
    prior.refresh()
    result = english_pages(company_services, QUESTION)

    assert prior.rerank_across(result) is result


def test_the_skill_answers_across_languages_from_the_page_the_votes_prefer(store, prior, company_services):
    skill = voting_skill(company_services, prior)
    before = skill.answer(QUESTION, AUDIENCE, "it")
    assert before.answerable and before.citations[0].path == LEADER and before.source_language == "en"
    voted(store, ASKED_BEFORE, LEADER, helpful=False, asker="U1")
    voted(store, ASKED_BEFORE, VOTED_UP, helpful=True, asker="U2")
    prior.refresh()

    after = skill.answer(QUESTION, AUDIENCE, "it")

    assert after.answerable and after.citations[0].path == VOTED_UP and after.source_language == "en"
    assert skill.without_votes().answer(QUESTION, AUDIENCE, "it").citations[0].path == LEADER


def test_votes_from_the_channels_teach_the_pipeline_s_cross_lingual_answers(tmp_path, company_services, embedder,
                                                                            redactor):
    settings = make_settings(company_services.settings.data_dir, database_url=f"sqlite:///{tmp_path / 'v.db'}")
    services = build_services(settings, embedder=embedder, redactor=redactor)
    try:
        assert services.crosslingual_vote_prior is not None
        assert services.crosslingual_vote_prior.floor == MULTILINGUAL_SIMILARITY_FLOOR
        for number, channel in enumerate(("slack", "teams", "api")):
            answer = services.assistant.handle(Message(QUESTION, asker=f"U{number}", channel=channel,
                                                       audience=AUDIENCE))
            assert answer.citations[0].path == LEADER
            services.assistant.record_feedback(answer.answer_id, helpful=False)
        assert services.refresh_votes() == 3

        answer = services.assistant.handle(Message(QUESTION, asker="U9", channel="slack", audience=AUDIENCE))

        assert answer.citations[0].path == VOTED_UP
    finally:
        services.close()


def test_no_vote_prior_means_no_cross_lingual_one_either(tmp_path, embedder, redactor):
    for overrides in ({"vote_prior_bound": 0.0}, {"crosslingual": False}):
        services = build_services(make_settings(tmp_path, **overrides), embedder=embedder, redactor=redactor)
        try:
            assert services.crosslingual_vote_prior is None
            assert services.refresh_votes() == 0
        finally:
            services.close()
