"""The live intent ensemble's parts: the saved dense classifier, its trainer, the calibration file, and the
Understander routing on it with Rasa up, down, or absent (real embedding model; Rasa's answers given directly)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from assistant.errors import NLUUnavailableError
from assistant.nlu.dense_intents import DenseIntentClassifier, IntentModelError
from assistant.nlu.entities import EntityExtractor
from assistant.nlu.intent_ensemble import EnsembleParameters, IntentEnsemble
from assistant.nlu.intent_model import (
    DEFAULT_CALIBRATION_PATH,
    DenseIntentTrainer,
    EnsembleCalibration,
    load_intent_ensemble,
)
from assistant.nlu.intent_spaces import IntentSpaces
from assistant.nlu.result import NLUResult
from assistant.nlu.training_data import read_examples
from assistant.nlu.understanding import Understander
from assistant.retrieval import language
from tests.nlu.conftest import NLU_DATA


@pytest.fixture(scope="module")
def trainer(intent_models_dir, intent_spaces) -> DenseIntentTrainer:
    return DenseIntentTrainer(NLU_DATA, intent_models_dir, intent_spaces)


@pytest.fixture(scope="module")
def ensemble(trainer) -> IntentEnsemble:
    built = load_intent_ensemble(trainer, EnsembleCalibration.load())
    assert built is not None
    return built


def test_the_softmax_of_the_saved_weights_is_scikit_learns_probability(tmp_path, embedder) -> None:
    from sklearn.linear_model import LogisticRegression

    examples = read_examples(NLU_DATA / "nlu.yml")[::3]
    texts, labels = [e.text for e in examples], [e.intent for e in examples]
    vectors = DenseIntentClassifier(embedder).embed(texts)
    for chosen in (sorted(set(labels)), sorted(set(labels))[:2]):  # many classes, and the binary case
        rows = [i for i, label in enumerate(labels) if label in chosen]
        classifier = DenseIntentClassifier(embedder).fit_embeddings(vectors[rows], [labels[i] for i in rows])
        reference = LogisticRegression(C=classifier.regularization, max_iter=classifier.max_iter)
        reference.fit(vectors[rows], [labels[i] for i in rows])
        # scikit-learn works in the vectors' float32; the saved weights are applied in float64.
        assert np.allclose(classifier.probabilities_from_embeddings(vectors), reference.predict_proba(vectors),
                           atol=1e-4)
        classifier.save(tmp_path / "model.npz", metadata={"embedding_model": "m"})
        loaded = DenseIntentClassifier.load(tmp_path / "model.npz", embedder)
        assert loaded.labels == classifier.labels and loaded.metadata == {"embedding_model": "m"}
        assert np.array_equal(loaded.probabilities_from_embeddings(vectors),
                              classifier.probabilities_from_embeddings(vectors))
        assert np.array_equal(loaded.max_similarity(vectors), classifier.max_similarity(vectors))


def test_an_unreadable_classifier_file_is_a_typed_error(tmp_path) -> None:
    (tmp_path / "broken.npz").write_bytes(b"not a numpy archive")
    with pytest.raises(IntentModelError, match="cannot read"):
        DenseIntentClassifier.load(tmp_path / "broken.npz")


def test_the_trainer_trains_once_per_data_and_model(tmp_path, intent_spaces, multilingual_embedder,
                                                    monkeypatch) -> None:
    data = tmp_path / "nlu_data"
    shutil.copytree(NLU_DATA, data)
    trainer = DenseIntentTrainer(data, tmp_path / "models", intent_spaces)
    assert trainer.current() is None
    first = trainer.ensure()
    assert first.trained and first.path.name.endswith(".intents.npz") and first.path.is_file()
    assert not trainer.ensure().trained
    # Another embedding model makes the saved classifier stale: its vectors mean something else.
    other = IntentSpaces(multilingual_embedder, multilingual_embedder)
    assert DenseIntentTrainer(data, tmp_path / "models", other).current() is None
    # So does another version of the language guess: it may put examples in the other space.
    with monkeypatch.context() as patch:
        patch.setattr(language, "_ITALIAN_MARKERS", language._ITALIAN_MARKERS | {"buondì"})
        language.language_guess_version.cache_clear()
        assert trainer.current() is None
    language.language_guess_version.cache_clear()
    assert trainer.current() is not None
    nlu = data / "nlu.yml"
    nlu.write_text(nlu.read_text(encoding="utf-8").replace("    - tell me a joke\n", ""), encoding="utf-8")
    assert trainer.current() is None
    second = trainer.ensure()
    assert second.trained and second.path != first.path
    assert not list((tmp_path / "models").glob(".*partial"))


def test_the_shipped_calibration_was_chosen_on_nlu_data(tmp_path) -> None:
    calibration = EnsembleCalibration.load()
    assert DEFAULT_CALIBRATION_PATH.is_file()
    assert calibration.provenance["examples"] >= len(read_examples(NLU_DATA / "nlu.yml")) * 0.9
    assert 0.0 <= calibration.with_rasa.rasa_weight <= 1.0
    assert calibration.without_rasa.rasa_weight == 0.0
    written = tmp_path / "intent_ensemble.json"
    EnsembleCalibration(EnsembleParameters(0.3, 1.0, -1.5), EnsembleParameters(0.0, 2.0, -1.0)).save(written)
    assert EnsembleCalibration.load(written).with_rasa == EnsembleParameters(0.3, 1.0, -1.5)
    written.write_text(json.dumps({"with_rasa": {"rasa_weight": 0.3}}), encoding="utf-8")
    with pytest.raises(IntentModelError, match="threshold"):
        EnsembleCalibration.load(written)


class RasaStandIn:
    """Answers like Rasa's parse endpoint with a fixed ranking, or fails like an unreachable server."""

    def __init__(self, ranking: list[tuple[str, float]] | None) -> None:
        self.ranking = ranking

    def parse(self, text: str) -> NLUResult:
        if self.ranking is None:
            raise NLUUnavailableError("Rasa is not answering")
        return NLUResult(self.ranking[0][0], self.ranking[0][1], list(self.ranking))

    @property
    def degraded_reason(self) -> str | None:
        return None if self.ranking is not None else "Rasa is not answering"


