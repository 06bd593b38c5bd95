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


@pytest.mark.parametrize("text", ["buonanotte", "chiudo qui", "sei stato utilissimo", "valori aziendali",
                                  "i punti fedeltà scadono?"])
def test_italian_messages_without_function_words_are_italian(text):
    assert guess_language(text, "en") == "it"


@pytest.mark.parametrize("text", ["thx", "hello assistant", "operator", "hello", "cheers", "good evening"])
def test_english_chat_without_function_words_stays_english(text):
    assert guess_language(text, "en") == "en"


@pytest.mark.parametrize("text", ["", "   ", "ORD-20481736", "?!"])
def test_nothing_to_go_on_gives_the_default(text):
    assert guess_language(text, "en") == "en"
    assert guess_language(text, "it") == "it"


def test_an_unsure_ngram_guess_leaves_the_default():
    # The n-gram model leans Italian on "hello assistant" (about 0.6), well short of TIE_BREAK_CONFIDENCE.
    assert guess_language("hello assistant", "en") == "en"
    assert guess_language("hello assistant", "it") == "it"


@pytest.mark.parametrize("text", ["sei umano?", "a presto", "salve", "ok grazie", "scusa, non ho capito"])
def test_italian_chat_words_make_a_short_message_italian(text):
    assert guess_language(text) == "it"


@pytest.mark.parametrize("text", ["ok thanks", "no thanks", "ok", "are you human?", "see you soon"])
def test_words_both_languages_write_leave_english_chat_english(text):
    assert guess_language(text) == "en"
