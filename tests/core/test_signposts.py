"""Signposts: sentences about the page itself are left out of what replies quote; sentences about the subject stay."""

from __future__ import annotations

import pytest

from assistant.pages.signposts import without_signposts


@pytest.mark.parametrize(("text", "expected"), [
    ("We guarantee hardy plants for a year. This page covers claims and exclusions. Keep the receipt.",
     "We guarantee hardy plants for a year. Keep the receipt."),
    ("In Italia diamo un buono pasto. Questa pagina spiega chi ne ha diritto e quanto vale. Vale solo in Italia.",
     "In Italia diamo un buono pasto. Vale solo in Italia."),
    ("In questa pagina trovi cosa ti forniamo noi. La divisa è verde.", "La divisa è verde."),
    ("Price match rules. Use this page to decide quickly at the till.", "Price match rules."),
    ("These standards describe how every call should sound. Answer within 20 seconds.",
     "Answer within 20 seconds."),
    ("This guide is for store managers who build rotas.\n- Publish rotas 3 weeks ahead.",
     "- Publish rotas 3 weeks ahead."),
])
def test_a_sentence_about_the_page_is_left_out(text, expected):
    assert without_signposts(text) == expected


@pytest.mark.parametrize("text", [
    "This policy applies to every colleague in the UK.",
    "Scroll to the bottom of the form and press Send.",
    "Sheds over 30 kg need two people. This page's table lists the charges",  # not where a sentence begins
    "Refunds take 5 days; this page explains nothing else.",
    "",
])
def test_text_without_a_signpost_is_returned_unchanged(text):
    assert without_signposts(text) == text
