"""The vote prior with real parts: the MiniLM model, the demo knowledge's index and a real SQLite interaction store.

The question at the centre is one search ranks two pages nearly level for, and either could answer: "il cliente rende
un articolo consegnato a casa, chi paga la consegna?" puts the delivery page a hair above the returns page (a fixture
below checks that this still holds); the votes say colleagues found the returns page helpful.
"""

from __future__ import annotations

import pytest

from assistant.answering.vote_prior import DEFAULT_BOUND, VotePrior
from assistant.insights.question_vectors import StoredQuestionEmbedder
from assistant.models import Message
from assistant.retrieval.search import SearchResult
from assistant.skills.page_answers import PageAnswerSkill
from connectors.app.services import build_services
from tests.conftest import make_settings
from tests.support.votes import vote_store, voted

QUESTION = "un ordine consegnato a casa è arrivato rotto, il cliente vuole i soldi indietro"
ASKED_BEFORE = "il cliente vuole i soldi indietro per un ordine arrivato rotto a casa"  # how colleagues asked it
LEADER = "it/orders/consegna.md"
"""First for `QUESTION` without votes."""
UPVOTED = "it/orders/ritiro-in-negozio.md"
"""A hair behind `LEADER`; the page the votes prefer."""
UNRELATED = "how long does a customer have to return a lawnmower?"
AUDIENCE = "managers"


@pytest.fixture
def store(tmp_path):
    with vote_store(tmp_path, salt="vote-prior") as opened:
        yield opened


@pytest.fixture
def prior(store, embedder) -> VotePrior:
    return VotePrior(store, StoredQuestionEmbedder(embedder, store))


def search(company_services, text: str, language: str) -> SearchResult:
    result, _ = company_services.skill.search(text, AUDIENCE, language)
    return result


def scores(result: SearchResult) -> dict[str, float]:
    return {hit.chunk.path: hit.score for hit in result.hits}


@pytest.fixture
def level_result(company_services) -> SearchResult:
    result = search(company_services, QUESTION, "it")
    assert [hit.chunk.path for hit in result.hits[:2]] == [LEADER, UPVOTED], "the premise of these tests"
    assert result.hits[0].score - result.hits[1].score < 0.01
    return result


def test_with_no_votes_nothing_changes(prior, level_result):
    assert prior.rerank(level_result) is level_result
    assert prior.adjustments(level_result.query_vector, [UPVOTED, LEADER]) == {}


def test_helpful_votes_on_a_similar_question_move_its_page_up(store, prior, level_result):
    for asker in ("U1", "U2"):
        voted(store, ASKED_BEFORE, UPVOTED, helpful=True, asker=asker)
    prior.refresh()

    reranked = prior.rerank(level_result)

    assert reranked.hits[0].chunk.path == UPVOTED
    raised = scores(reranked)[UPVOTED] - scores(level_result)[UPVOTED]
    assert 0.01 < raised < DEFAULT_BOUND
    assert scores(reranked)[LEADER] == scores(level_result)[LEADER]  # no vote spoke about it
    assert {hit.chunk.path for hit in reranked.hits} == {hit.chunk.path for hit in level_result.hits}


def test_not_helpful_votes_push_their_page_down(store, prior, level_result):
    for asker in ("U1", "U2"):
        voted(store, ASKED_BEFORE, LEADER, helpful=False, asker=asker)
    prior.refresh()

    reranked = prior.rerank(level_result)

    assert reranked.hits[0].chunk.path == UPVOTED
    assert scores(reranked)[LEADER] < scores(level_result)[LEADER] - 0.01


def test_an_unrelated_question_is_unaffected(store, prior, company_services):
    for asker in ("U1", "U2", "U3"):
        voted(store, ASKED_BEFORE, UPVOTED, helpful=True, asker=asker)
        voted(store, ASKED_BEFORE, LEADER, helpful=False, asker=asker)
    prior.refresh()
    unrelated = search(company_services, UNRELATED, "en")

    assert prior.rerank(unrelated) is unrelated


def test_the_bound_holds_however_many_votes_agree(store, prior, level_result):
    for number in range(150):
        voted(store, QUESTION, UPVOTED, helpful=True, asker=f"U{number}")
        voted(store, QUESTION, LEADER, helpful=False, asker=f"U{number}")
    prior.refresh()

    found = prior.adjustments(level_result.query_vector, [UPVOTED, LEADER])

    assert 0.95 * DEFAULT_BOUND < found[UPVOTED] < DEFAULT_BOUND
    assert -DEFAULT_BOUND < found[LEADER] < -0.95 * DEFAULT_BOUND


def test_one_asker_counts_once_per_page_and_a_changed_vote_replaces_the_first(store, prior, level_result):
    voted(store, ASKED_BEFORE, UPVOTED, helpful=True, asker="U1")
    prior.refresh()
    once = prior.adjustments(level_result.query_vector, [UPVOTED])[UPVOTED]
    for _ in range(10):
        voted(store, ASKED_BEFORE, UPVOTED, helpful=True, asker="U1")
    prior.refresh()
    assert prior.adjustments(level_result.query_vector, [UPVOTED])[UPVOTED] == pytest.approx(once)

    changed = voted(store, QUESTION, UPVOTED, helpful=True, asker="U9")
    store.record_feedback(changed, helpful=False)
    prior.refresh()
    # U9's turn is the closest to the question and now says "not helpful": it cancels U1's vote.
    assert prior.adjustments(level_result.query_vector, [UPVOTED])[UPVOTED] < 0


