"""Fine-tune the top layers of a sentence encoder on labelled intents.

Frozen MiniLM embeddings with a linear classifier reach about 95.4% on CLINC150 and cannot
separate out-of-scope questions well enough. Training only the top transformer layers (two of
MiniLM's six) with a cosine-softmax head for two epochs lifts in-scope accuracy to about 96.6%
and makes the nearest-example similarity a much better out-of-scope signal, at a fraction of
the cost of full fine-tuning: the frozen layers need no gradients. On 2 shared CPU cores it
takes about 10 minutes for CLINC150's 15,100 examples and seconds for a few hundred.

The tuned encoder is a separate copy of the model: the retrieval embedder keeps the original.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.nlu.dense_intents import IntentModelError, normalise_rows

Progress = Callable[[str], None]


@contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """Run the block with torch limited to `count` intra-op threads (None: leave it alone).

    On a busy 2-core machine two threads are much slower than one: each operation waits for
    the slower thread. Measured here: one query embedded in 16 ms with one thread and about
    200 ms with two; a tuning step 5 times faster with one.
    """
    if count is None:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@dataclass(frozen=True)
class EncoderTuning:
    """How to fine-tune: which layers, how long, how fast.

    `layers` top transformer layers are trained (the rest stay frozen); the classification
    head starts at the normalised mean embedding of up to `init_examples_per_label` examples
    of each label and multiplies cosine similarities by `scale`.
    """

    layers: int = 2
    epochs: int = 2
    learning_rate: float = 1e-4
    head_learning_rate: float = 1e-2
    batch_size: int = 32
    scale: float = 20.0
    warmup_fraction: float = 0.1
    weight_decay: float = 0.01
    init_examples_per_label: int = 10
    seed: int = 0


class TunedSentenceEncoder:
    """A sentence-transformers model in memory; `encode` returns normalised float32 rows."""

    def __init__(self, model, *, batch_size: int = 128) -> None:
        self._model = model
        self._batch_size = batch_size

    @property
    def model(self):
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self._model.get_sentence_embedding_dimension()), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32, copy=False)

    def save(self, directory: Path) -> Path:
        """Write the tuned model as a sentence-transformers folder."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self._model.save(str(directory))
        return directory

    @classmethod
    def load(cls, directory: Path, *, batch_size: int = 128) -> TunedSentenceEncoder:
        from sentence_transformers import SentenceTransformer

        if not Path(directory).is_dir():
            raise IntentModelError(f"no tuned encoder at {directory}")
        return cls(SentenceTransformer(str(directory), device="cpu"), batch_size=batch_size)


def _transformer_layers(model):
    """The list of transformer blocks of a BERT-like sentence-transformers model."""
    backbone = getattr(model[0], "auto_model", None)
    layers = getattr(getattr(backbone, "encoder", None), "layer", None)
    if backbone is None or layers is None:
        raise IntentModelError("encoder tuning supports BERT-like sentence-transformers models only")
    return backbone, layers


def _initial_head(model, texts: Sequence[str], labels: Sequence[str], classes: list[str], per_label: int):
    """One unit vector per class: the mean embedding of a few of its examples."""
    import torch

    chosen: dict[str, list[int]] = {label: [] for label in classes}
    for index, label in enumerate(labels):
        if len(chosen[label]) < per_label:
            chosen[label].append(index)
    indices = [index for label in classes for index in chosen[label]]
    vectors = normalise_rows(
        model.encode([texts[i] for i in indices], batch_size=128, convert_to_numpy=True, show_progress_bar=False)
    )
    means, start = [], 0
    for label in classes:
        count = len(chosen[label])
        means.append(vectors[start : start + count].mean(axis=0))
        start += count
    return torch.tensor(normalise_rows(np.stack(means)))


def fine_tune_encoder(
    model_path: str | Path,
    texts: Sequence[str],
    labels: Sequence[str],
    tuning: EncoderTuning | None = None,
    *,
    progress: Progress | None = None,
) -> TunedSentenceEncoder:
    """Load the encoder at `model_path`, train its top layers to separate `labels`, return it.

    Every label, the out-of-scope one included, is a class of the training head; the head
    is thrown away afterwards and only the encoder is kept.
    """
    import torch
    import torch.nn.functional as functional
    from sentence_transformers import SentenceTransformer

    tuning = tuning or EncoderTuning()
    texts = [str(text) for text in texts]
    labels = [str(label) for label in labels]
    if len(texts) != len(labels) or not texts:
        raise IntentModelError(f"{len(texts)} texts and {len(labels)} labels: need as many of each, at least one")
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise IntentModelError("encoder tuning needs at least two labels")

    torch.manual_seed(tuning.seed)
    generator = torch.Generator().manual_seed(tuning.seed)
    model = SentenceTransformer(str(model_path), device="cpu")
    backbone, layers = _transformer_layers(model)
    trained_layers = max(1, min(tuning.layers, len(layers)))
    for parameter in backbone.parameters():
        parameter.requires_grad = False
    for layer in layers[-trained_layers:]:
        for parameter in layer.parameters():
            parameter.requires_grad = True

    model.eval()
    head = torch.nn.Parameter(_initial_head(model, texts, labels, classes, tuning.init_examples_per_label))
    targets = torch.tensor([classes.index(label) for label in labels])
    optimiser = torch.optim.AdamW(
        [
            {"params": [p for p in model.parameters() if p.requires_grad], "lr": tuning.learning_rate},
            {"params": [head], "lr": tuning.head_learning_rate},
        ],
        weight_decay=tuning.weight_decay,
    )
    steps_per_epoch = (len(texts) + tuning.batch_size - 1) // tuning.batch_size
    total_steps = max(1, tuning.epochs * steps_per_epoch)
    warmup = max(1, int(tuning.warmup_fraction * total_steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, (total_steps - step) / total_steps)
    )
    preprocess = getattr(model, "preprocess", None) or model.tokenize

    started = time.monotonic()
    model.train()
    try:
        for epoch in range(tuning.epochs):
            order = torch.randperm(len(texts), generator=generator)
            running = 0.0
            for step, start in enumerate(range(0, len(texts), tuning.batch_size), start=1):
                batch = order[start : start + tuning.batch_size]
                features = preprocess([texts[int(i)] for i in batch])
                embeddings = functional.normalize(model(features)["sentence_embedding"], dim=1)
                logits = tuning.scale * embeddings @ functional.normalize(head, dim=1).T
                loss = functional.cross_entropy(logits, targets[batch])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
                running += loss.item()
                if progress and step % 100 == 0:
                    progress(
                        f"encoder tuning: epoch {epoch + 1}/{tuning.epochs}, step {step}/{steps_per_epoch}, "
                        f"loss {running / 100:.3f}, {time.monotonic() - started:.0f} s"
                    )
                    running = 0.0
    finally:
        model.eval()
        for parameter in model.parameters():
            parameter.requires_grad = False
    return TunedSentenceEncoder(model)
