"""The lexical terms of a question: chat short forms spelled out, and stop words dropped in both languages."""

from __future__ import annotations

from assistant.retrieval.text_analysis import analyse, expand_abbreviations


def test_chat_short_forms_are_spelled_out() -> None:
    assert expand_abbreviations("cust wants max hrs") == "customer wants maximum hours"
    assert expand_abbreviations("two custs at the till") == "two customers at the till"
    # Only whole words: "custard" and "customs" are not short forms.
    assert expand_abbreviations("custard and customs") == "custard and customs"


def test_possessives_are_stop_words_in_italian_as_in_english() -> None:
    assert analyse("quali sono i nostri valori?", "it") == analyse("valori", "it")
    assert analyse("la vostra missione", "it") == analyse("missione", "it")
    assert analyse("what are our values?", "en") == analyse("values", "en")