def test_votes_for_a_page_that_no_longer_exists_are_ignored(store, prior, level_result):
    for asker in ("U1", "U2"):
        voted(store, ASKED_BEFORE, UPVOTED, helpful=True, asker=asker)
    prior.refresh()
    before = prior.rerank(level_result)
    for asker in ("U3", "U4", "U5"):
        voted(store, QUESTION, "it/orders/consegna-vecchia.md", helpful=True, asker=asker)
    prior.refresh()

    after = prior.rerank(level_result)

    assert prior.voted_turns == 5
    assert [hit.chunk.path for hit in after.hits] == [hit.chunk.path for hit in before.hits]
    # More rows in the float32 vote matrix may change the rounding of a sum, never more than that.
    assert [hit.score for hit in after.hits] == pytest.approx([hit.score for hit in before.hits], abs=1e-6)


def test_votes_count_only_after_a_refresh_and_the_matrix_keeps_the_most_recent(store, embedder, level_result):
    prior = VotePrior(store, StoredQuestionEmbedder(embedder, store), max_turns=2)
    voted(store, ASKED_BEFORE, LEADER, helpful=True, asker="U1")  # the oldest: falls out of the two kept
    prior.refresh()
    assert prior.adjustments(level_result.query_vector, [LEADER])[LEADER] > 0
    for asker in ("U2", "U3"):
        voted(store, ASKED_BEFORE, UPVOTED, helpful=True, asker=asker)
    assert UPVOTED not in prior.adjustments(level_result.query_vector, [UPVOTED, LEADER])

    assert prior.refresh() == 2
    assert set(prior.adjustments(level_result.query_vector, [UPVOTED, LEADER])) == {UPVOTED}


def test_the_skill_answers_from_the_page_the_votes_prefer(store, prior, company_services):
    skill = company_services.skill
    voting = PageAnswerSkill(skill.searcher, skill.answerability, votes=prior, calibrations=skill.calibrations,
                             crosslingual=skill.crosslingual)
    assert skill.answer(QUESTION, AUDIENCE, "it").hits[0].chunk.path == LEADER
    for asker in ("U1", "U2"):
        voted(store, ASKED_BEFORE, UPVOTED, helpful=True, asker=asker)
    prior.refresh()

    answer = voting.answer(QUESTION, AUDIENCE, "it")

    assert answer.hits[0].chunk.path == UPVOTED
    assert answer.confidence == skill.answer(QUESTION, AUDIENCE, "it").confidence  # votes order, never decide


def test_a_bound_of_zero_turns_the_prior_off(store, embedder, level_result):
    prior = VotePrior(store, StoredQuestionEmbedder(embedder, store), bound=0.0)
    voted(store, QUESTION, UPVOTED, helpful=True, asker="U1")
    prior.refresh()

    assert prior.rerank(level_result) is level_result


def test_votes_from_every_channel_reorder_the_pipeline_s_answers(tmp_path, company_services, embedder, redactor):
    # The demo index the session built, with a store of its own: what `build_services` wires from settings.
    settings = make_settings(company_services.settings.data_dir, database_url=f"sqlite:///{tmp_path / 'v.db'}")
    services = build_services(settings, embedder=embedder, redactor=redactor)
    try:
        assert services.skill.answer(QUESTION, AUDIENCE, "it").hits[0].chunk.path == LEADER
        for number, channel in enumerate(("slack", "teams", "api")):
            answer = services.assistant.handle(Message(QUESTION, asker=f"U{number}", channel=channel,
                                                       audience=AUDIENCE))
            assert answer.citations[0].path == LEADER
            services.assistant.record_feedback(answer.answer_id, helpful=False)
        assert services.vote_prior is not None and services.vote_prior.refresh() == 3

        answer = services.assistant.handle(Message(QUESTION, asker="U9", channel="slack", audience=AUDIENCE))

        assert answer.citations[0].path == UPVOTED
    finally:
        services.close()


def test_a_bound_of_zero_in_the_settings_builds_no_prior(tmp_path, embedder, redactor):
    services = build_services(make_settings(tmp_path, vote_prior_bound=0.0), embedder=embedder, redactor=redactor)
    try:
        assert services.vote_prior is None
    finally:
        services.close()


def test_a_refresh_embeds_at_most_its_share_of_new_questions(store, embedder, level_result):
    prior = VotePrior(store, StoredQuestionEmbedder(embedder, store), new_per_refresh=2)
    for number, text in enumerate((QUESTION, ASKED_BEFORE, "quanto costa la consegna rapida?")):
        voted(store, text, UPVOTED, helpful=True, asker=f"U{number}")

    assert prior.refresh() == 2  # the third question waits for the next refresh
    assert prior.refresh() == 3
