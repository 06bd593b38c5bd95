"""Questions asked at the same moment share one run of the embedding model, and each caller gets its own vector."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from assistant.retrieval.query_batcher import QueryBatcher


class GatedModel:
    """Embeds a text as its length and first letter's code; the first run waits until `release` is set, so the
    callers that arrive meanwhile have to queue. A run with a text starting with "!" fails."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.runs: list[list[str]] = []
        self.fail_on = "!"

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.runs.append(list(texts))
        if len(self.runs) == 1:
            assert self.release.wait(timeout=30)
        if any(text.startswith(self.fail_on) for text in texts):
            raise RuntimeError("the model ran out of memory")
        return np.array([[len(text), ord(text[0])] for text in texts], dtype=np.float32)


def _wait_until(condition) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def _running(pool: ThreadPoolExecutor, batcher: QueryBatcher, model: GatedModel, text: str):
    """A caller whose text the model is embedding now (the gated first run, held until `model.release`)."""
    future = pool.submit(batcher.encode, text)
    _wait_until(lambda: len(model.runs) == 1)
    return future


def test_a_lone_question_is_embedded_at_once_in_a_batch_of_one() -> None:
    model = GatedModel()
    model.release.set()
    batcher = QueryBatcher(model)
    assert batcher.encode("holiday pay").tolist() == [11.0, ord("h")]
    assert model.runs == [["holiday pay"]]


def test_questions_arriving_while_the_model_is_busy_share_the_next_run() -> None:
    model = GatedModel()
    batcher = QueryBatcher(model, max_batch=4)
    texts = ["a", "bb", "ccc", "dddd", "eeeee", "ffffff", "ggggggg"]
    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        first = _running(pool, batcher, model, texts[0])
        rest = [pool.submit(batcher.encode, text) for text in texts[1:]]
        _wait_until(lambda: len(batcher._queue) == len(texts) - 1)
        model.release.set()
        vectors = [first.result(timeout=30)] + [future.result(timeout=30) for future in rest]
    for text, vector in zip(texts, vectors, strict=True):
        assert vector.tolist() == [len(text), ord(text[0])]  # each caller its own row
    assert model.runs[0] == ["a"]
    assert [len(run) for run in model.runs[1:]] == [4, 2]  # six waiting callers, at most four a run
    assert sorted(text for run in model.runs for text in run) == sorted(texts)
    assert (batcher.batches, batcher.texts) == (3, 7)


def test_an_error_reaches_every_caller_of_its_batch_and_the_next_batch_runs() -> None:
    model = GatedModel()
    batcher = QueryBatcher(model)
    with ThreadPoolExecutor(max_workers=4) as pool:
        first = _running(pool, batcher, model, "first")
        doomed = [pool.submit(batcher.encode, text) for text in ("!boom", "other")]
        _wait_until(lambda: len(batcher._queue) == 2)
        model.release.set()
        assert first.result(timeout=30).tolist() == [5.0, ord("f")]
        for future in doomed:
            with pytest.raises(RuntimeError, match="out of memory"):
                future.result(timeout=30)
    assert model.runs[1:] == [["!boom", "other"]]
    assert batcher.encode("third").tolist() == [5.0, ord("t")]  # the model is free again


def test_concurrent_questions_get_the_vectors_they_would_get_alone(embedder) -> None:
    questions = [f"how many days of {word} can a new colleague take in the first year"
                 for word in ("holiday", "parental leave", "sick leave", "unpaid leave", "study leave", "rest")]
    questions += ["who approves overtime", "dress code?", "can I swap a shift with a colleague next week please"]
    alone = np.stack([embedder.encode([question])[0] for question in questions])
    embedder.clear_cache()
    runs_before = embedder._queries.batches
    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        together = np.stack(list(pool.map(embedder.encode_query, questions)))
    assert np.abs(together - alone).max() < 1e-5
    assert embedder._queries.batches - runs_before <= len(questions)


def test_a_text_already_being_embedded_is_not_embedded_again() -> None:
    # The intent classifier and the knowledge search embed the same question at the same moment.
    model = GatedModel()
    batcher = QueryBatcher(model)
    with ThreadPoolExecutor(max_workers=4) as pool:
        running = _running(pool, batcher, model, "dress code")
        same_while_running = pool.submit(batcher.encode, "dress code")
        queued = pool.submit(batcher.encode, "overtime")
        _wait_until(lambda: len(batcher._queue) == 1)
        same_while_queued = pool.submit(batcher.encode, "overtime")
        _wait_until(lambda: batcher.shared == 2)
        model.release.set()
        assert running.result(timeout=30).tolist() == same_while_running.result(timeout=30).tolist()
        assert queued.result(timeout=30).tolist() == same_while_queued.result(timeout=30).tolist() == [8.0, ord("o")]
    assert model.runs == [["dress code"], ["overtime"]]
    assert batcher.encode("dress code").tolist() == [10.0, ord("d")]  # once done, the text is embedded anew
    assert len(model.runs) == 3


def test_a_caller_sharing_a_failed_run_gets_its_error() -> None:
    model = GatedModel()
    batcher = QueryBatcher(model)
    with ThreadPoolExecutor(max_workers=3) as pool:
        first = _running(pool, batcher, model, "first")
        doomed = [pool.submit(batcher.encode, "!boom") for _ in range(2)]
        _wait_until(lambda: batcher.shared == 1)
        model.release.set()
        first.result(timeout=30)
        for future in doomed:
            with pytest.raises(RuntimeError, match="out of memory"):
                future.result(timeout=30)
    assert model.runs[1:] == [["!boom"]]
