"""Order numbers as people type them, several in one message, malformed ones, and hostile input."""

from __future__ import annotations

import pytest

from assistant.errors import ConfigurationError, InvalidOrderNumberError
from assistant.order_numbers import FoundNumbers, OrderNumberFinder
from connectors.sources.orders.safety import checked_number

finder = OrderNumberFinder()


@pytest.mark.parametrize("text", ["ORD-4827193", "where is ord 4827193?", "ord4827193 please", "#4827193",
                                  "Ord-4827193.", "status of 'ORD-4827193'", "ordine ORD: 4827193"])
def test_the_ways_people_type_a_number(text):
    assert finder.find_all(text).numbers == ("ORD-4827193",)


def test_a_bare_number_counts_only_when_the_assistant_asked_for_one():
    assert finder.find_all("4827193").numbers == ()
    assert finder.find_all("4827193", bare=True).numbers == ("ORD-4827193",)
    assert finder.find_all("it's 4827193 I think", bare=True).numbers == ("ORD-4827193",)


@pytest.mark.parametrize("text", ["what's the status of my order 4827193", "order no. 4827193?", "Order #4827193",
                                  "order number: 4827193", "l'ordine n. 4827193 è arrivato?", "ordine numero 4827193"])
def test_digits_the_message_calls_an_order_are_an_order_number(text):
    assert finder.find_all(text).numbers == ("ORD-4827193",)


@pytest.mark.parametrize("text", ["order 5 items", "the order of 1000000 pots", "order 12", "reorder 4827193",
                                  "order 4827193abc"])
def test_an_order_word_alone_makes_no_number_of_other_digits(text):
    assert finder.find_all(text).numbers == ()


def test_numbers_keep_the_order_they_were_typed_in_whatever_their_form():
    assert finder.find_all("order 7654321 then ORD-1234567").numbers == ("ORD-7654321", "ORD-1234567")
    assert finder.find_all("order 1234567 is ORD-1234567").numbers == ("ORD-1234567",)


def test_words_ending_in_ord_are_no_prefix():
    assert finder.find_all("record 4827193").numbers == ()
    assert finder.find_all("accord4827193").numbers == ()


def test_several_numbers_each_once_in_order():
    found = finder.find_all("ORD-1234567, ord 7654321 and #1234567 again, ORD-2222222")
    assert found.numbers == ("ORD-1234567", "ORD-7654321", "ORD-2222222")


@pytest.mark.parametrize(("text", "shown"), [("ORD-12", "ORD-12"), ("is it ord 123?", "ord 123"),
                                             ("ORD-12345678901", "ORD-12345678901")])
def test_a_malformed_number_is_reported(text, shown):
    assert finder.find_all(text) == FoundNumbers((), (shown,))


def test_a_short_bare_reply_to_the_question_is_malformed():
    assert finder.find_all("123", bare=True) == FoundNumbers((), ("123",))
    assert finder.find_all("I have 2 questions", bare=True) == FoundNumbers()


@pytest.mark.parametrize("text", [
    "ORD-123456/../../admin",
    "ORD-1234567/../../admin",
    "ORD-1234567%2F..%2Fadmin",
    "ORD-1234567;DROP TABLE orders",
    "ORD-" + "9" * 5000,
    "ORD-٤٨٢٧١٩٣",  # Arabic-Indic digits
    "ORD-４８２７１９３x",  # full-width digits glued to a letter
])
def test_hostile_input_never_becomes_an_order_number(text):
    found = finder.find_all(text)
    assert found.numbers == ()
    assert found.malformed and all(len(shown) <= 40 for shown in found.malformed)


def test_a_quote_ends_a_number_and_the_rest_is_ignored():
    assert finder.find_all("ORD-1234567' OR '1'='1").numbers == ("ORD-1234567",)


@pytest.mark.parametrize("number", ["ORD-1234567 ", "ORD-1234567\n", "ORD-123456/..", "ORD-٤٨٢٧١٩٣", "ORD-12",
                                    "x" * 100, "ORD-1234567' OR '1'='1"])
def test_validation_refuses_anything_but_one_exact_number(number):
    assert not finder.is_valid(number)
    with pytest.raises(InvalidOrderNumberError):
        finder.validated(number)


def test_validation_upper_cases_a_good_number():
    assert finder.validated("ord-1234567") == "ORD-1234567"


@pytest.mark.parametrize("number", ["ORD-1/2", "ORD 1", "", "ORD-1'", "a" * 65, "ORD-١٢٣"])
def test_the_sources_own_guard(number):
    with pytest.raises(InvalidOrderNumberError):
        checked_number(number)


def test_a_custom_pattern_is_matched_as_it_is():
    custom = OrderNumberFinder(r"VD\d{5}")
    assert custom.find_all("VD12345 and vd54321").numbers == ("VD12345", "VD54321")
    assert custom.find_all("12345", bare=True).numbers == ()
    assert custom.describe_format() == r"VD\d{5}"


def test_a_custom_prefix_keeps_the_lenient_forms():
    custom = OrderNumberFinder(r"WEB-\d{4,5}")
    assert custom.find_all("web 1234 and #54321").numbers == ("WEB-1234", "WEB-54321")
    assert custom.describe_format("it") == "WEB- seguito da 4-5 cifre"


def test_a_broken_pattern_is_a_configuration_error():
    with pytest.raises(ConfigurationError):
        OrderNumberFinder(r"ORD-(\d+")
