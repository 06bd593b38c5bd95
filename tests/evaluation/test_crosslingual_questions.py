"""The cross-lingual question set is well formed: each answerable question's page exists, is in the other language,
and holds the quoted fact; enough questions in each direction."""

from __future__ import annotations

import json

from tests.conftest import KNOWLEDGE_DIR, PROJECT_ROOT

QUESTIONS = PROJECT_ROOT / "tests" / "data" / "crosslingual_questions.jsonl"


def records() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_answerable_question_points_at_a_page_in_the_other_language_that_holds_its_fact():
    for record in records():
        assert set(record) >= {"id", "question", "answerable", "expected_sources", "answer_contains", "language"}
        if not record["answerable"]:
            assert record["expected_sources"] == []
            continue
        for source in record["expected_sources"]:
            page = KNOWLEDGE_DIR / source
            assert page.exists(), source
            assert source.split("/")[0] != record["language"], f"{record['id']} is not cross-lingual"
            text = page.read_text(encoding="utf-8")
            assert all(fact in text for fact in record["answer_contains"]), record["id"]


def test_both_directions_are_covered_and_ids_are_unique():
    all_records = records()
    assert len({record["id"] for record in all_records}) == len(all_records)
    italian_over_english = [r for r in all_records if r["answerable"] and r["language"] == "it"]
    english_over_italian = [r for r in all_records if r["answerable"] and r["language"] == "en"]
    assert len(italian_over_english) >= 40 and len(english_over_italian) >= 20
    assert len({r["expected_sources"][0] for r in italian_over_english}) >= 18
    assert sum(1 for r in all_records if not r["answerable"]) >= 8
