"""MiniLM through ONNX Runtime gives torch's vectors (one question, a padded batch, a truncated long text), a model
it cannot export stays on torch with the reason logged, and the setting chooses the runtime."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from assistant.retrieval.embedder import EmbeddingRuntime, SentenceTransformerEmbedder, default_model_path
from assistant.retrieval.onnx_encoder import OnnxSentenceEncoder, OnnxUnsupportedError
from connectors.app.services import build_embedder
from tests.conftest import make_settings

TEXTS = ["How many days does a customer have to return an item?", "dress code",
         "can I swap a shift with a colleague next week, and who has to approve it before the rota is published?",
         "posso cambiare un turno con un collega?", "word " * 400]


@pytest.fixture(scope="module")
def torch_embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(runtime="torch", precision="float32")


def test_onnx_runtime_gives_torch_s_vectors(embedder, torch_embedder) -> None:
    assert embedder.runtime is EmbeddingRuntime.ONNX and torch_embedder.runtime is EmbeddingRuntime.TORCH
    for text in TEXTS:  # one at a time, as questions are embedded
        assert np.abs(embedder.encode([text]) - torch_embedder.encode([text])).max() < 1e-5
    together = embedder._onnx.encode(TEXTS, batch_size=3)  # padded batches, texts sorted by length and put back
    assert together.shape == (len(TEXTS), 384) and together.dtype == np.float32
    assert np.abs(together - torch_embedder.encode(TEXTS)).max() < 1e-5
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_a_model_it_cannot_export_stays_on_torch(caplog, torch_embedder) -> None:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Normalize, Pooling, Transformer

    transformer = Transformer(default_model_path())
    cls_pooled = SentenceTransformer(modules=[transformer, Pooling(384, pooling_mode="cls"), Normalize()],
                                     device="cpu")
    with pytest.raises(OnnxUnsupportedError, match="only mean pooling is exported, not cls"):
        OnnxSentenceEncoder.export(cls_pooled)
    with pytest.raises(OnnxUnsupportedError, match="not \\['Transformer', 'Pooling'\\]"):
        OnnxSentenceEncoder.export(SentenceTransformer(modules=[transformer, Pooling(384)], device="cpu"))

    class ClsPooledEmbedder(SentenceTransformerEmbedder):
        def _loaded(self):
            if self._model is None:
                from assistant.retrieval import embedder as module

                self._onnx = module._onnx_encoder(cls_pooled)
                self._model = cls_pooled
            return self._model

    with caplog.at_level(logging.WARNING, logger="assistant.retrieval.embedder"):
        fallback = ClsPooledEmbedder()
        assert fallback.runtime is EmbeddingRuntime.TORCH
    assert "embedding with torch instead of ONNX Runtime" in caplog.text
    assert fallback.encode(["dress code"]).shape == (1, 384)


def test_the_setting_chooses_the_runtime(tmp_path) -> None:
    assert build_embedder(make_settings(tmp_path))._requested_runtime is EmbeddingRuntime.ONNX
    chosen = build_embedder(make_settings(tmp_path, embedding_runtime="torch"))
    assert chosen._requested_runtime is EmbeddingRuntime.TORCH
    with pytest.raises(ValueError, match="embedding_runtime"):
        make_settings(tmp_path, embedding_runtime="tensorflow")
