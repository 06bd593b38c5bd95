"""Entities in a message: order numbers, SKUs and store codes by rule, plus spaCy's own.

The rules run in an `EntityRuler` placed before spaCy's statistical recogniser, so the
recogniser never splits or relabels a code (spaCy on its own tags "ST042" as an ORG).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass, replace

import spacy
from spacy.language import Language

from assistant.errors import ConfigurationError
from assistant.nlu.spacy_model import DEFAULT_SPACY_MODEL, load_ner_pipeline, split_for_nlp
from assistant.order_numbers import DEFAULT_ORDER_NUMBER_PATTERN

ORDER_NUMBER = "ORDER_NUMBER"
SKU = "SKU"
STORE_CODE = "STORE_CODE"

_RECENT_TEXTS = 256
"""How many recent texts' entities an extractor keeps (a few seconds of questions under load)."""

# Labels produced by rules (spaCy's ruler here, Rasa's RegexEntityExtractor there). On an
# overlap they beat the statistical labels, which guess.
RULE_LABELS = frozenset({ORDER_NUMBER, SKU, STORE_CODE})
SPACY_LABELS = frozenset({"PERSON", "ORG", "GPE", "DATE", "MONEY"})

# Demo formats: "SKU-" and 5 to 8 digits, or three capital letters, a dash and 4 to 6 digits.
_SKU_PREFIXED = r"(?i:SKU-\d{5,8})"
_SKU_LETTERS = r"[A-Z]{3}-\d{4,6}"
# Demo store codes: "ST" and three digits. "store 42" is a phrase, not a code.
_STORE_CODE = r"(?i:ST\d{3})"


class EntityPatternError(ConfigurationError, ValueError):
    """The configured order-number pattern is not a usable regular expression."""


@dataclass(frozen=True)
class Entity:
    """One entity in a message: its label, its (normalised) value and character offsets."""

    label: str
    value: str
    start: int
    end: int
    source: str = "spacy"


class EntityExtractor:
    """Finds order numbers, SKUs, store codes and spaCy's PERSON/ORG/GPE/DATE/MONEY entities.

    The order-number pattern is matched against single tokens, case-insensitively, and the
    value is upper-cased (`ord-20481736` -> `ORD-20481736`). An order number that also fits
    the SKU letters format ("ORD-204817") is an order number.

    The spaCy model is loaded on first use and shared with every other user of
    `load_ner_pipeline` (one copy per process). An already loaded NER pipeline can be passed
    as `nlp`; it is not modified.
    """

    def __init__(
        self,
        order_number_pattern: str = DEFAULT_ORDER_NUMBER_PATTERN,
        *,
        model_name: str = DEFAULT_SPACY_MODEL,
        nlp: Language | None = None,
    ) -> None:
        self._patterns = _ruler_patterns(order_number_pattern)
        self._model_name = model_name
        self._base = nlp
        self._pipeline: Language | None = None
        self._lock = threading.Lock()
        # The last texts' entities, each computed once: NLU and the question's redaction (`PersonFinder`) both ask
        # for the question's entities at about the same time, and the second waits for the first's result.
        self._recent: OrderedDict[str, Future[list[Entity]]] = OrderedDict()
        self._recent_lock = threading.Lock()

    @property
    def pipeline(self) -> Language:
        """The extractor's own pipeline (ruler, then the shared recogniser); loads the model."""
        return self._get_pipeline()

    def warm_up(self) -> None:
        """Load the model now rather than on the first message."""
        self._get_pipeline()

    def extract(self, text: str) -> list[Entity]:
        """The entities in `text`, ordered by position. Empty text gives an empty list.

        The same text asked for again soon after (by another thread too) is not run through spaCy again."""
        if not text or text.isspace():
            return []
        with self._recent_lock:
            pending = self._recent.get(text)
            mine = pending is None
            if pending is None:
                pending = self._recent[text] = Future()
                if len(self._recent) > _RECENT_TEXTS:
                    self._recent.popitem(last=False)
        if mine:
            try:
                pending.set_result(self._extract(text))
            except BaseException as error:
                with self._recent_lock:
                    self._recent.pop(text, None)
                pending.set_exception(error)
        return list(pending.result())

    def _extract(self, text: str) -> list[Entity]:
        nlp = self._get_pipeline()
        entities: list[Entity] = []
        pieces = list(split_for_nlp(text))
        docs = nlp.pipe(piece for _, piece in pieces)
        for (offset, _), doc in zip(pieces, docs, strict=True):
            for span in doc.ents:
                if span.label_ in RULE_LABELS:
                    value = span.text.upper()
                elif span.label_ in SPACY_LABELS:
                    value = span.text
                else:
                    continue
                entities.append(Entity(span.label_, value, offset + span.start_char, offset + span.end_char))
        return entities

    def _get_pipeline(self) -> Language:
        if self._pipeline is None:
            with self._lock:
                if self._pipeline is None:
                    self._pipeline = self._build_pipeline()
        return self._pipeline

    def _build_pipeline(self) -> Language:
        # A small pipeline of its own around the shared tokenizer and recogniser: adding the
        # ruler to the shared pipeline would change it for every other user.
        base = self._base if self._base is not None else load_ner_pipeline(self._model_name)
        pipeline = spacy.blank(base.lang, vocab=base.vocab)
        pipeline.tokenizer = base.tokenizer
        ruler = pipeline.add_pipe("entity_ruler", config={"validate": True})
        ruler.add_patterns(self._patterns)
        pipeline.add_pipe("ner", source=base)
        return pipeline


