"""Words a question shares with pages' phrasings in its own language: a page whose Italian phrasings share the
question's rare words scores higher, pages without phrasings in that language score nothing."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.models import Chunk
from assistant.retrieval.phrasing_lexicon import PhrasingLexicon, word_evidence


def phrasing(text: str, path: str) -> Chunk:
    return Chunk(chunk_id=f"{path}#{text}", path=path, title="Page", section="", text=text, content_hash="x",
                 kind="question")


UNITS = [
    (0, phrasing("Posso scambiare un turno con un collega?", "en/shifts.md"), "it"),
    (0, phrasing("Can I swap a shift with a colleague?", "en/shifts.md"), "en"),
    (1, phrasing("Quanti giorni di malattia senza certificato?", "en/sickness.md"), "it"),
    (2, phrasing("How much is a meal voucher worth?", "it/buoni-pasto.md"), "en"),
]


def test_the_page_whose_phrasings_share_the_questions_words_scores_highest():
    italian = PhrasingLexicon.from_units("it", UNITS)
    scores = italian.scores("posso cambiare il turno con una collega domani?", page_count=3)
    assert scores[0] > 0 and scores[1] == 0
    assert scores[2] == 0, "the meal-voucher page has no Italian phrasing"


def test_only_phrasings_in_the_lexicons_language_count():
    english = PhrasingLexicon.from_units("en", UNITS)
    assert english.scores("turno collega certificato", page_count=3).tolist() == [0, 0, 0]
    assert english.scores("what is a meal voucher worth", page_count=3)[2] > 0


def test_no_phrasings_and_no_known_words_give_zeros():
    assert PhrasingLexicon.from_units("fr", UNITS).scores("congés payés", page_count=3).tolist() == [0, 0, 0]


def test_word_evidence_grows_with_the_score_and_stays_under_one():
    evidence = word_evidence(np.array([0.0, 5.0, 50.0]), scale=5.0)
    assert evidence[0] == 0 and evidence[1] == pytest.approx(1 - np.exp(-1)) and evidence[2] < 1
    assert word_evidence(np.array([3.0]), scale=0).tolist() == [0]
