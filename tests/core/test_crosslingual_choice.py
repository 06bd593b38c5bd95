"""The cross-lingual decision on its own: another language's page stands level with the own language's best despite
the same-language bonus, unless it scored with a phrasing written in the asker's language, which has no handicap."""

from __future__ import annotations

import pytest

from assistant.answering.crosslingual_answer import (
    AGREEING_MIN_SCORE,
    MIN_LEAD,
    PHRASING_MIN_LEAD,
    PHRASING_MIN_SCORE,
    choose,
    suggestions,
)
from assistant.models import Chunk
from assistant.retrieval.crosslingual import CrosslingualHit, CrosslingualResult, unit_language


def chunk(kind: str, text: str, language: str, path: str) -> Chunk:
    return Chunk(chunk_id=f"{path}#{kind}", path=path, title="Page", section="", text=text, content_hash="x",
                 language=language, kind=kind)


def result(language: str, score: float, unit: Chunk | None, text_leads: bool = False) -> CrosslingualResult:
    passage = chunk("section", "Text of the page.", language, f"{language}/page.md")
    return CrosslingualResult([CrosslingualHit(passage, passage, score, unit=unit or passage, text_leads=text_leads)],
                              language)


ITALIAN_PAGE = result("it", 0.890, None)


@pytest.mark.parametrize(("unit", "min_lead"), [
    (None, MIN_LEAD),  # the English passage itself
    (chunk("window", "Refunds go back to the card.", "en", "en/page.md"), MIN_LEAD),
    (chunk("question", "How long does a card refund take?", "en", "en/page.md"), MIN_LEAD),
    (chunk("question", "Quanto tempo ci vuole per il rimborso sulla carta?", "en", "en/page.md"), PHRASING_MIN_LEAD),
])
def test_only_a_phrasing_in_the_askers_language_must_lead_outright(unit, min_lead):
    choice = choose(ITALIAN_PAGE, [result("en", 0.880, unit)], "it")
    assert choice is not None and choice.min_lead == min_lead
    assert choice.lead == pytest.approx(-0.01)
    assert choice.answers == (min_lead == MIN_LEAD), "level within the bonus answers only across the language gap"


def test_a_phrasing_in_the_askers_language_that_leads_outright_answers():
    phrasing = chunk("question", "Quanto tempo ci vuole per il rimborso sulla carta?", "en", "en/page.md")
    choice = choose(ITALIAN_PAGE, [result("en", 0.900, phrasing)], "it")
    assert choice.answers and choice.confidence > 0.5


def test_without_the_askers_language_the_own_results_language_is_used():
    phrasing = chunk("question", "Quanto tempo ci vuole per il rimborso sulla carta?", "en", "en/page.md")
    assert choose(ITALIAN_PAGE, [result("en", 0.885, phrasing)]).min_lead == PHRASING_MIN_LEAD


@pytest.mark.parametrize("language", ["it", "en"])
def test_a_phrasing_at_the_off_topic_noise_floor_never_answers_however_far_it_leads(language):
    off_topic = result("en", 0.800, None)
    text = "Dove posso usare la carta pasto?" if language == "it" else "Where can I use the card?"
    phrasing = chunk("question", text, "it", "it/page.md")
    below = choose(off_topic, [result("it", PHRASING_MIN_SCORE - 0.005, phrasing)], "en")
    assert below is not None and below.lead > PHRASING_MIN_LEAD and not below.answers
    at_floor = choose(off_topic, [result("it", PHRASING_MIN_SCORE, phrasing)], "en")
    assert at_floor is not None and at_floor.answers


def test_a_phrasing_under_the_paraphrase_score_answers_when_the_pages_own_text_leads_too():
    own = result("it", 0.790, None)
    phrasing = chunk("question", "A che ora chiude il negozio a Natale?", "it", "en/page.md")
    score = PHRASING_MIN_SCORE - 0.01
    alone = choose(own, [result("en", score, phrasing)], "it")
    agreed = choose(own, [result("en", score, phrasing, text_leads=True)], "it")
    assert alone is not None and not alone.answers
    assert agreed is not None and agreed.answers
    below_floor = choose(own, [result("en", AGREEING_MIN_SCORE - 0.005, phrasing, text_leads=True)], "it")
    assert below_floor is not None and below_floor.lead > PHRASING_MIN_LEAD and not below_floor.answers


def test_agreement_does_not_excuse_a_phrasing_that_does_not_lead():
    phrasing = chunk("question", "A che ora chiude il negozio a Natale?", "it", "en/page.md")
    behind = choose(result("it", 0.850, None), [result("en", 0.850, phrasing, text_leads=True)], "it")
    assert behind is not None and behind.lead < PHRASING_MIN_LEAD and not behind.answers


def test_a_passage_needs_no_paraphrase_score_only_its_lead():
    passage_choice = choose(result("en", 0.800, None), [result("it", 0.810, None)], "en")
    assert passage_choice is not None and passage_choice.hit.score < PHRASING_MIN_SCORE and passage_choice.answers


def test_a_phrasing_under_the_paraphrase_score_is_not_suggested_a_passage_is():
    own = result("en", 0.848, None)
    phrasing = chunk("question", "Cosa mi dà Verdello come divisa?", "it", "it/phrased.md")
    passage = chunk("section", "Testo della pagina.", "it", "it/passage.md")
    others = [CrosslingualResult([CrosslingualHit(phrasing, phrasing, 0.830, unit=phrasing),
                                  CrosslingualHit(passage, passage, 0.825, unit=passage)], "it")]
    assert [hit.passage.path for hit in suggestions(own, others)] == ["it/passage.md"]


@pytest.mark.parametrize(("unit", "language"), [
    (chunk("section", "Quanto tempo ci vuole per il rimborso sulla carta?", "en", "en/page.md"), "en"),
    (chunk("question", "Quanto tempo ci vuole per il rimborso sulla carta?", "en", "en/page.md"), "it"),
    (chunk("question", "How long does a card refund take?", "it", "it/page.md"), "en"),
    (chunk("question", "Verdello Pro 3000", "it", "it/page.md"), "it"),  # nothing to guess from: the page's language
])
def test_a_phrasing_is_in_the_language_of_its_words_other_units_in_their_pages(unit, language):
    assert unit_language(unit) == language


def fused(language: str, cosine: float, fused_score: float) -> CrosslingualResult:
    passage = chunk("section", "Text of the page.", language, f"{language}/page.md")
    return CrosslingualResult([CrosslingualHit(passage, passage, cosine, unit=passage, fused=fused_score)], language)


def test_languages_are_compared_by_the_fused_score_when_there_is_one():
    # Level on the cosine (the own language's bonus would win), but the English page shares the question's words.
    choice = choose(fused("it", 0.890, 0.712), [fused("en", 0.860, 0.740)], "it")
    assert choice.lead == pytest.approx(0.028) and choice.answers
    assert choose(fused("it", 0.890, 0.760), [fused("en", 0.880, 0.700)], "it").answers is False
    assert suggestions(fused("it", 0.890, 0.760), [fused("en", 0.880, 0.700)]) == [], "the same score decides"
