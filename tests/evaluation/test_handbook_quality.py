"""Retrieval quality on the real handbook and its dev questions (skips without ../shared).

The issue's targets that are met are asserted as targets (gap F1 >= 0.80 among them); answer accuracy is not yet
at its target (0.80), so it is guarded as a regression floor just under the measured figure (see
docs/evaluation.md).
"""

from __future__ import annotations

import pytest

from assistant.answering.answerability import AnswerabilityModel
from assistant.evaluation.retrieval_eval import run_retrieval_evaluation
from assistant.retrieval.search import SearchMode
from tests.conftest import HANDBOOK_DIR, HANDBOOK_QUESTIONS, require_shared

pytestmark = pytest.mark.slow  # indexes the whole handbook (minutes)


@pytest.fixture(scope="module")
def report(embedder):
    require_shared(HANDBOOK_DIR)
    require_shared(HANDBOOK_QUESTIONS)
    return run_retrieval_evaluation(HANDBOOK_DIR, HANDBOOK_QUESTIONS, list(SearchMode), embedder,
                                    AnswerabilityModel.load())


def test_every_handbook_page_is_indexed(report):
    assert report["documents"] >= 246 and not report["skipped_files"]


def test_hybrid_meets_the_ranking_targets(report):
    hybrid = report["modes"]["hybrid"]
    assert hybrid["recall@5"] >= 0.97
    assert hybrid["mrr@10"] >= 0.88


def test_hybrid_beats_each_retriever_alone(report):
    modes = report["modes"]
    for single in ("dense", "bm25"):
        assert modes["hybrid"]["recall@5"] > modes[single]["recall@5"]
        assert modes["hybrid"]["mrr@10"] > modes[single]["mrr@10"]


def test_answer_passages_and_gap_detection_do_not_regress(report):
    hybrid = report["modes"]["hybrid"]
    assert hybrid["answer_accuracy"] >= 0.75
    assert hybrid["reply_accuracy"] >= 0.65, "the short answer holds the expected fact less often than measured"
    # The target, met since questions asking for an amount need a passage stating one (0.816; one answerable
    # question, whose right page is not first, sits within 0.001 of the threshold: 0.833 when it is answered).
    assert hybrid["gap_f1"] >= 0.80
    assert hybrid["gap_recall"] >= 0.95
