"""`assistant_gaps_total` counts gaps, not clicks: a second thumbs-down on the same answer opens no new gap, whether
the answer's turn is still in the spool or already in the store (real pipeline and SQLite store)."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from assistant.models import Message
from connectors.observability.measured_ports import MeasuredAnswering
from connectors.observability.metrics import AssistantMetrics


def _negative_feedback_gaps(metrics: AssistantMetrics) -> float:
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        for sample in family.samples:
            if sample.name == "assistant_gaps_total" and sample.labels.get("reason") == "negative_feedback":
                return sample.value
    return 0.0


@pytest.mark.parametrize("stored_first", [False, True], ids=["turn-in-spool", "turn-in-store"])
def test_two_thumbs_down_on_one_answer_count_one_gap(company_services, stored_first: bool) -> None:
    metrics = AssistantMetrics()
    answering = MeasuredAnswering(company_services.assistant, metrics)
    answer = answering.handle(Message(text="How many days does a customer have to return an item?"))
    assert not answer.gap
    if stored_first:
        assert company_services.recorder.flush() == 0

    first = answering.record_feedback(answer.answer_id, helpful=False)
    second = answering.record_feedback(answer.answer_id, helpful=False)

    assert first.gap and first.opened_gap
    assert second.gap and not second.opened_gap
    assert _negative_feedback_gaps(metrics) == 1
    helpful = answering.record_feedback(answer.answer_id, helpful=True)
    again = answering.record_feedback(answer.answer_id, helpful=False)
    assert not helpful.gap and again.opened_gap  # the latest vote wins: a gap closed by a vote can open again
    assert _negative_feedback_gaps(metrics) == 2
