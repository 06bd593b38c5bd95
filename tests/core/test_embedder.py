"""The embedding model's arithmetic: bfloat16 must give the same vectors as float32 for retrieval's purposes."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.retrieval.embedder import (
    EmbeddingPrecision,
    SentenceTransformerEmbedder,
    default_model_name,
    default_model_path,
    native_bfloat16,
    resolve_precision,
)
from assistant.settings import Settings
from connectors.app.services import build_embedder

pytestmark = pytest.mark.model

TEXTS = [
    "How many days of annual leave do I get in my first year?",
    "Returns: a customer may bring back an unworn item within 30 days with the receipt, and the refund goes to "
    "the original payment method. Gift cards are refunded as store credit.",
    "Click-and-collect orders wait at the service desk for seven days before they go back to stock.",
    "Posso cambiare turno con un collega? Avvisa il tuo responsabile almeno 48 ore prima.",
    "ORD-123456",
]


@pytest.fixture(scope="module")
def both_precisions() -> tuple[np.ndarray, np.ndarray]:
    float32 = SentenceTransformerEmbedder(precision="float32")
    bfloat16 = SentenceTransformerEmbedder(precision="bfloat16")
    return float32.encode(TEXTS), bfloat16.encode(TEXTS)


def test_bfloat16_vectors_match_float32_ones(both_precisions):
    float32, bfloat16 = both_precisions
    assert bfloat16.dtype == np.float32 and bfloat16.shape == float32.shape
    assert np.allclose(np.linalg.norm(bfloat16, axis=1), 1.0, atol=1e-3)
    assert float(np.min(np.sum(float32 * bfloat16, axis=1))) > 0.999
    assert not np.array_equal(float32, bfloat16), "the bfloat16 path did not run"


def test_bfloat16_keeps_the_ranking(both_precisions):
    float32, bfloat16 = both_precisions
    assert np.array_equal(np.argsort(-(float32[1:] @ float32[0])), np.argsort(-(bfloat16[1:] @ bfloat16[0])))


def test_auto_follows_the_cpu():
    expected = EmbeddingPrecision.BFLOAT16 if native_bfloat16() else EmbeddingPrecision.FLOAT32
    assert resolve_precision("auto") is expected
    assert resolve_precision("float32") is EmbeddingPrecision.FLOAT32
    with pytest.raises(ValueError):
        resolve_precision("float8")


def test_the_setting_reaches_the_embedder(monkeypatch):
    monkeypatch.setenv("ASSISTANT_EMBEDDING_PRECISION", "float32")
    settings = Settings(_env_file=None)
    embedder = build_embedder(settings)
    assert embedder.precision is EmbeddingPrecision.FLOAT32
    monkeypatch.setenv("ASSISTANT_EMBEDDING_PRECISION", "half")
    with pytest.raises(ValueError):
        Settings(_env_file=None)


def test_a_single_question_is_embedded_in_float32():
    float32 = SentenceTransformerEmbedder(precision="float32").encode_query(TEXTS[0])
    bfloat16 = SentenceTransformerEmbedder(precision="bfloat16").encode_query(TEXTS[0])
    assert np.allclose(float32, bfloat16, atol=1e-6)


def test_the_packaged_model_is_named_without_its_install_path(tmp_path):
    # Indexes and intent classifiers are keyed by this name: a moved checkout must not rebuild them.
    packaged = SentenceTransformerEmbedder()
    assert packaged.name == default_model_name() and "/" not in packaged.name
    assert SentenceTransformerEmbedder(default_model_path()).name == packaged.name
    other = str(tmp_path / "my-model")
    assert SentenceTransformerEmbedder(other).name == other
