"""`parse_with_rasa`: a trained Rasa model parses a batch of texts in-process, with per-text times.

This is how `assistant eval nlu` reads Rasa's intent ranking; it lives here to reuse the
session's trained model of nlu_data/.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from assistant.evaluation.nlu_eval import parse_with_rasa
from assistant.nlu.intent_ensemble import ranking_distribution

from .conftest import NLU_DATA


def _intents() -> list[str]:
    document = yaml.safe_load((NLU_DATA / "nlu.yml").read_text(encoding="utf-8"))
    return sorted({block["intent"] for block in document["nlu"] if "intent" in block})


@pytest.mark.slow  # loads the trained model in a new Rasa process
def test_batch_parse_returns_full_rankings_and_times(rasa_executable: Path, rasa_model: Path, tmp_path: Path) -> None:
    texts = ["hello there", "where is my order ORD-1234567", "thanks, bye"]
    rankings, times = parse_with_rasa(rasa_model, texts, rasa_executable=rasa_executable, work_dir=tmp_path)

    intents = _intents()
    assert len(rankings) == len(texts) == len(times)
    assert all(ms > 0 for ms in times)
    for ranking in rankings:
        assert ranking, "every text gets a ranking"
        names = [name for name, _ in ranking]
        assert set(names) <= set(intents) | {"nlu_fallback"}
        confidences = [confidence for _, confidence in ranking]
        assert confidences == sorted(confidences, reverse=True)
        assert sum(confidences) <= 1.0 + 1e-6
    assert rankings[0][0][0] == "greet"
    assert rankings[1][0][0] == "order_status"

    distribution, present = ranking_distribution(rankings, intents)
    assert present.all()
    np.testing.assert_allclose(distribution.sum(axis=1), 1.0)
