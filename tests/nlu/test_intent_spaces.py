"""The dense intent half reads English messages through MiniLM (the search's own vector) and the others through e5:
each message is embedded by one model only, examples are trained in both, and an English question through the whole
pipeline runs MiniLM once and e5 once (the cross-lingual comparison, not the intent)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.models import Message, Route
from assistant.nlu.entities import EntityExtractor
from assistant.nlu.intent_model import EnsembleCalibration, load_intent_ensemble
from assistant.nlu.intent_spaces import IntentSpaces
from assistant.nlu.understanding import Understander
from assistant.retrieval.embedding_cache import CachedEmbedder
from assistant.retrieval.language import language_guess_version
from assistant.retrieval.multilingual_embedder import MultilingualEmbedder
from connectors.app.services import build_services
from tests.conftest import MULTILINGUAL_CACHE_DIR, make_settings


class Counted:
    """A real embedder that notes every text it is asked to embed."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.texts: list[str] = []

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def encode_query(self, text: str) -> np.ndarray:
        self.texts.append(text)
        return self._inner.encode_query(text)

    def encode_questions(self, texts: list[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self._inner.encode_questions(texts)


@pytest.fixture
def counted(embedder, multilingual_embedder):
    english, multilingual = Counted(embedder), Counted(multilingual_embedder)
    spaces = IntentSpaces(english, multilingual)
    english_size, multilingual_size = spaces.dimensions
    return spaces, english, multilingual, english_size, multilingual_size


def test_each_message_is_embedded_by_its_own_language_s_model_only(counted, embedder, multilingual_embedder) -> None:
    spaces, english, multilingual, english_size, multilingual_size = counted
    vectors = spaces.encode(["where is my customer's parcel?", "dove si trova il pacco del cliente?"])
    assert vectors.shape == (2, english_size + multilingual_size)
    assert english.texts == ["where is my customer's parcel?"]
    assert multilingual.texts == ["dove si trova il pacco del cliente?"]
    # English: the search's own vector, the other half zero; Italian the other way round.
    assert np.allclose(vectors[0, :english_size], embedder.encode_query("where is my customer's parcel?"), atol=1e-6)
    assert not vectors[0, english_size:].any()
    assert not vectors[1, :english_size].any()
    assert np.allclose(vectors[1, english_size:],
                       multilingual_embedder.encode_query("dove si trova il pacco del cliente?"), atol=1e-6)
    assert spaces.name == (f"{embedder.name} for en; {multilingual_embedder.name}; "
                           f"language guess {language_guess_version()}")


def test_examples_are_trained_in_both_spaces_and_read_in_their_own(counted) -> None:
    spaces, english, multilingual, english_size, _ = counted
    texts = ["hello there", "ciao a tutti", "can I speak to a person"]
    examples = spaces.examples(texts)
    assert english.texts == texts and multilingual.texts == texts  # every example in both models
    rows, source = examples.training_rows()
    assert rows.shape[0] == 6 and source.tolist() == [0, 1, 2, 0, 1, 2]
    same_rows, labels = examples.training_set(["greet", "greet", "handoff_human"])
    assert np.array_equal(same_rows, rows) and labels == ["greet", "greet", "handoff_human"] * 2
    assert not rows[:3, english_size:].any() and not rows[3:, :english_size].any()
    messages = examples.message_rows()
    assert examples.in_english_space.tolist() == [True, False, True]
    assert np.array_equal(messages[0], rows[0]) and np.array_equal(messages[1], rows[4])
    part = examples.subset([2])
    assert len(part) == 1 and np.array_equal(part.message_rows()[0], rows[2])


def test_english_languages_follow_the_setting(embedder, multilingual_embedder) -> None:
    both = IntentSpaces(embedder, multilingual_embedder, english_languages=("en", "it"))
    assert both.in_english_space("dove si trova il pacco del cliente?")
    assert both.name != IntentSpaces(embedder, multilingual_embedder).name  # a saved classifier becomes stale


@pytest.mark.parametrize(("text", "intent"), [
    ("posso parlare con una persona vera?", "handoff_human"),
    ("dov'è l'ordine del cliente?", "order_status"),
    ("I need to talk to a human", "handoff_human"),
    ("ciao, buongiorno!", "greet"),
])
def test_the_trained_classifier_reads_both_languages_with_rasa_down(intent_models_dir, intent_spaces, text,
                                                                    intent) -> None:
    from assistant.nlu.intent_model import DenseIntentTrainer
    from tests.nlu.conftest import NLU_DATA

    ensemble = load_intent_ensemble(DenseIntentTrainer(NLU_DATA, intent_models_dir, intent_spaces),
                                    EnsembleCalibration.load())
    assert ensemble is not None
    understanding = Understander(None, EntityExtractor(), ensemble).understand(text)
    assert understanding.intent == intent, understanding


class CountedMultilingual(MultilingualEmbedder):
    """multilingual-e5-small, noting each question it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.questions: list[str] = []

    def encode_query(self, text: str) -> np.ndarray:
        self.questions.append(text)
        return super().encode_query(text)


def test_an_english_question_runs_minilm_once_and_e5_once(tmp_path, embedder, redactor, company_services,
                                                           intent_models_dir) -> None:
    multilingual = CountedMultilingual()
    settings = make_settings(tmp_path, models_dir=intent_models_dir)
    settings.data_dir = company_services.settings.data_dir  # the session's index: nothing is embedded again
    services = build_services(settings, embedder=embedder, redactor=redactor,
                              multilingual=CachedEmbedder(multilingual, MULTILINGUAL_CACHE_DIR))
    question = "How many days does a customer have to return an item?"
    try:
        embedder.clear_cache()
        texts_before = embedder._queries.texts
        answer = services.assistant.handle(Message(text=question, asker="u1", channel="test"))
    finally:
        services.close()
    assert answer.route == Route.KNOWLEDGE and not answer.gap
    assert answer.intent == "ask_policy"  # the dense half classified it (no Rasa here)
    assert embedder._queries.texts - texts_before == 1  # the search and the intent classifier shared one run
    # e5 runs once, for the cross-lingual comparison (a confident English answer gives way to a page only in
    # Italian that leads it clearly); the intent classifier reads English with MiniLM alone.
    assert multilingual.questions.count(question) == 1
