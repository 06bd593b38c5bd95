"""What staff read: statuses in words, dates, money, next steps, in English and Italian; the customer masked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assistant.orders.describe import OrderDescriber
from assistant.orders.formatting import format_date, format_money
from assistant.orders.masking import MaskedCustomer, initials, mask_email, mask_phone
from assistant.orders.model import Customer, Fulfilment, Money, OrderItem, OrderState, OrderStatus, ReturnState
from assistant.orders.wording import ADVICE, STATUS_WORDS

CUSTOMER = Customer("Giulia Rossi", "giulia.rossi@example.com", "+44 7700 904567")
DELAYED = OrderStatus("ORD-4827193", OrderState.DELAYED, updated_at=dt.datetime(2026, 12, 3, 11, 47), carrier="DPD",
                      tracking_number="155 01234", eta=dt.date(2026, 12, 9), fulfilment=Fulfilment.HOME_DELIVERY,
                      items=(OrderItem("GRD-1", "Mower", 1), OrderItem("GRD-2", "Compost", 2)),
                      total=Money(Decimal("1266.98"), "GBP"), customer=CUSTOMER)
COLLECT = OrderStatus("ORD-5531208", OrderState.READY_FOR_COLLECTION, fulfilment=Fulfilment.CLICK_AND_COLLECT,
                      collection_store="Verdello Milano Bicocca", collect_by=dt.date(2026, 12, 11),
                      items=(OrderItem("GRD-3", "Olive tree", 1),), total=Money(Decimal("1249.5"), "EUR"))
describer = OrderDescriber({"dpd": "https://tracking.example/{tracking}"})


def test_masking():
    assert initials("Giulia Rossi") == "G. R." and initials("anne-marie o'neil") == "A. M. O."
    assert mask_email("giulia.rossi@example.com") == "g***@example.com" and mask_email("not an email") is None
    assert mask_phone("+44 7700 904567") == "*** *** 4567" and mask_phone("123") is None
    assert MaskedCustomer.of(Customer()).empty


def test_the_customer_never_shows_in_a_repr():
    assert "Giulia" not in repr(DELAYED) and "giulia" not in repr(DELAYED) and "4567" not in repr(CUSTOMER)


def test_money_and_dates_in_both_languages():
    assert format_money(Money(Decimal("1249.5"), "EUR"), "it") == "1.249,50 €"
    assert format_money(Money(Decimal("1249.5"), "GBP"), "en") == "£1,249.50"
    assert format_money(Money(Decimal("3"), "CHF"), "en") == "3.00 CHF"
    assert format_date(dt.date(2026, 12, 9), "en") == "Wednesday 9 December 2026"
    assert format_date(dt.date(2026, 12, 9), "it") == "mercoledì 9 dicembre 2026"


def test_every_status_has_words_and_advice_in_both_languages():
    for state in OrderState:
        for language in ("en", "it"):
            assert STATUS_WORDS[state][language] and ADVICE[state][language]
            order = OrderStatus("ORD-1234567", state)
            assert describer.text(describer.summary(order, language), order)


def test_a_delayed_order_in_english():
    summary = describer.summary(DELAYED, "en")
    text = describer.text(summary, DELAYED)
    assert text.startswith("Order ORD-4827193 is **delayed**.")
    for part in ("Last update: Thursday 3 December 2026 at 11:47", "Carrier: DPD, tracking number 155 01234",
                 "New expected delivery: Wednesday 9 December 2026", "3 items, total £1,266.98",
                 "Apologise for the delay. The new expected date is Wednesday 9 December 2026"):
        assert part in text
    assert summary.tracking_url == "https://tracking.example/155%2001234"
    assert summary.customer == MaskedCustomer("G. R.", "g***@example.com", "*** *** 4567")


def test_a_collection_in_italian():
    summary = describer.summary(COLLECT, "it")
    text = describer.text(summary, COLLECT)
    assert text.startswith("L'ordine ORD-5531208 è **pronto per il ritiro**.")
    assert "Da ritirare presso Verdello Milano Bicocca entro venerdì 11 dicembre 2026." in text
    assert "1 articolo, totale 1.249,50 €." in text
    assert "fino a venerdì 11 dicembre 2026" in text
    labels = [fact.label for fact in summary.facts]
    assert labels == ["Stato", "Modalità", "Ritiro presso", "Ritirare entro", "Articoli", "Totale"]


def test_the_answer_text_carries_no_personal_data_only_the_card_does_masked():
    summary = describer.summary(DELAYED, "en")
    text = describer.text(summary, DELAYED)
    for personal in ("Giulia", "Rossi", "giulia", "904567", "G. R.", "g***"):
        assert personal not in text
    card = " ".join(fact.value for fact in summary.facts)
    assert "g***@example.com" in card and "Giulia" not in card and "904567" not in card


@pytest.mark.parametrize(("state", "words"), [(ReturnState.REFUND_PENDING, "refund is being processed"),
                                               (ReturnState.REFUNDED, "refund has been paid")])
def test_return_and_refund_state(state, words):
    order = OrderStatus("ORD-1234567", OrderState.RETURNED, return_state=state)
    assert words in describer.text(describer.summary(order, "en"), order)


def test_an_unknown_carrier_has_no_tracking_link():
    order = OrderStatus("ORD-1234567", OrderState.SHIPPED, carrier="Evri", tracking_number="X1")
    assert describer.summary(order, "en").tracking_url is None
