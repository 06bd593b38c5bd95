"""Cross-lingual answers on the demo knowledge: Italian questions whose answer is only on English pages and English
questions whose answer is only on Italian pages (`tests/data/crosslingual_questions.jsonl`, written before the path
was tuned and never tuned on), against the same-language company questions' gap rate.

The floors sit at or just under the figures measured on 2026-12-04 (docs/evaluation.md). The issue's targets
(Recall@1 >= 0.80, no more gaps than same-language questions) are not met: the 4-bit multilingual-e5-small available
here puts the right page first among the other language's pages for only 35 of 58 and 15 of 22 of these questions,
so the measured figures are regression floors, not the goal.
"""

from __future__ import annotations

import pytest

from assistant.evaluation.crosslingual_eval import answering_figures
from assistant.evaluation.questions import load_questions
from tests.conftest import COMPANY_QUESTIONS, PROJECT_ROOT

CROSSLINGUAL_QUESTIONS = PROJECT_ROOT / "tests" / "data" / "crosslingual_questions.jsonl"


@pytest.fixture(scope="module")
def questions():
    return load_questions(CROSSLINGUAL_QUESTIONS)


@pytest.fixture(scope="module")
def figures(company_services, questions) -> dict[str, dict]:
    by_direction = {
        "it_to_en": [q for q in questions if not q.answerable or q.expected_sources[0].startswith("en/")],
        "en_to_it": [q for q in questions if q.answerable and q.expected_sources[0].startswith("it/")],
    }
    measured = {name: answering_figures(company_services.skill, chosen).as_dict()
                for name, chosen in by_direction.items()}
    measured["same_language"] = answering_figures(company_services.skill,
                                                  load_questions(COMPANY_QUESTIONS)).as_dict()
    return measured


def test_italian_questions_are_answered_from_english_pages(figures):
    it_to_en = figures["it_to_en"]
    assert it_to_en["answerable"] >= 40
    assert it_to_en["recall_at_1"] >= RECALL_FLOOR["it_to_en"], it_to_en
    assert it_to_en["crossed"] >= 20, it_to_en


def test_cross_lingual_quotes_hold_the_fact(figures):
    for direction, floor in REPLY_FLOOR.items():
        assert figures[direction]["reply_accuracy"] >= floor, figures[direction]


def test_english_questions_are_answered_from_italian_pages(figures):
    en_to_it = figures["en_to_it"]
    assert en_to_it["answerable"] >= 20
    assert en_to_it["recall_at_1"] >= RECALL_FLOOR["en_to_it"], en_to_it


def test_cross_lingual_questions_are_held_back_no_more_than_same_language_ones(figures):
    same = figures["same_language"]["gap_rate"]
    for direction in ("it_to_en", "en_to_it"):
        assert figures[direction]["gap_rate"] <= max(same, GAP_RATE_CEILING[direction]), figures


def test_unanswerable_questions_stay_mostly_gaps(figures):
    unanswered = figures["it_to_en"]
    assert unanswered["unanswerable"] >= 8
    assert unanswered["wrongly_answered"] <= unanswered["unanswerable"] // 2, unanswered


def test_held_back_replies_show_the_other_languages_pages_without_changing_any_answer(figures):
    for direction in ("it_to_en", "en_to_it"):
        measured = figures[direction]
        assert measured["recall_at_3_seen"] >= max(measured["recall_at_1"], SEEN_FLOOR[direction]), measured
    assert figures["it_to_en"]["unanswerable_with_suggestions"] <= figures["it_to_en"]["unanswerable"] // 2
    same = figures["same_language"]  # suggestions only ever come with a held-back reply
    assert same["with_suggestions"] <= round(same["gap_rate"] * same["answerable"]), same


RECALL_FLOOR = {"it_to_en": 0.55, "en_to_it": 0.54}
"""Measured 2026-12-04 (every page visible) with English and Italian `questions` phrasings on every demo page and a
phrasing needing a paraphrase's score: 34 of 58 (0.586) and 13 of 22 (0.591), and 0.586 and 12 of 22 (0.545) once
the calibration probes left the phrasings out; with phrasings but without that floor 0.707 and 0.591; before the
phrasings 23 of 58 (0.397) and 3 of 22 (0.136); with cross-lingual answers off, 0.034
and 0.364."""
REPLY_FLOOR = {"it_to_en": 0.34, "en_to_it": 0.30}
"""Measured 2026-12-05: the quote held the expected fact for 21 of 58 (0.362) and 7 of 22 (0.318) once e5 chose the
passage and windows to quote (`MultilingualReading`), against 0.207 and 0.273 with the single best window."""
GAP_RATE_CEILING = {"it_to_en": 0.17, "en_to_it": 0.05}
"""Measured 2026-12-04 with the phrasings: 0.155 and 0.045 (0.121 and 0.545 before them), against 0.071 on the
same-language company questions; 0.086 and 0.0 against 0.036 once the calibration probes left the phrasings out:
the Italian target is not met."""
SEEN_FLOOR = {"it_to_en": 0.55, "en_to_it": 0.54}
"""The right page among the first three the reply links (sources, or a held-back reply's suggestions in the other
language), measured 2026-12-04: 35 of 58 (0.603) and 13 of 22 (0.591), then 0.603 and 0.545 with the calibration
leaving the phrasings out; before the phrasings 0.414 and 0.318."""