class PersonFinder:
    """The people `extractor` finds in a text, as the redactor's `NameFinder`: the question's redaction then reuses
    the spaCy pass NLU makes of the same text instead of running the recogniser a second time."""

    def __init__(self, extractor: EntityExtractor) -> None:
        self._extractor = extractor

    def __call__(self, text: str) -> list[tuple[int, int]]:
        return [(entity.start, entity.end) for entity in self._extractor.extract(text) if entity.label == "PERSON"]


def merge_entities(rasa_entities: list[Entity], spacy_entities: list[Entity]) -> list[Entity]:
    """One list from Rasa's and spaCy's entities, without duplicates or overlaps.

    Labels are upper-cased (Rasa's `order_number` is `ORDER_NUMBER`) and rule-made codes
    upper-cased too. Where two entities overlap, one is kept: a rule label (order number,
    SKU, store code) beats a statistical one, then the longer span wins, then spaCy's.
    The result is ordered by position.
    """
    candidates = [(_normalise(entity), 1) for entity in spacy_entities]
    candidates += [(_normalise(entity), 0) for entity in rasa_entities]
    candidates.sort(
        key=lambda item: (item[0].label in RULE_LABELS, item[0].end - item[0].start, item[1]),
        reverse=True,
    )
    kept: list[Entity] = []
    for entity, _ in candidates:
        if not any(entity.start < other.end and other.start < entity.end for other in kept):
            kept.append(entity)
    return sorted(kept, key=lambda entity: (entity.start, entity.end, entity.label))


def _normalise(entity: Entity) -> Entity:
    label = entity.label.strip().upper()
    value = entity.value.strip().upper() if label in RULE_LABELS else entity.value
    return replace(entity, label=label, value=value)


def _ruler_patterns(order_number_pattern: str) -> list[dict[str, object]]:
    order = f"(?i:{order_number_pattern})"
    token_regexes = {
        ORDER_NUMBER: [rf"^{order}$"],
        SKU: [rf"^(?!{order}$){_SKU_PREFIXED}$", rf"^(?!{order}$){_SKU_LETTERS}$"],
        STORE_CODE: [rf"^(?!{order}$){_STORE_CODE}$"],
    }
    for regexes in token_regexes.values():
        for regex in regexes:
            _check_regex(regex, order_number_pattern)
    return [
        {"label": label, "pattern": [{"TEXT": {"REGEX": regex}}]}
        for label, regexes in token_regexes.items()
        for regex in regexes
    ]


def _check_regex(regex: str, order_number_pattern: str) -> None:
    try:
        re.compile(regex)
    except re.error as exc:
        raise EntityPatternError(
            f"order number pattern {order_number_pattern!r} is not a valid regular expression: {exc}"
        ) from exc