@pytest.mark.parametrize(
    ("text", "intent"),
    [("hello there, good morning", "greet"), ("thanks a lot, that helped", "thanks"),
     ("can I speak to a real person please", "handoff_human"), ("where is my customer's parcel?", "order_status"),
     ("what's the weather like in Rome tomorrow?", "out_of_scope"), ("grazie mille!", "thanks")],
)
def test_with_rasa_down_the_dense_classifier_keeps_the_intent(ensemble, text, intent) -> None:
    understanding = Understander(RasaStandIn(None), EntityExtractor(), ensemble).understand(text)
    assert understanding.intent == intent and understanding.confidence > 0.1
    assert understanding.degraded_reason == "Rasa is not answering"


def test_without_a_classifier_rasa_down_means_no_intent(ensemble) -> None:
    understanding = Understander(RasaStandIn(None), EntityExtractor()).understand("hello there")
    assert understanding.intent is None and understanding.degraded_reason


def test_rasa_s_ranking_moves_the_pooled_intent(ensemble) -> None:
    text = "hi, can you help"  # a text the dense side finds ambiguous between greeting and capabilities
    sure_greet = Understander(RasaStandIn([("greet", 0.99), ("bot_capabilities", 0.01)]), None, ensemble)
    sure_help = Understander(RasaStandIn([("bot_capabilities", 0.99), ("greet", 0.01)]), None, ensemble)
    greet, helped = sure_greet.understand(text), sure_help.understand(text)
    assert greet.degraded_reason is None and helped.degraded_reason is None
    pooled_greet = dict(ensemble.classify(text, [("greet", 0.99), ("bot_capabilities", 0.01)]).ranking)
    pooled_help = dict(ensemble.classify(text, [("bot_capabilities", 0.99), ("greet", 0.01)]).ranking)
    assert pooled_greet.get("greet", 0) > pooled_help.get("greet", 0)
    assert pooled_help.get("bot_capabilities", 0) > pooled_greet.get("bot_capabilities", 0)


def test_texts_without_a_rasa_ranking_use_their_own_threshold(ensemble) -> None:
    text = "tell me a joke about gardening"
    strict = IntentEnsemble.from_parameters(ensemble.dense, ensemble.parameters,
                                            EnsembleParameters(0.0, 0.0, threshold=0.0))
    lenient = IntentEnsemble.from_parameters(ensemble.dense, ensemble.parameters,
                                             EnsembleParameters(0.0, 0.0, threshold=-np.inf))
    assert strict.classify(text, None).is_out_of_scope  # log(p) < 0 always
    assert not lenient.classify(text, None).is_out_of_scope
    # With a ranking, the main parameters decide, whatever `without_rasa` says.
    ranking = [("greet", 0.5), ("out_of_scope", 0.5)]
    assert strict.classify(text, ranking).is_out_of_scope == lenient.classify(text, ranking).is_out_of_scope


class _RasaWaitingForTheEmbedding:
    """Rasa's parse that only returns once the dense half has embedded the message: it fails unless the two
    overlap (the live path embeds while Rasa works in its own process)."""

    def __init__(self, embedded) -> None:
        self._embedded = embedded

    def parse(self, text: str) -> NLUResult:
        overlapped = self._embedded.wait(timeout=30)
        return NLUResult(intent="greet" if overlapped else "thanks", confidence=0.99,
                         ranking=[("greet", 0.99)] if overlapped else [("thanks", 0.99)])

    @property
    def degraded_reason(self) -> str | None:
        return None


def test_the_message_is_embedded_while_rasa_parses_and_embedded_once(ensemble) -> None:
    import threading

    embedded = threading.Event()
    calls: list[str] = []

    class Watched:
        def embed(self, text):
            calls.append("embed")
            vector = ensemble.embed(text)
            embedded.set()
            return vector

        def classify(self, text, ranking=None, *, vector=None):
            calls.append("classify with a vector" if vector is not None else "classify")
            return ensemble.classify(text, ranking, vector=vector)

    understander = Understander(_RasaWaitingForTheEmbedding(embedded), None, Watched())
    try:
        understanding = understander.understand("hello there, good morning")
    finally:
        understander.close()
    assert understanding.intent == "greet"
    assert calls == ["embed", "classify with a vector"]
