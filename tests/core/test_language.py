"""The language guess: Italian elisions count as Italian, English contractions stay English."""

from __future__ import annotations

import pytest

from assistant.retrieval.language import guess_language


@pytest.mark.parametrize("text", ["dov'è l'ordine #6604417?", "c'è un problema con l'ordine",
                                  "dell'ordine ORD-1234567"])
def test_italian_elisions_are_italian(text):
    assert guess_language(text, "en") == "it"


@pytest.mark.parametrize("text", ["where's my customer's order?", "it's ORD-20481736", "don't know the order number",
                                  "I'd like to speak to someone", "o'clock"])
def test_english_contractions_stay_english(text):
    assert guess_language(text, "en") == "en"
