"""The sentence-transformers model run by ONNX Runtime: the same vectors, in a third of the time for a question.

On 2 cores (AMD EPYC, no native bfloat16), embedding each handbook development question alone took a median 15.1 ms
with torch and 5.1 ms with ONNX Runtime; the vectors differ by at most 2e-7 per component, so an index embedded with
torch stays valid. The model is exported from the loaded torch model when the process first needs it (a few
seconds, in memory: no file to keep in step with the model), by `torch.onnx.export`, which needs the `onnx` package.

sentence-transformers' own ONNX backend needs Optimum, whose ONNX package pins an older `transformers` than the one
installed here, so the export is done directly. Only the plain layout (a transformer, mean pooling, normalisation,
as in all-MiniLM-L6-v2) is exported; `OnnxUnsupportedError` says why another model is not, and the embedder keeps
torch for it.
"""

from __future__ import annotations

import io
import logging
import warnings

import numpy as np

from assistant.errors import AssistantError

logger = logging.getLogger(__name__)

_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class OnnxUnsupportedError(AssistantError):
    """The model cannot be run by ONNX Runtime here (its layout, or a missing package)."""


class OnnxSentenceEncoder:
    """Embeds texts as the wrapped sentence-transformers model would: mean of the token vectors, unit length."""

    def __init__(self, session, tokenizer, max_length: int, input_names: tuple[str, ...]) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._max_length = max_length
        self._input_names = input_names

    @classmethod
    def export(cls, model) -> OnnxSentenceEncoder:
        """Export a loaded `SentenceTransformer` (raises `OnnxUnsupportedError` when it cannot be)."""
        try:
            import onnxruntime
            import torch
        except ImportError as error:
            raise OnnxUnsupportedError(f"ONNX Runtime is not installed: {error}") from error
        transformer = _plain_layout(model)
        tokenizer = model.tokenizer
        sample = tokenizer(["a short question"], return_tensors="pt")
        names = tuple(name for name in _INPUTS if name in sample)
        graph = io.BytesIO()
        try:
            with warnings.catch_warnings():
                # The tracer warns about Python branches it fixes at export time; they concern decoder models and
                # causal masks, not this encoder, whose exported vectors are checked against torch's in the tests.
                warnings.simplefilter("ignore")
                torch.onnx.export(
                    _mean_pooled_module()(transformer).eval(), tuple(sample[name] for name in names), graph,
                    input_names=list(names), output_names=["sentence_embedding"],
                    dynamic_axes={name: {0: "texts", 1: "tokens"} for name in names}, opset_version=17,
                    dynamo=False,
                )
        except Exception as error:  # the exporter raises many kinds; each means the same here
            raise OnnxUnsupportedError(f"cannot export {type(transformer).__name__} to ONNX: {error}") from error
        options = onnxruntime.SessionOptions()
        # Idle threads sleep rather than spin: Rasa, spaCy and the other requests need the same cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = onnxruntime.InferenceSession(graph.getvalue(), options, providers=["CPUExecutionProvider"])
        return cls(session, tokenizer, int(model.max_seq_length), names)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """One L2-normalised float32 row per text; texts of similar length share a batch (less padding)."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        rows: list[np.ndarray] = [np.empty(0, dtype=np.float32)] * len(texts)
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            tokens = self._tokenizer([texts[i] for i in chosen], padding=True, truncation=True,
                                     max_length=self._max_length, return_tensors="np")
            feed = {name: np.asarray(tokens[name], dtype=np.int64) for name in self._input_names}
            (vectors,) = self._session.run(None, feed)
            for position, index in enumerate(chosen):
                rows[index] = vectors[position]
        return np.stack(rows).astype(np.float32, copy=False)


def _plain_layout(model):
    """The transformer module of a model laid out as transformer → mean pooling → normalisation."""
    modules = list(model)
    kinds = [type(module).__name__ for module in modules]
    if kinds != ["Transformer", "Pooling", "Normalize"]:
        raise OnnxUnsupportedError(f"only transformer, pooling, normalise models are exported, not {kinds}")
    if getattr(modules[1], "pooling_mode", None) != "mean":
        raise OnnxUnsupportedError(f"only mean pooling is exported, not {getattr(modules[1], 'pooling_mode', None)}")
    transformer = getattr(modules[0], "auto_model", None)
    if transformer is None:
        raise OnnxUnsupportedError("the transformer module has no torch model to export")
    return transformer


def _mean_pooled_module():
    """The export's wrapper class (built on first use, so importing this module needs no torch)."""
    import torch

    class MeanPooled(torch.nn.Module):
        """The transformer, the mean of its token vectors over the attention mask, scaled to unit length."""

        def __init__(self, transformer) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            tokens = self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                      token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    return MeanPooled

